"""The price list and promotion endpoints, and the notices they trigger."""

from datetime import date

import pytest

from abm.sales.models import MonthlyAccountProductSales


@pytest.fixture
def bought(session, book):
    """The own account bought the product in October 2026."""
    session.add(MonthlyAccountProductSales(account_id=book["own"].id,
                                           product_id=book["product"].id,
                                           month=date(2026, 10, 1), revenue=100.0))
    session.commit()
    return book["product"]


def test_a_manager_keeps_a_price_list(api, book):
    product = book["product"].id
    made = api.as_("manager").post(f"/products/{product}/prices", json={
        "price": 13.0, "currency": "EUR", "valid_from": "2026-01-01"})
    assert made.status_code == 201, made.json
    later = api.as_("manager").post(f"/products/{product}/prices", json={
        "price": 14.0, "currency": "EUR", "valid_from": "2027-01-01"})
    assert later.status_code == 201
    listed = api.as_("sales").get(f"/products/{product}/prices").json["items"]
    assert [(p["price"], p["valid_from"], p["valid_to"]) for p in listed] == [
        (14.0, "2027-01-01", None), (13.0, "2026-01-01", "2026-12-31")]


def test_prices_follow_the_rules_of_the_forms(api, book):
    product = book["product"].id
    assert api.as_("sales").post(f"/products/{product}/prices", json={
        "price": 1, "currency": "EUR", "valid_from": "2026-01-01"}).status_code == 403
    bad = api.as_("manager").post(f"/products/{product}/prices", json={
        "price": 1, "currency": "EUR", "valid_from": "2026-02-01", "valid_to": "2026-01-01"})
    assert bad.status_code == 422 and "comes before valid from" in bad.json["message"]
    assert api.as_("manager").post("/products/999999/prices", json={
        "price": 1, "currency": "EUR", "valid_from": "2026-01-01"}).status_code == 404


def test_a_promotion_is_created_changed_and_noticed_with_approval(api, book, bought):
    body = {"name": "Winter", "discount_percent": 20, "starts_on": "2026-12-01",
            "ends_on": "2026-12-31", "product_ids": [bought.id]}
    made = api.as_("manager").post("/promotions", json=body)
    assert made.status_code == 201, made.json
    promo = made.json["id"]
    changed = api.as_("manager").open("PUT", f"/promotions/{promo}",
                                      json=body | {"name": "Winter sale"})
    assert changed.json["name"] == "Winter sale" and changed.json["skus"] == ["P-1"]
    assert [p["name"] for p in api.as_("sales").get("/promotions").json["items"]] == [
        "Winter sale"]
    notice = api.as_("marketing").post(f"/promotions/{promo}/notice", json={"language": "ru"})
    assert notice.status_code == 201, notice.json
    # The workspace threshold is 0%: any discount waits for a manager.
    assert notice.json["status"] == "pending_approval" and notice.json["accounts"] == 1
    assert "above the 0% threshold" in notice.json["approval_reasons"][0]
    campaign = api.as_("marketing").get(f"/campaigns/{notice.json['campaign_id']}").json
    assert campaign["kind"] == "promotion" and campaign["audience"]["account_ids"] == [
        book["own"].id]


def test_a_price_notice_without_buyers_is_refused(api, book):
    price = api.as_("manager").post(f"/products/{book['product'].id}/prices", json={
        "price": 13.0, "currency": "EUR", "valid_from": "2026-01-01"}).json
    refused = api.as_("manager").post(f"/prices/{price['id']}/notice", json={})
    assert refused.status_code == 422
    assert "no account bought these products" in refused.json["message"]
    assert api.as_("sales").post(f"/prices/{price['id']}/notice", json={}).status_code == 403


def test_bad_promotions_are_refused(api, book):
    bad = api.as_("manager").post("/promotions", json={
        "name": "x", "discount_percent": 5, "starts_on": "2026-12-01", "ends_on": "2026-11-01",
        "product_ids": [book["product"].id]})
    assert bad.status_code == 422 and "comes before the start" in bad.json["message"]
    assert api.as_("manager").post("/promotions", json={
        "name": "x", "discount_percent": 0, "starts_on": "2026-12-01", "ends_on": "2026-12-01",
        "product_ids": [book["product"].id]}).status_code == 422
