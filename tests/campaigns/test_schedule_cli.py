"""``abm campaign schedule`` and ``cancel``: times with an offset or in the workspace time zone,
rescheduling, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime

from rq.registry import ScheduledJobRegistry

from abm.campaigns import services
from abm.campaigns.jobs import QUEUE
from abm.campaigns.models import Campaign, CampaignStatus
from abm.cli import cli
from abm.queue import get_redis
from abm.settings.services import update_settings
from abm.workspace.settings import WorkspaceSettings


def _campaign(session, make_accounts) -> int:
    make_accounts(2)
    campaign = services.create_campaign(session, name="Later", kind="promotion")
    session.commit()
    return campaign.id


def _schedule(runner, campaign_id: int, *args: str):
    return runner.invoke(cli, args=["campaign", "schedule", str(campaign_id), *args])


def test_scheduling_at_a_later_time_exits_0_and_waits_in_the_scheduler(
        app, runner, session, make_accounts):
    update_settings(session, WorkspaceSettings, time_zone="Europe/Moscow")
    campaign_id = _campaign(session, make_accounts)
    result = _schedule(runner, campaign_id, "--at", "2999-03-01 10:00")
    assert result.exit_code == 0, result.output
    assert "at 2999-03-01T10:00:00+03:00 (Europe/Moscow)" in result.output
    session.expire_all()
    campaign = session.get(Campaign, campaign_id)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_at == datetime(2999, 3, 1, 7, 0, tzinfo=UTC)
    registry = ScheduledJobRegistry(queue=get_redis(app).queue(QUEUE))
    assert registry.get_job_ids() == [campaign.start_job_id]


def test_scheduling_again_reschedules(app, runner, session, make_accounts):
    campaign_id = _campaign(session, make_accounts)
    assert _schedule(runner, campaign_id, "--at", "2999-03-01T10:00+00:00").exit_code == 0
    again = _schedule(runner, campaign_id, "--at", "2999-04-01T10:00+02:00")
    assert again.exit_code == 0, again.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).scheduled_at == datetime(2999, 4, 1, 8, 0,
                                                                         tzinfo=UTC)
    assert ScheduledJobRegistry(queue=get_redis(app).queue(QUEUE)).count == 1


def test_a_time_in_the_past_or_not_a_time_is_a_clear_error_with_exit_code_2(
        runner, session, make_accounts):
    campaign_id = _campaign(session, make_accounts)
    past = _schedule(runner, campaign_id, "--at", "2020-01-01T09:00+00:00")
    assert past.exit_code == 2 and "is in the past" in past.output
    garbled = _schedule(runner, campaign_id, "--at", "next tuesday")
    assert garbled.exit_code == 2 and "not an ISO 8601 time" in garbled.output
    assert "Traceback" not in past.output + garbled.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).status == CampaignStatus.DRAFT


def test_cancel_withdraws_a_later_schedule(app, runner, session, make_accounts):
    campaign_id = _campaign(session, make_accounts)
    _schedule(runner, campaign_id, "--at", "2999-03-01T10:00+00:00")
    result = runner.invoke(cli, args=["campaign", "cancel", str(campaign_id)])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).status == CampaignStatus.CANCELLED
    assert ScheduledJobRegistry(queue=get_redis(app).queue(QUEUE)).count == 0
    again = runner.invoke(cli, args=["campaign", "cancel", str(campaign_id)])
    assert again.exit_code == 2 and "cannot be cancelled" in again.output
