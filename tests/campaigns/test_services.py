from datetime import UTC, datetime, timedelta

import pytest

from abm.campaigns import services
from abm.campaigns.models import CampaignStatus, Decision
from abm.campaigns.rendering import RenderError
from abm.delivery.outbox import choose_holdout


def _campaign(session, kind="personal_offer", offer=None, **kw):
    return services.create_campaign(session, name="Test", kind=kind, offer=offer or {}, **kw)


def test_a_new_campaign_gets_the_default_templates_in_every_language(session):
    campaign = _campaign(session)
    assert sorted(t.language for t in campaign.templates) == ["en", "ru"]
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.parametrize("kind", ["volume_bonus", "individual_terms"])
def test_bonuses_and_individual_terms_need_approval_before_scheduling(session, kind):
    campaign = _campaign(session, kind=kind)
    with pytest.raises(services.CampaignError, match="approval"):
        services.schedule_campaign(session, campaign.id)


def test_a_discount_above_the_threshold_needs_approval(session):
    campaign = _campaign(session, offer={"discount_percent": 15})
    assert [r.text() for r in services.approval_reasons(session, campaign)] == [
        "a discount of 15% is above the 0% threshold"]


def test_a_plain_offer_schedules_without_approval(session):
    campaign = _campaign(session, kind="promotion")
    services.schedule_campaign(session, campaign.id)
    assert campaign.status == CampaignStatus.SCHEDULED


def test_a_manager_approval_is_recorded_and_allows_scheduling(session, users):
    campaign = _campaign(session, kind="volume_bonus")
    services.request_approval(session, campaign.id)
    decision = services.decide(session, campaign.id, users["manager"].id, approve=True,
                               reason="margin allows it")
    assert (decision.decision, decision.user_id, decision.reason) == (
        Decision.APPROVED, users["manager"].id, "margin allows it")
    assert decision.decided_at is not None
    services.schedule_campaign(session, campaign.id)
    assert campaign.status == CampaignStatus.SCHEDULED


def test_only_managers_and_admins_approve(session, users):
    campaign = _campaign(session, kind="volume_bonus")
    with pytest.raises(services.CampaignError, match="manager"):
        services.decide(session, campaign.id, users["marketing"].id, approve=True)


def test_a_rejection_needs_a_reason_and_blocks_scheduling(session, users):
    campaign = _campaign(session, kind="individual_terms")
    with pytest.raises(services.CampaignError, match="reason"):
        services.decide(session, campaign.id, users["manager"].id, approve=False)
    services.decide(session, campaign.id, users["manager"].id, approve=False, reason="too low")
    with pytest.raises(services.CampaignError):
        services.schedule_campaign(session, campaign.id)


def test_changing_the_offer_withdraws_an_approval(session, users):
    campaign = _campaign(session, kind="volume_bonus")
    services.decide(session, campaign.id, users["manager"].id, approve=True)
    services.update_campaign(session, campaign.id, offer={"discount_percent": 40})
    assert campaign.status == CampaignStatus.DRAFT


def test_editing_the_template_withdraws_an_approval(session, users):
    campaign = _campaign(session, kind="volume_bonus")
    services.decide(session, campaign.id, users["manager"].id, approve=True)
    services.save_template(session, campaign.id, "en", "Same terms?", "<p>Other terms</p>", "t")
    assert campaign.status == CampaignStatus.DRAFT
    with pytest.raises(services.CampaignError, match="approval"):
        services.schedule_campaign(session, campaign.id)


def test_saving_an_unchanged_template_keeps_the_approval(session, users):
    campaign = _campaign(session, kind="volume_bonus")
    services.decide(session, campaign.id, users["manager"].id, approve=True)
    stored = next(t for t in campaign.templates if t.language == "en")
    services.save_template(session, campaign.id, "en", stored.subject, stored.html, stored.text)
    assert campaign.status == CampaignStatus.APPROVED


def test_the_templates_of_a_scheduled_campaign_cannot_change(session):
    campaign = _campaign(session, kind="promotion")
    services.schedule_campaign(session, campaign.id)
    with pytest.raises(services.CampaignError, match="scheduled"):
        services.save_template(session, campaign.id, "en", "Hi", "<p>changed</p>", "t")


def test_scheduling_at_a_time_needs_the_time_and_reads_a_naive_one_in_the_workspace_zone(
        session):
    campaign = _campaign(session, kind="promotion")
    with pytest.raises(services.ScheduleError, match="time is required"):
        services.schedule_campaign(session, campaign.id, mode="at", at=None)
    services.schedule_campaign(session, campaign.id, mode="at", at=datetime(2999, 1, 1))
    assert campaign.scheduled_at == datetime(2999, 1, 1, tzinfo=UTC)  # the default zone: UTC
    at = datetime.now(UTC) + timedelta(days=1)
    services.schedule_campaign(session, campaign.id, mode="at", at=at)
    assert campaign.scheduled_at == at


def test_a_broken_template_is_not_saved(session):
    campaign = _campaign(session)
    with pytest.raises(RenderError):
        services.save_template(session, campaign.id, "en", "Hi", "{{ account.__class__ }}", "t")


def test_the_preview_renders_for_a_real_account(session, make_accounts, sales):
    from datetime import date

    account = make_accounts(1)[0]
    other = make_accounts(1)[0]
    this_month = date.today().replace(day=1)
    last = date(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1, 1)
    sales(account, {"A1": 500.0}, last, top=("T1",))
    sales(other, {"T1": 50.0}, last, top=("T1",))
    campaign = _campaign(session, offer={"title": "Spring prices"})
    message = services.preview_message(session, campaign.id, account.id)
    assert "Spring prices" in message["text"]
    assert "Product A1" in message["text"]  # bought most
    assert "Product T1" in message["text"]  # top assortment it does not buy yet
    assert message["contact_id"] == account.contacts[0].id


def test_the_holdout_is_ten_percent_and_stable_per_campaign():
    accounts = range(1, 201)
    first = choose_holdout(7, accounts, 0.1)
    assert len(first) == 20
    assert choose_holdout(7, reversed(accounts), 0.1) == first
    assert choose_holdout(8, accounts, 0.1) != first
