"""Price lists, promotions, and the notice campaigns they trigger (approved like any offer)."""

from datetime import date

import pytest
from sqlalchemy import delete, select

from abm.audit.models import AuditEvent
from abm.campaigns.models import CampaignStatus
from abm.campaigns.notices import price_notice, promotion_notice
from abm.campaigns.services import CampaignError
from abm.campaigns.settings import CampaignSettings
from abm.sales import prices
from abm.sales.models import MonthlyAccountProductSales
from abm.sales.prices import PriceError
from abm.settings.services import update_settings

TODAY = date(2026, 11, 20)


@pytest.fixture
def shop(session, make_accounts, sales):
    """Three accounts: one bought A in October, one bought A 14 months ago, one bought B."""
    recent, old, other = make_accounts(3)
    sales(recent, {"A": 500.0}, date(2026, 10, 1))
    sales(old, {"A": 900.0}, date(2025, 8, 1))
    products = sales(other, {"B": 300.0}, date(2026, 10, 1))
    return {"recent": recent, "old": old, "other": other, "A": products["A"], "B": products["B"]}


def test_a_new_price_closes_the_open_one_and_becomes_current(session, shop, users):
    a = shop["A"]
    first = prices.add_price(session, product_id=a.id, price=10, currency="eur",
                             valid_from=date(2026, 1, 1), today=TODAY)
    assert first.currency == "EUR" and a.price == 10
    prices.add_price(session, product_id=a.id, price=12.5, currency="EUR",
                     valid_from=date(2026, 12, 1), user_id=users["manager"].id, today=TODAY)
    listed = prices.price_list(session, a.id)
    assert [(p.price, p.valid_from, p.valid_to) for p in listed] == [
        (12.5, date(2026, 12, 1), None), (10, date(2026, 1, 1), date(2026, 11, 30))]
    assert a.price == 10  # the new price starts next month
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "price_added")
                            .order_by(AuditEvent.id.desc())).first()
    assert event.target == f"product:{a.id}" and event.details["price"] == 12.5


@pytest.mark.parametrize("change, message", [
    ({"price": -1}, "price: -1 is not between 0"),
    ({"currency": "euro"}, "currency: 'EURO' is not a three-letter code"),
    ({"valid_to": date(2025, 12, 31)}, "valid to: 2025-12-31 comes before valid from"),
    ({"product_id": 999999}, "no product 999999"),
])
def test_bad_prices_are_refused_with_the_reason(session, shop, change, message):
    values = {"product_id": shop["A"].id, "price": 10, "currency": "EUR",
              "valid_from": date(2026, 1, 1)} | change
    with pytest.raises(PriceError, match=message):
        prices.add_price(session, **values)


def test_a_price_overlapping_a_later_one_is_refused(session, shop):
    a = shop["A"].id
    prices.add_price(session, product_id=a, price=10, currency="EUR", valid_from=date(2026, 6, 1),
                     valid_to=date(2026, 6, 30))
    with pytest.raises(PriceError, match="overlaps the price from 2026-06-01"):
        prices.add_price(session, product_id=a, price=11, currency="EUR",
                         valid_from=date(2026, 5, 1), valid_to=date(2026, 6, 15))
    # Another currency is another price list.
    prices.add_price(session, product_id=a, price=900, currency="RUB", valid_from=date(2026, 6, 1))


def test_promotions_are_created_changed_and_checked(session, shop, users):
    promo = prices.save_promotion(session, name="Autumn", product_ids=[shop["A"].id],
                                  discount_percent=5, starts_on=date(2026, 11, 1),
                                  ends_on=date(2026, 11, 30), user_id=users["manager"].id)
    changed = prices.save_promotion(session, promotion_id=promo.id, name="Autumn sale",
                                    product_ids=[shop["A"].id, shop["B"].id], discount_percent=7,
                                    starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 15))
    assert changed.id == promo.id and changed.skus == ["A", "B"]
    assert [p.name for p in prices.promotions(session, product_id=shop["B"].id)] == [
        "Autumn sale"]
    with pytest.raises(PriceError, match="discount: 0% is not above 0%"):
        prices.save_promotion(session, name="x", product_ids=[shop["A"].id], discount_percent=0,
                              starts_on=TODAY, ends_on=TODAY)
    with pytest.raises(PriceError, match="ends on: 2026-11-19 comes before"):
        prices.save_promotion(session, name="x", product_ids=[shop["A"].id], discount_percent=5,
                              starts_on=TODAY, ends_on=date(2026, 11, 19))
    with pytest.raises(PriceError, match="a promotion needs at least one product"):
        prices.save_promotion(session, name="x", product_ids=[], discount_percent=5,
                              starts_on=TODAY, ends_on=TODAY)


def test_buyers_are_the_accounts_of_the_last_twelve_months(session, shop):
    assert prices.buyers(session, [shop["A"].id]) == [shop["recent"].id]
    assert prices.buyers(session, [shop["A"].id], months=15) == [shop["recent"].id,
                                                                  shop["old"].id]
    assert prices.buyers(session, [shop["A"].id, shop["B"].id]) == sorted(
        [shop["recent"].id, shop["other"].id])


def test_a_promotion_above_the_threshold_waits_for_a_manager(session, shop, users):
    update_settings(session, CampaignSettings, discount_approval_threshold=10)
    promo = prices.save_promotion(session, name="Big", product_ids=[shop["A"].id],
                                  discount_percent=15, starts_on=TODAY, ends_on=TODAY)
    notice = promotion_notice(session, promo.id, user_id=users["marketing"].id)
    campaign = notice.campaign
    assert campaign.kind.value == "promotion" and notice.accounts == 1
    assert campaign.audience["account_ids"] == [shop["recent"].id]
    assert campaign.discount_percent == 15
    assert [r.code for r in notice.reasons] == ["discount"]
    assert campaign.status == CampaignStatus.PENDING_APPROVAL


def test_a_small_promotion_and_a_price_change_stay_drafts(session, shop, users):
    update_settings(session, CampaignSettings, discount_approval_threshold=10)
    promo = prices.save_promotion(session, name="Small", product_ids=[shop["B"].id],
                                  discount_percent=5, starts_on=TODAY, ends_on=TODAY)
    notice = promotion_notice(session, promo.id)
    assert notice.reasons == [] and notice.campaign.status == CampaignStatus.DRAFT
    assert notice.campaign.audience["account_ids"] == [shop["other"].id]
    price = prices.add_price(session, product_id=shop["A"].id, price=11, currency="EUR",
                             valid_from=date(2026, 12, 1), today=TODAY)
    told = price_notice(session, price.id)
    assert told.campaign.status == CampaignStatus.DRAFT and told.accounts == 1
    assert told.campaign.offer["title"] == "new price of A: 11 EUR"
    assert told.campaign.offer["notice"] == "price_notice"


def test_a_notice_nobody_would_receive_is_refused(session, shop):
    lonely = prices.save_promotion(session, name="Nobody", product_ids=[shop["A"].id],
                                   discount_percent=5, starts_on=TODAY, ends_on=TODAY)
    session.execute(delete(MonthlyAccountProductSales))  # nobody bought anything
    with pytest.raises(CampaignError, match="no account bought these products"):
        promotion_notice(session, lonely.id)
