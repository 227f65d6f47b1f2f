"""The managers' approvals inbox."""

import pytest

from abm.campaigns.models import Campaign, CampaignStatus
from abm.campaigns.services import create_campaign, request_approval


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
    assert "volume bonuses need management approval" in page


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
