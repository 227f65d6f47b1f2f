"""Loyalty through the API: programmes, memberships by the visibility rule, tier decisions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete

from abm.audit.services import NOBODY
from abm.loyalty import services
from abm.loyalty.proposals import propose_tier_changes
from abm.sales.models import MonthlyAccountSales

PROGRAMME = {"name": "Partners", "rule": "revenue", "period_months": 12,
             "tiers": [{"name": "silver", "min_revenue": 1000},
                       {"name": "gold", "min_revenue": 5000}]}


@pytest.fixture
def programme(session):
    made = services.save_programme(session, NOBODY, name="Partners", rule="revenue",
                                   tiers=[services.TierInput("silver", 1000),
                                          services.TierInput("gold", 5000)])
    session.commit()
    return made


def test_a_manager_creates_a_programme_with_its_tiers(api):
    created = api.as_("manager").post("/loyalty/programmes", json=PROGRAMME)
    assert created.status_code == 201, created.get_json()
    assert [t["name"] for t in created.get_json()["tiers"]] == ["silver", "gold"]
    listed = api.as_("sales").get("/loyalty/programmes").get_json()["items"]
    assert [p["name"] for p in listed] == ["Partners"]


def test_marketing_and_sales_may_not_create_programmes(api):
    for role in ("marketing", "sales"):
        assert api.as_(role).post("/loyalty/programmes", json=PROGRAMME).status_code == 403


def test_a_programme_the_rule_cannot_use_is_refused_with_why(api):
    body = {**PROGRAMME, "tiers": [{"name": "gold"}]}
    refused = api.as_("manager").post("/loyalty/programmes", json=body)
    assert refused.status_code == 422
    assert "minimum revenue" in refused.get_json()["message"]


def test_patching_an_account_records_its_membership(api, book, programme):
    """The PATCH that answered 422 "Extra inputs are not permitted" before."""
    own = book["own"].id
    saved = api.as_("sales").patch(f"/accounts/{own}", json={
        "loyalty": {"status": "member", "tier": "gold"}})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert (body["loyalty_member"], body["loyalty_tier"]) == (True, "gold")
    assert body["loyalty"][0]["programme"] == "Partners"
    assert body["loyalty"][0]["accepted_at"] is not None


def test_a_membership_is_read_and_changed_on_its_own(api, book, programme):
    own = book["own"].id
    path = f"/accounts/{own}/loyalty/{programme.id}"
    assert api.as_("sales").patch(path, json={"status": "invited"}).status_code == 200
    changed = api.as_("manager").patch(path, json={"status": "left"}).get_json()
    assert changed["status"] == "left" and changed["invited_at"] is not None
    items = api.as_("sales").get(f"/accounts/{own}/loyalty").get_json()["items"]
    assert [(m["programme"], m["status"]) for m in items] == [("Partners", "left")]


def test_a_sales_user_cannot_see_or_change_another_owners_membership(api, book, programme):
    rival = book["rival"].id
    assert api.as_("sales").get(f"/accounts/{rival}/loyalty").status_code == 404
    assert api.as_("sales").patch(f"/accounts/{rival}/loyalty/{programme.id}",
                                  json={"status": "member"}).status_code == 404


def test_an_unknown_tier_answers_404_and_writes_nothing(api, book, programme, session):
    own = book["own"].id
    answer = api.as_("manager").patch(f"/accounts/{own}/loyalty/{programme.id}",
                                      json={"tier": "bronze"})
    assert answer.status_code == 404 and "bronze" in answer.get_json()["message"]
    assert services.memberships(session, own) == []


def test_a_manager_confirms_the_tier_the_rule_proposes(api, book, programme, session):
    own = book["own"].id
    services.update_membership(session, NOBODY, own, programme.id, status="member",
                               tier="silver")
    # 7,000 in the 12 months: gold, whatever the shared book sold to it before.
    session.execute(delete(MonthlyAccountSales).where(MonthlyAccountSales.account_id == own))
    session.add(MonthlyAccountSales(account_id=own, month=date(2026, 3, 1), revenue=7000))
    propose_tier_changes(session, date(2026, 6, 15))
    session.commit()
    assert api.as_("sales").get("/loyalty/proposals").status_code == 403
    proposal, = api.as_("manager").get("/loyalty/proposals").get_json()["items"]
    assert (proposal["from_tier"], proposal["to_tier"]) == ("silver", "gold")
    decided = api.as_("manager").post(f"/loyalty/proposals/{proposal['id']}/decision",
                                      json={"confirm": True})
    assert decided.get_json()["status"] == "confirmed"
    again = api.as_("manager").post(f"/loyalty/proposals/{proposal['id']}/decision",
                                    json={"confirm": True})
    assert again.status_code == 409
    assert api.as_("manager").get(f"/accounts/{own}").get_json()["loyalty_tier"] == "gold"
