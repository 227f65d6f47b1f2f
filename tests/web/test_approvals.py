"""The managers' approvals inbox."""

from datetime import timedelta

import pytest

from abm.accounts.models import Account, Contact, ContactRole
from abm.campaigns.models import Campaign, CampaignStatus
from abm.campaigns.services import create_campaign, request_approval
from abm.sales.models import MonthlyAccountSales


@pytest.fixture
def pending(session, users):
    campaign = create_campaign(session, name="Bonus for <b>top</b> clients", kind="volume_bonus",
                               user_id=users["marketing"].id)
    request_approval(session, campaign.id)
    session.commit()
    return campaign


def test_the_inbox_lists_campaigns_awaiting_approval_with_the_reason(client, login, pending):
    login("manager")
    page = client.get("/approvals/").get_data(as_text=True)
    assert "Bonus for &lt;b&gt;top&lt;/b&gt; clients" in page
    assert "Volume bonus campaigns need management approval" in page


def test_a_manager_approves(client, session, login, pending):
    login("manager")
    client.post(f"/approvals/{pending.id}", data={"decision": "approve"})
    session.expire_all()
    assert session.get(Campaign, pending.id).status is CampaignStatus.APPROVED
    assert "Nothing is waiting for your approval." in client.get("/approvals/").get_data(
        as_text=True)


def test_a_rejection_without_a_reason_is_refused(client, session, login, pending):
    login("manager")
    response = client.post(f"/approvals/{pending.id}", data={"decision": "reject"},
                           follow_redirects=True)
    assert "a rejection needs a reason" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Campaign, pending.id).status is CampaignStatus.PENDING_APPROVAL


def test_a_rejection_with_a_reason_is_recorded(client, session, login, pending):
    login("manager")
    client.post(f"/approvals/{pending.id}", data={"decision": "reject", "reason": "Too generous"})
    session.expire_all()
    assert session.get(Campaign, pending.id).status is CampaignStatus.REJECTED


@pytest.mark.parametrize("role", ["marketing", "sales"])
def test_only_managers_and_admins_decide(client, session, login, pending, role):
    login(role)
    assert client.get("/approvals/").status_code == 403
    assert client.post(f"/approvals/{pending.id}", data={"decision": "approve"}).status_code == 403


def test_the_dashboard_points_managers_to_the_inbox(client, login, pending):
    login("manager")
    page = client.get("/").get_data(as_text=True)
    assert 'id="campaigns"' in page and "1 awaiting your approval" in page


def _last_full_months(n):
    from datetime import date

    first = date.today().replace(day=1)
    months = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months


def test_the_inbox_shows_what_is_at_stake(client, session, login, users):
    account = Account(name="Alpha Stores", region="North")
    account.contacts = [Contact(name="Anna Alpha", email="anna@alpha.test",
                                role=ContactRole.OWNER, marketing_consent=True)]
    session.add(account)
    session.flush()
    session.add_all([MonthlyAccountSales(account_id=account.id, month=m, revenue=1000.0)
                     for m in _last_full_months(12)])
    campaign = create_campaign(session, name="Alpha deal", kind="personal_offer",
                               audience={"account_ids": [account.id]},
                               offer={"discount_percent": 10, "bonus_percent": 5,
                                      "bonus_threshold": 10000, "payment_days": 60})
    request_approval(session, campaign.id)
    session.commit()
    login("manager")
    page = client.get("/approvals/").get_data(as_text=True)
    assert "a volume bonus of 5% of purchases above €10,000" in page
    assert "individual payment terms of 60 days" in page
    assert '<dd class="stake-recipients">1 contact · 1 account</dd>' in page
    assert "€12,000" in page  # their revenue over the last 12 full months
    assert "discount: 10% of €12,000 = €1,200" in page
    assert "volume bonus: 5% of the €2,000 that 1 account buys above €10,000 = €100" in page
    assert "€1,300" in page  # the whole cost
    assert "Unknown" in page  # no earlier personal offer to learn from
    assert "Alpha Stores</a>:\n        100.0% of the company's revenue" in page


def test_the_reasons_and_the_stake_read_in_russian(client, login, pending):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/approvals/").get_data(as_text=True)
    assert "требуют согласования руководством" in page
    assert "Что на кону" in page and "Неизвестно" in page


def test_an_audience_that_no_longer_evaluates_is_said_not_a_server_error(client, session, login,
                                                                         pending):
    pending.audience = {"rules": [{"field": "retired_field", "op": "eq", "value": 1}]}
    session.commit()
    login("manager")
    response = client.get("/approvals/")
    assert response.status_code == 200
    assert ("The audience cannot be evaluated: rule 1: there is no field &#34;retired_field&#34;"
            in response.get_data(as_text=True))
    client.post(f"/approvals/{pending.id}", data={"decision": "reject", "reason": "stale"})
    session.expire_all()
    assert session.get(Campaign, pending.id).status is CampaignStatus.REJECTED
