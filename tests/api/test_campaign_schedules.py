"""Scheduling through the API: ISO 8601 times with their offset (or in the workspace time
zone), rescheduling, cancelling, and the send window of a campaign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rq.registry import ScheduledJobRegistry

from abm.campaigns.jobs import QUEUE
from abm.campaigns.models import Campaign
from abm.queue import get_redis
from abm.runs.models import JobRun
from abm.settings.services import update_settings
from abm.workspace.settings import WorkspaceSettings
from tests.api.test_campaigns import _create


def _registry(app) -> ScheduledJobRegistry:
    return ScheduledJobRegistry(queue=get_redis(app).queue(QUEUE))


def _schedule(api, campaign_id, **body):
    return api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule",
                                     json={"mode": "at", **body})


def test_scheduling_in_the_future_answers_200_and_waits_in_the_scheduler(
        app, api, session, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    response = _schedule(api, campaign_id, at=at.astimezone(ZoneInfo("Asia/Tokyo")).isoformat())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["campaign"]["status"] == "scheduled"
    assert datetime.fromisoformat(body["campaign"]["scheduled_at"]) == at
    assert _registry(app).get_job_ids() == [body["run_id"]]
    assert session.get(JobRun, body["run_id"]).kind == "campaign.start"


def test_a_time_without_an_offset_is_in_the_workspace_time_zone(api, session, book, reachable):
    update_settings(session, WorkspaceSettings, time_zone="Europe/Moscow")
    session.commit()
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = _schedule(api, campaign_id, at="2999-01-15T09:00:00")
    assert response.status_code == 200, response.get_json()
    assert datetime.fromisoformat(response.get_json()["campaign"]["scheduled_at"]) == \
        datetime(2999, 1, 15, 6, 0, tzinfo=UTC)


def test_a_time_in_the_past_is_422_with_the_reason(api, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = _schedule(api, campaign_id, at="2020-01-01T09:00:00+00:00")
    assert response.status_code == 422
    assert "is in the past" in response.get_json()["message"]


def test_rescheduling_answers_a_new_run_and_withdraws_the_old_job(app, api, session, book,
                                                                   reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    first = _schedule(api, campaign_id, at="2999-01-15T09:00:00+00:00").get_json()["run_id"]
    again = _schedule(api, campaign_id, at="2999-02-15T09:00:00+00:00")
    assert again.status_code == 200
    second = again.get_json()["run_id"]
    assert second != first and _registry(app).get_job_ids() == [second]
    assert again.get_json()["campaign"]["scheduled_at"].startswith("2999-02-15T09:00")
    cancelled = api.as_("marketing").post(f"/campaigns/{campaign_id}/cancel")
    assert cancelled.status_code == 200 and _registry(app).count == 0


def test_a_send_window_is_set_read_and_checked(api, session, book):
    created = _create(api, account_id=book["own"].id, send_window={
        "start": "09:30", "end": "17:00", "days": [1, 2, 3, 4, 5]})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["send_window"] == {"start": "09:30", "end": "17:00", "days": [1, 2, 3, 4, 5],
                                   "holidays": True}
    wrong = api.as_("marketing").patch(f"/campaigns/{body['id']}", json={
        "send_window": {"start": "18:00", "end": "09:00"}})
    assert wrong.status_code == 422
    assert "must end after it starts" in wrong.get_json()["message"]
    bad_day = api.as_("marketing").patch(f"/campaigns/{body['id']}", json={
        "send_window": {"days": [0]}})
    assert bad_day.status_code == 422
    cleared = api.as_("marketing").patch(f"/campaigns/{body['id']}", json={"send_window": None})
    assert cleared.status_code == 200 and cleared.get_json()["send_window"] is None
    assert session.get(Campaign, body["id"]).send_window is None
