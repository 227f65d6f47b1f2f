"""Scheduling from the campaign page in the workspace time zone, rescheduling and cancelling,
the send window, the capped counts, and the campaign calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq.registry import ScheduledJobRegistry

from abm.accounts.models import Contact
from abm.campaigns.jobs import QUEUE
from abm.campaigns.models import CampaignStatus, ScheduleMode
from abm.campaigns.services import create_campaign
from abm.delivery.models import OutboxMessage, OutboxReason, OutboxState
from abm.queue import get_redis
from abm.settings.services import update_settings
from abm.workspace.services import workspace_zone
from abm.workspace.settings import WorkspaceSettings

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def moscow(session):
    update_settings(session, WorkspaceSettings, time_zone="Europe/Moscow")
    session.commit()


@pytest.fixture
def campaign(session, users, book):
    session.add(Contact(account_id=book["own"].id, name="Ivan Owner", email="ivan@own.test",
                        marketing_consent=True))
    made = create_campaign(session, name="Autumn offer", kind="promotion", holdout_share=0,
                           audience={"account_ids": [book["own"].id]})
    session.commit()
    return made


def _tomorrow_at(hour: int) -> datetime:
    """Tomorrow at ``hour``:00, Moscow time, without an offset (as the form posts it)."""
    day = datetime.now(MOSCOW).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0)


def _registry(app) -> ScheduledJobRegistry:
    return ScheduledJobRegistry(queue=get_redis(app).queue(QUEUE))


def test_a_time_entered_on_the_page_is_in_the_workspace_zone_and_stored_in_utc(
        app, client, login, session, campaign, moscow):
    login("marketing")
    local = _tomorrow_at(10)
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "at", "at": local.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.SCHEDULED
    assert campaign.scheduled_at == local.replace(tzinfo=MOSCOW).astimezone(UTC)
    assert _registry(app).get_job_ids() == [campaign.start_job_id]
    page = client.get(response.location).get_data(as_text=True)
    assert "10:00" in page and "Europe/Moscow" in page  # shown in the zone it was entered in
    assert 'http-equiv="refresh"' not in page  # nothing to watch until then


def test_a_scheduled_campaign_shows_its_time_to_change_and_is_rescheduled(
        app, client, login, session, campaign, moscow):
    login("marketing")
    first = _tomorrow_at(10)
    client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "at", "at": first.strftime("%Y-%m-%dT%H:%M")})
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'value="{first:%Y-%m-%dT%H:%M}"' in page and "Reschedule" in page
    old_job = campaign.start_job_id
    second = _tomorrow_at(15)
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "at", "at": second.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    session.refresh(campaign)
    assert campaign.scheduled_at == second.replace(tzinfo=MOSCOW).astimezone(UTC)
    assert _registry(app).get_job_ids() == [campaign.start_job_id] != [old_job]


def test_a_time_in_the_past_is_refused_with_the_reason(client, login, session, campaign, moscow):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "at", "at": "2020-01-01T09:00"}, follow_redirects=True)
    assert response.status_code == 200
    assert "2020-01-01 09:00 (Europe/Moscow) is in the past" in response.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT


def test_cancelling_a_scheduled_campaign_withdraws_its_start(app, client, login, session,
                                                             campaign):
    login("manager")
    client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "at", "at": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert _registry(app).count == 1
    assert client.post(f"/campaigns/{campaign.id}/cancel").status_code == 302
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.CANCELLED and _registry(app).count == 0


def test_the_send_window_is_saved_from_the_page(client, login, session, campaign):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/window", data={
        "limited": "y", "start": "08:30", "end": "17:00", "days": ["1", "2", "3"],
        "holidays": "y"})
    assert response.status_code == 302
    session.refresh(campaign)
    assert campaign.send_window == {"start": "08:30", "end": "17:00", "days": [1, 2, 3],
                                    "holidays": True}
    client.post(f"/campaigns/{campaign.id}/window", data={"start": "08:30", "end": "17:00"})
    session.refresh(campaign)
    assert campaign.send_window is None


def test_a_window_that_ends_before_it_starts_is_refused_and_nothing_saved(
        client, login, session, campaign):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/window", data={
        "limited": "y", "start": "18:00", "end": "09:00", "days": ["1"]}, follow_redirects=True)
    assert "the window must end after it starts" in response.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.send_window is None


def test_the_window_is_read_back_in_russian(client, login, session, campaign):
    campaign.send_window = {"start": "09:00", "end": "18:00", "days": [1, 5], "holidays": True}
    campaign.status = CampaignStatus.SCHEDULED
    session.commit()
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Окно отправки" in page and "пн, пт" in page


def test_the_campaign_page_counts_capped_messages_by_cap(client, login, session, campaign,
                                                         book):
    contact = session.query(Contact).filter_by(email="ivan@own.test").one()
    session.add_all([
        OutboxMessage(campaign_id=campaign.id, contact_id=contact.id, account_id=book["own"].id,
                      state=OutboxState.CAPPED, reason=OutboxReason.CONTACT_CAP),
        OutboxMessage(campaign_id=campaign.id, contact_id=contact.id, account_id=book["own"].id,
                      step=1, state=OutboxState.CAPPED, reason=OutboxReason.ACCOUNT_CAP)])
    campaign.status = CampaignStatus.DONE
    session.commit()
    login("marketing")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    capped = page[page.index('id="unsent-list-capped"'):]
    assert 'id="unsent-capped" data-count="2"' in page
    assert "Over the contact&#39;s frequency cap" in capped
    assert "Over the account&#39;s frequency cap" in capped


def test_the_calendar_shows_scheduled_and_sent_campaigns_by_day_with_audience_sizes(
        client, login, session, campaign, book, moscow):
    at = datetime(2031, 3, 14, 21, 30, tzinfo=UTC)  # 15 March, 00:30 in Moscow
    campaign.status, campaign.schedule_mode, campaign.scheduled_at = \
        CampaignStatus.SCHEDULED, ScheduleMode.AT, at
    sent = create_campaign(session, name="Spring sale", kind="promotion")
    sent.status, sent.schedule_mode = CampaignStatus.DONE, ScheduleMode.NOW
    sent.started_at = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
    session.flush()
    contact = session.query(Contact).filter_by(email="ivan@own.test").one()
    session.add_all([
        OutboxMessage(campaign_id=sent.id, contact_id=contact.id, account_id=book["own"].id,
                      state=OutboxState.SENT, sent_at=sent.started_at),
        OutboxMessage(campaign_id=sent.id, contact_id=contact.id, account_id=book["own"].id,
                      step=1, state=OutboxState.BOUNCED)])
    session.commit()
    login("manager")
    assert 'id="calendar-link"' in client.get("/campaigns/").get_data(as_text=True)
    page = client.get("/campaigns/calendar?month=2031-03").get_data(as_text=True)
    day_15 = page.split('data-day="2031-03-15"')[1].split("</td>")[0]
    assert "Autumn offer" in day_15 and "1 recipient" in day_15  # Ivan: Olga gave no consent
    day_3 = page.split('data-day="2031-03-03"')[1].split("</td>")[0]
    assert "Spring sale" in day_3 and "1 of 2 sent" in day_3
    assert 'data-day="2031-03-14"' in page and "Autumn offer" not in page.split(
        'data-day="2031-03-14"')[1].split("</td>")[0]


def test_the_calendar_refuses_a_month_that_is_not_one(client, login):
    login("marketing")
    response = client.get("/campaigns/calendar?month=2031-13")
    assert response.status_code == 400
    assert "is not a month such as 2026-05" in response.get_data(as_text=True)


def test_the_calendar_speaks_russian_and_is_closed_to_sales(client, login):
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/campaigns/calendar?month=2031-03").get_data(as_text=True)
    assert "Календарь кампаний" in page and "пн" in page
    client.post("/logout")
    login("sales")
    assert client.get("/campaigns/calendar").status_code == 403


def test_the_workspace_time_zone_is_validated_on_the_settings_page(client, login, session):
    from tests.web.test_settings_page import _form

    TIME_ZONE = WorkspaceSettings.key("time_zone")

    login("admin")
    refused = client.post("/admin/settings/", data=_form(**{TIME_ZONE: "Mars/Olympus"}))
    assert refused.status_code == 422
    assert "is not a time zone name such as Europe/Moscow" in refused.get_data(as_text=True)
    saved = client.post("/admin/settings/", data=_form(**{TIME_ZONE: "Asia/Yekaterinburg"}))
    assert saved.status_code == 302
    session.expire_all()
    assert workspace_zone(session) == ZoneInfo("Asia/Yekaterinburg")


def test_an_interaction_time_is_entered_in_the_workspace_zone_too(client, login, session, book,
                                                                  moscow):
    from sqlalchemy import select

    from abm.accounts.models import Interaction

    login("sales")
    client.post(f"/accounts/{book['own'].id}/interactions", data={
        "interaction-kind": "visit", "interaction-occurred_at": "2026-11-20T10:30"})
    logged = session.scalar(select(Interaction).where(Interaction.account_id == book["own"].id))
    assert logged.occurred_at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
