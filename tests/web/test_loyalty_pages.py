"""Loyalty in the web UI: the account page, the list filter, the programmes page, decisions."""

from __future__ import annotations

from datetime import date

import pytest

from abm.audit.services import NOBODY
from abm.loyalty import services
from abm.loyalty.proposals import pending_proposals, propose_tier_changes
from abm.sales.models import MonthlyAccountSales


@pytest.fixture
def programme(session):
    made = services.save_programme(session, NOBODY, name="Partners", rule="revenue",
                                   tiers=[services.TierInput("silver", 1000),
                                          services.TierInput("gold", 5000)])
    session.commit()
    return made


def _join(session, account, programme, status="member", tier="silver"):
    services.update_membership(session, NOBODY, account.id, programme.id, status=status,
                               tier=tier)
    session.commit()


def test_the_account_page_shows_the_membership(client, session, login, book, programme):
    _join(session, book["own"], programme)
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'id="loyalty"' in page and "Partners" in page and "silver" in page
    assert 'class="membership status-member"' in page


def test_the_account_page_speaks_russian(client, session, login, book, programme):
    _join(session, book["own"], programme)
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Программа лояльности" in page and "Участник" in page


def test_the_owner_records_a_membership_through_the_form(client, session, login, book,
                                                         programme):
    login("sales")
    answer = client.post(f"/loyalty/accounts/{book['own'].id}", data={
        "programme_id": programme.id, "status": "member", "tier": "gold"})
    assert answer.status_code == 302
    membership, = services.memberships(session, book["own"].id)
    assert (membership.status, membership.tier) == ("member", "gold")


def test_a_sales_user_cannot_record_another_owners_membership(client, session, login, book,
                                                             programme):
    login("sales")
    answer = client.post(f"/loyalty/accounts/{book['rival'].id}", data={
        "programme_id": programme.id, "status": "member"})
    assert answer.status_code == 404
    assert services.memberships(session, book["rival"].id) == []


def test_the_list_filters_members(client, session, login, book, programme):
    _join(session, book["own"], programme)
    _join(session, book["rival"], programme, status="invited", tier=None)
    login("manager")
    members = client.get("/accounts/?loyalty=member").get_data(as_text=True)
    assert "Own Customer" in members and "Rival Customer" not in members
    invited = client.get("/accounts/?loyalty=invited").get_data(as_text=True)
    assert "Rival Customer" in invited and "Own Customer" not in invited


def test_a_manager_creates_a_programme_on_its_page(client, session, login, users):
    login("manager")
    answer = client.post("/loyalty/programmes", data={
        "name": "Innovators", "rule": "revenue", "period_months": "6",
        "tiers": "bronze: 100\nsilver: 1 000,5", "active": "y"})
    assert answer.status_code == 302
    saved, = services.programmes(session)
    assert [(t.name, t.min_revenue) for t in saved.tiers] == [("bronze", 100), ("silver", 1000.5)]


def test_a_tier_line_that_is_no_amount_names_its_line(client, login, users):
    login("manager")
    answer = client.post("/loyalty/programmes", data={
        "name": "Innovators", "rule": "revenue", "period_months": "6",
        "tiers": "bronze: 100\nsilver: lots"})
    assert answer.status_code == 422
    assert "Line 2: lots is not an amount" in answer.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [("marketing", 200), ("sales", 403)])
def test_the_programmes_page_is_for_management_and_marketing(client, login, users, role,
                                                             status):
    login(role)
    assert client.get("/loyalty/").status_code == status


def test_a_manager_confirms_a_proposed_tier(client, session, login, book, programme):
    _join(session, book["own"], programme)
    session.merge(MonthlyAccountSales(account_id=book["own"].id, month=date(2026, 3, 1),
                                      revenue=60000))
    propose_tier_changes(session, date(2026, 6, 15))
    session.commit()
    proposal, = pending_proposals(session)
    login("manager")
    assert "Tier changes to confirm" in client.get("/loyalty/").get_data(as_text=True)
    answer = client.post(f"/loyalty/proposals/{proposal.id}", data={"decision": "confirm"})
    assert answer.status_code == 302
    assert services.memberships(session, book["own"].id)[0].tier == "gold"


def test_marketing_cannot_decide_a_proposal(client, session, login, book, programme):
    _join(session, book["own"], programme)
    session.merge(MonthlyAccountSales(account_id=book["own"].id, month=date(2026, 3, 1),
                                      revenue=60000))
    propose_tier_changes(session, date(2026, 6, 15))
    session.commit()
    proposal, = pending_proposals(session)
    login("marketing")
    assert client.post(f"/loyalty/proposals/{proposal.id}",
                       data={"decision": "confirm"}).status_code == 403


def test_a_loyalty_invitation_names_its_programme_on_its_page(client, session, login, users,
                                                              programme):
    from abm.campaigns import services as campaigns
    from abm.campaigns.offers import offer_dict

    campaign = campaigns.create_campaign(session, name="Join", kind="loyalty_invitation")
    session.commit()
    login("marketing")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'<option value="{programme.id}">Partners</option>' in page
    saved = client.post(f"/campaigns/{campaign.id}/offer", data={
        "name": "Join", "default_language": "en", "holdout_percent": "0",
        "programme_id": str(programme.id)})
    assert saved.status_code == 302
    session.refresh(campaign)
    assert offer_dict(campaign)["programme_id"] == programme.id
