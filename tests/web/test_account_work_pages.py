"""The account plan, the campaign history, tenders and alert actions on the account pages."""

from __future__ import annotations

import pytest

from abm.accounts.models import Tender, TenderOutcome
from abm.analytics.models import Alert, AlertKind, AlertStatus
from abm.campaigns.models import AccountPlan
from abm.campaigns.plans import link_campaign
from abm.campaigns.services import create_campaign

HOSTILE = '<img src=x onerror="alert(1)">'


def _plan(session, account):
    session.expire_all()
    return session.query(AccountPlan).filter_by(account_id=account.id).one_or_none()


def test_the_account_page_reads_the_plan_without_creating_one(client, login, session, book):
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "No plan yet." in page and "No campaign has reached this account yet." in page
    assert "Edit the plan" in page
    assert _plan(session, book["own"]) is None


def test_the_sales_owner_saves_objectives_terms_and_notes(client, login, session, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/plan", data={
        "objectives": "Grow the tools range", "notes": HOSTILE,
        "terms-0-title": "Net 60 payment", "terms-0-discount_percent": "3",
        "terms-0-valid_until": "2027-06-30", "terms-1-title": ""})
    assert response.status_code == 302
    plan = _plan(session, book["own"])
    assert plan.objectives == "Grow the tools range"
    assert plan.terms == [{"title": "Net 60 payment", "discount_percent": 3.0,
                           "valid_until": "2027-06-30"}]
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Net 60 payment" in page and HOSTILE not in page and "&lt;img" in page
    form = client.get(f"/accounts/{book['own'].id}/plan").get_data(as_text=True)
    assert 'value="2027-06-30"' in form and 'value="Net 60 payment"' in form


@pytest.mark.parametrize(("data", "message"), [
    ({"terms-0-title": "Bonus", "terms-0-discount_percent": "150"},
     "Number must be between 0 and 100."),
    ({"terms-0-discount_percent": "5"}, "A term needs a title."),
    ({"terms-0-title": "Bonus", "terms-0-valid_until": "soon"}, "Not a valid date value."),
])
def test_a_wrong_term_shows_its_validation_message(client, login, session, book, data, message):
    login("marketing")
    response = client.post(f"/accounts/{book['own'].id}/plan", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _plan(session, book["own"]) is None


@pytest.mark.parametrize(("role", "account", "status"), [
    ("sales", "own", 200), ("sales", "rival", 404), ("marketing", "rival", 200),
    ("manager", "rival", 200), ("admin", "prospect", 200),
])
def test_who_may_edit_a_plan(client, login, book, role, account, status):
    login(role)
    assert client.get(f"/accounts/{book[account].id}/plan").status_code == status


def test_a_sales_user_who_sees_but_does_not_own_cannot_edit(client, login, session, book, users):
    book["own"].owner_id = users["rival"].id
    session.commit()
    login("sales")
    assert client.post(f"/accounts/{book['own'].id}/plan", data={}).status_code == 404


def test_marketing_aims_a_campaign_at_an_account(client, login, session, book, users):
    campaign = create_campaign(session, name="Tools launch", kind="promotion")
    session.commit()
    login("marketing")
    response = client.post(f"/accounts/{book['own'].id}/plan/campaigns",
                           data={"campaign_id": str(campaign.id)})
    assert response.status_code == 302
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Campaigns aimed at it" in page and "Tools launch" in page


def test_sales_cannot_aim_campaigns(client, login, session, book):
    campaign = create_campaign(session, name="Tools launch", kind="promotion")
    link_campaign(session, book["own"].id, campaign.id)
    session.commit()
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/plan/campaigns",
                           data={"campaign_id": str(campaign.id)})
    assert response.status_code == 403
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Tools launch" in page and f"/campaigns/{campaign.id}" not in page


# -- tenders


def test_the_owner_records_and_edits_a_tender(client, login, session, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/tenders/new", data={
        "title": "Warehouse racks 2026", "held_on": "2026-09-01", "outcome": "lost",
        "amount": "12000", "reason": "Price 8% above the winner"})
    assert response.status_code == 302
    tender = session.query(Tender).filter_by(account_id=book["own"].id).one()
    assert tender.outcome == TenderOutcome.LOST and tender.amount == 12000
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Warehouse racks 2026" in page and "Lost" in page
    client.post(f"/accounts/{book['own'].id}/tenders/{tender.id}", data={
        "title": "Warehouse racks 2026", "outcome": "won", "action": "save"})
    session.expire_all()
    assert session.get(Tender, tender.id).outcome == TenderOutcome.WON
    client.post(f"/accounts/{book['own'].id}/tenders/{tender.id}", data={
        "title": "Warehouse racks 2026", "outcome": "won", "action": "delete"})
    session.expire_all()
    assert session.get(Tender, tender.id) is None


def test_a_tender_without_a_title_is_refused_with_a_message(client, login, book):
    login("manager")
    response = client.post(f"/accounts/{book['own'].id}/tenders/new",
                           data={"title": "", "outcome": "won", "amount": "-5"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Number must be at least 0." in page


@pytest.mark.parametrize(("role", "account", "status"), [
    ("marketing", "own", 403), ("sales", "rival", 404), ("manager", "rival", 200)])
def test_who_may_record_tenders(client, login, book, role, account, status):
    login(role)
    assert client.get(f"/accounts/{book[account].id}/tenders/new").status_code == status


def test_a_tender_of_another_account_is_not_found(client, login, session, book):
    other = Tender(account_id=book["rival"].id, title="Theirs")
    session.add(other)
    session.commit()
    login("manager")
    assert client.get(f"/accounts/{book['own'].id}/tenders/{other.id}").status_code == 404


# -- alerts


@pytest.fixture
def alert(session, book):
    made = Alert(account_id=book["own"].id, kind=AlertKind.NO_SHIPMENTS, cause="2026-10",
                 details={"month": "2026-10"})
    session.add(made)
    session.commit()
    return made


def test_the_owner_acknowledges_then_resolves_an_alert(client, login, session, alert):
    login("sales")
    response = client.post(f"/alerts/{alert.id}/acknowledge", data={"next": "/"})
    assert response.status_code == 302 and response.location == "/"
    session.expire_all()
    assert session.get(Alert, alert.id).status == AlertStatus.ACKNOWLEDGED
    client.post(f"/alerts/{alert.id}/resolve")
    session.expire_all()
    assert session.get(Alert, alert.id).status == AlertStatus.RESOLVED
    again = client.post(f"/alerts/{alert.id}/resolve", follow_redirects=True)
    assert "is resolved already" in again.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [("marketing", 403), ("manager", 302),
                                              ("rival", 404)])
def test_who_may_work_an_alert(client, login, alert, role, status):
    login(role)
    assert client.post(f"/alerts/{alert.id}/acknowledge").status_code == status


def test_a_foreign_next_after_an_alert_action_is_ignored(client, login, alert, book):
    login("manager")
    response = client.post(f"/alerts/{alert.id}/resolve", data={"next": "https://evil.test/"})
    assert response.location == f"/accounts/{book['own'].id}#analytics"
