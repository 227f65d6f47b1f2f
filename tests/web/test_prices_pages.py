"""The products, price list and promotions pages, in both languages, and their notices."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.campaigns.models import Campaign, CampaignStatus
from abm.sales.models import MonthlyAccountProductSales, Product
from abm.sales.price_models import ProductPrice, Promotion


@pytest.fixture
def wrap(session, book):
    """A product that "Own Customer" bought in October 2026."""
    product = Product(sku="WRAP-1", name="Pallet wrap", price=12.5)
    session.add(product)
    session.flush()
    session.add(MonthlyAccountProductSales(account_id=book["own"].id, product_id=product.id,
                                           month=date(2026, 10, 1), revenue=100.0))
    session.commit()
    return product


def test_a_manager_adds_a_price_and_tells_the_buyers(client, session, login, wrap, book):
    login("manager")
    assert "WRAP-1" in client.get("/products/?q=wrap").get_data(as_text=True)
    page = client.get(f"/products/{wrap.id}")
    assert page.status_code == 200 and 'id="new-price-form"' in page.get_data(as_text=True)
    response = client.post(f"/products/{wrap.id}", data={
        "price": "13,75", "currency": "EUR", "valid_from": "2026-12-01"})
    assert response.status_code == 302
    price = session.scalars(select(ProductPrice).where(ProductPrice.product_id == wrap.id)).one()
    assert price.price == 13.75
    page = client.get(f"/products/{wrap.id}").get_data(as_text=True)
    assert "13.75" in page and "until a newer price" in page
    told = client.post(f"/prices/{price.id}/notice", data={"language": "ru"})
    assert told.status_code == 302 and "/campaigns/" in told.location
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.audience["account_ids"] == [book["own"].id]
    assert campaign.default_language == "ru" and campaign.status == CampaignStatus.DRAFT


def test_a_bad_price_is_explained_and_nothing_is_written(client, session, login, wrap):
    login("manager")
    response = client.post(f"/products/{wrap.id}", data={
        "price": "10", "currency": "EUR", "valid_from": "2026-12-01", "valid_to": "2026-11-01"})
    assert response.status_code == 422
    assert "comes before valid from" in response.get_data(as_text=True)
    assert session.scalars(select(ProductPrice)).first() is None


def test_sales_read_prices_but_cannot_change_them(client, login, wrap):
    login("sales")
    page = client.get(f"/products/{wrap.id}").get_data(as_text=True)
    assert "Price list" in page and 'id="new-price-form"' not in page
    assert client.post(f"/products/{wrap.id}", data={
        "price": "1", "currency": "EUR", "valid_from": "2026-12-01"}).status_code == 403
    assert client.post("/promotions/", data={}).status_code == 403


def test_a_promotion_is_made_edited_and_waits_for_approval(client, session, login, wrap):
    login("manager")
    bad = client.post("/promotions/", data={
        "name": "Winter", "skus": "WRAP-1, NOPE", "discount_percent": "20",
        "starts_on": "2026-12-01", "ends_on": "2026-12-31"})
    assert bad.status_code == 422 and "No product has the SKU NOPE." in bad.get_data(as_text=True)
    made = client.post("/promotions/", data={
        "name": "Winter", "skus": "WRAP-1", "discount_percent": "20",
        "starts_on": "2026-12-01", "ends_on": "2026-12-31"})
    assert made.status_code == 302
    promo = session.scalars(select(Promotion)).one()
    edited = client.post(f"/promotions/{promo.id}", data={
        "name": "Winter sale", "skus": "WRAP-1", "discount_percent": "25",
        "starts_on": "2026-12-01", "ends_on": "2027-01-10"})
    assert edited.status_code == 302
    session.expire_all()
    assert (promo.name, promo.discount_percent) == ("Winter sale", 25)
    page = client.get(f"/promotions/{promo.id}").get_data(as_text=True)
    assert "WRAP-1" in page and "25.0%" in page
    client.post(f"/promotions/{promo.id}/notice", data={"language": "en"})
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.status == CampaignStatus.PENDING_APPROVAL  # 25% above the 0% threshold


def test_the_pages_read_in_russian(client, session, login, wrap):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get(f"/products/{wrap.id}").get_data(as_text=True)
    assert "Прайс-лист" in page and "Новая цена" in page
    page = client.get("/promotions/").get_data(as_text=True)
    assert "Новая акция" in page and "Акции" in page


def test_a_notice_without_buyers_says_why(client, session, login, book):
    product = Product(sku="LONELY", name="Nobody buys it")
    session.add(product)
    session.commit()
    login("marketing")
    session.add(ProductPrice(product_id=product.id, price=1, currency="EUR",
                             valid_from=date(2026, 1, 1)))
    session.commit()
    price = session.scalars(select(ProductPrice)).one()
    response = client.post(f"/prices/{price.id}/notice", data={}, follow_redirects=True)
    assert "no account bought these products" in response.get_data(as_text=True)
