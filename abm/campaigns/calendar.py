"""The campaign calendar: a month of scheduled and sent campaigns, by day, with audience sizes.

Days are those of the workspace time zone. A campaign scheduled for a time
shows on that day with the recipients its audience has now; one that started
sending shows on the day it started, with the messages in its outbox and how
many went. Trigger campaigns, which send a little every day, are left out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact
from abm.campaigns.audiences import AudienceError, account_condition, contact_condition
from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode
from abm.delivery.models import OutboxMessage, OutboxState
from abm.workspace.refusals import N_, Refusal


@dataclass(frozen=True)
class CalendarEntry:
    """One campaign on one day: scheduled (``sent`` is None) or started sending."""

    id: int
    name: str
    kind: str
    status: str
    at: datetime  # UTC
    audience: int | None  # recipients (scheduled: its audience now; started: its outbox)
    sent: int | None = None


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass(frozen=True)
class CalendarMonth:
    month: date  # its first day
    weeks: list[list[CalendarDay]]
    previous: date
    next: date

    @property
    def entries(self) -> list[CalendarEntry]:
        return [e for week in self.weeks for d in week if d.in_month for e in d.entries]


def parse_month(text: str | None, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (this month when empty).

    Raises:
        Refusal: not a month between 1900 and 2999, with what was given (a ValueError).
    """
    if not text:
        return today.replace(day=1)
    try:
        month = date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        raise Refusal.worded(N_("%(month)s is not a month such as 2026-05"),
                             month=repr(text)) from None
    if not 1900 <= month.year <= 2999:
        raise Refusal.worded(N_("%(month)s is not a month between 1900 and 2999"),
                             month=repr(text))
    return month


def campaign_calendar(session: Session, month: date, zone: ZoneInfo,
                      first_weekday: int = 0) -> CalendarMonth:
    """The weeks of ``month`` (whole weeks, ``first_weekday`` 0 = Monday) with their campaigns.

    Args:
        zone: the workspace time zone, whose days the campaigns are placed on.
    """
    days = calendar.Calendar(first_weekday).monthdatescalendar(month.year, month.month)
    start = datetime.combine(days[0][0], time(), zone)
    end = datetime.combine(days[-1][-1] + timedelta(days=1), time(), zone)
    by_day: dict[date, CalendarDay] = {d: CalendarDay(d, d.month == month.month)
                                       for week in days for d in week}
    for entry in _scheduled(session, start, end) + _started(session, start, end):
        by_day[entry.at.astimezone(zone).date()].entries.append(entry)
    for day in by_day.values():
        day.entries.sort(key=lambda e: (e.at, e.id))
    following = (month + timedelta(days=32)).replace(day=1)
    return CalendarMonth(month, [[by_day[d] for d in week] for week in days],
                         (month - timedelta(days=1)).replace(day=1), following)


def _scheduled(session: Session, start: datetime, end: datetime) -> list[CalendarEntry]:
    campaigns = session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.SCHEDULED,
        Campaign.schedule_mode.in_((ScheduleMode.AT, ScheduleMode.NOW)),
        Campaign.scheduled_at >= start, Campaign.scheduled_at < end)).all()
    return [CalendarEntry(c.id, c.name, c.kind.value, c.status.value, c.scheduled_at,
                          audience_size(session, c.audience))
            for c in campaigns if c.scheduled_at is not None]  # always, by the query


def _started(session: Session, start: datetime, end: datetime) -> list[CalendarEntry]:
    campaigns = session.scalars(select(Campaign).where(
        Campaign.started_at >= start, Campaign.started_at < end,
        Campaign.schedule_mode != ScheduleMode.TRIGGER)).all()
    if not campaigns:
        return []
    om = OutboxMessage  # counted in the (campaign, state) index, for these campaigns only
    counts = {cid: (n, int(sent or 0)) for cid, n, sent in session.execute(
        select(om.campaign_id, func.count(),
               func.sum(case((om.state == OutboxState.SENT, 1), else_=0)))
        .where(om.campaign_id.in_([c.id for c in campaigns])).group_by(om.campaign_id))}
    return [CalendarEntry(c.id, c.name, c.kind.value, c.status.value, c.started_at,
                          *counts.get(c.id, (0, 0)))
            for c in campaigns if c.started_at is not None]  # always, by the query


def audience_size(session: Session, audience: dict) -> int | None:
    """The recipients an audience reaches now (None if it can no longer be evaluated)."""
    try:
        cond, ccond = account_condition(session, audience), contact_condition(audience)
    except AudienceError:
        return None
    return session.scalar(select(func.count()).select_from(Contact)
                          .join(Account, Account.id == Contact.account_id).where(cond, ccond))
