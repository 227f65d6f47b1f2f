"""Trigger scans: who enters a running win-back or greeting campaign today.

A trigger adds outbox rows with a ``step`` that names the occasion (the day,
or the year of a birthday), so the unique (campaign, contact, step) key makes
every scan idempotent: running it twice on a day adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, exists, extract, func, inspect, or_, select, text
from sqlalchemy.orm import Session

from abm.accounts.models import Account, Contact
from abm.accounts.settings import ContactSettings
from abm.campaigns.audiences import account_condition, contact_condition, recipients
from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode, Trigger
from abm.campaigns.occasions import OccasionRule, dates_on, holidays_on
from abm.campaigns.settings import CampaignSettings
from abm.delivery import outbox
from abm.delivery.models import OutboxMessage
from abm.sales.models import MonthlyAccountSales
from abm.workspace.services import settings_of


def _campaigns(session: Session, trigger: Trigger) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.schedule_mode == ScheduleMode.TRIGGER,
        Campaign.trigger == trigger).order_by(Campaign.id)))


def _at_risk_condition(session: Session, settings: CampaignSettings):
    """Accounts at risk or lost (analytics), or unlikely to be active (segmentation).

    Until analytics or segmentation has filled its table, an account that
    bought in the 12 months before the last 3, but not in those 3, is at risk.
    """
    conn = inspect(session.connection())
    conds = []
    if conn.has_table("churn_states") and _has_rows(session, "churn_states"):
        from abm.analytics.models import ChurnState

        conds.append(exists().where(ChurnState.account_id == Account.id,
                                    ChurnState.state.in_(["at_risk", "lost"])))
    if conn.has_table("account_potentials") and _has_rows(session, "account_potentials"):
        from abm.segments.models import AccountPotential as AP

        latest = select(func.max(AP.fit_id)).scalar_subquery()
        conds.append(exists().where(AP.account_id == Account.id, AP.fit_id == latest,
                                    AP.p_alive < settings.winback_p_alive))
    if conds:
        return or_(*conds)
    m = MonthlyAccountSales
    this_month = date.today().replace(day=1)
    recent = this_month - timedelta(days=92)
    year = this_month - timedelta(days=455)
    return and_(
        exists().where(m.account_id == Account.id, m.month >= year, m.month < recent,
                       m.revenue > 0),
        ~exists().where(m.account_id == Account.id, m.month >= recent, m.revenue > 0))


def _has_rows(session: Session, table: str) -> bool:
    """Whether analytics or segmentation has filled a table (it exists: checked before)."""
    return session.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None


def scan_win_back(session: Session, today: date) -> dict[int, int]:
    """Add today's at-risk accounts to each win-back campaign, once per window.

    Returns:
        {campaign_id: outbox rows added}
    """
    settings = settings_of(session, CampaignSettings)
    window = timedelta(days=settings.winback_window_days)
    at_risk = _at_risk_condition(session, settings)
    added = {}
    for campaign in _campaigns(session, Trigger.WIN_BACK):
        recent = select(OutboxMessage.account_id).where(
            OutboxMessage.campaign_id == campaign.id,
            OutboxMessage.created_at > datetime.combine(today - window, time(), UTC))
        ids = list(session.scalars(select(Account.id).where(
            account_condition(session, campaign.audience), at_risk,
            Account.id.not_in(recent))))
        found = recipients(session, campaign.audience, ids) if ids else []
        added[campaign.id] = outbox.fill_outbox(
            session, campaign.id, found, campaign.holdout_share, today.toordinal())["rows"]
    return added


def scan_greetings(session: Session, today: date) -> dict[int, int]:
    """Add today's birthdays, holidays and workspace dates to the greeting campaigns that
    wait for them."""
    added = {}
    for campaign in _campaigns(session, Trigger.BIRTHDAY):
        rule = OccasionRule.of(campaign.audience)
        days = [today.day] + ([29] if (today.month, today.day) == (2, 28) and not _leap(today)
                              else [])
        found = [(a, c) for a, c in session.execute(
            select(Contact.account_id, Contact.id).join(Account, Account.id == Contact.account_id)
            .where(account_condition(session, campaign.audience),
                   contact_condition(campaign.audience),
                   extract("month", Contact.birthday) == today.month,
                   extract("day", Contact.birthday).in_(days),
                   *([Account.country.in_(rule.countries)] if rule.countries else []),
                   *([Contact.gender == rule.gender] if rule.gender else []))
            .order_by(Contact.account_id, Contact.id))]
        added[campaign.id] = outbox.fill_outbox(
            session, campaign.id, found, campaign.holdout_share, today.year)["rows"]
    by_gender = settings_of(session, ContactSettings).greetings_by_gender
    step = today.year * 10000 + today.month * 100 + today.day
    for campaign in _campaigns(session, Trigger.HOLIDAY):
        found = holiday_recipients(session, campaign.audience, today, by_gender=by_gender)
        added[campaign.id] = outbox.fill_outbox(
            session, campaign.id, found, campaign.holdout_share, step)["rows"]
    return added


def holiday_recipients(session: Session, audience: dict, today: date, *,
                       by_gender: bool = False) -> list[tuple[int, int]]:
    """(account_id, contact_id) greeted today by a holiday campaign of this audience.

    Per country of the target accounts, the holidays the campaign greets on that
    begin today; then the workspace dates it chose that fall today (an account's
    date to that account only). A gendered holiday (see
    :mod:`abm.campaigns.occasions`) goes only to its gender where the workspace
    targets on it.
    """
    rule = OccasionRule.of(audience)
    accounts = account_condition(session, audience)
    contacts = [contact_condition(audience)]
    if rule.gender is not None:
        contacts.append(Contact.gender == rule.gender)
    found: dict[int, tuple[int, int]] = {}

    def add(*where) -> None:
        stmt = (select(Contact.account_id, Contact.id)
                .join(Account, Account.id == Contact.account_id)
                .where(accounts, *contacts, *where))
        for a, c in session.execute(stmt):
            found.setdefault(c, (a, c))

    countries = session.scalars(select(Account.country).distinct().where(
        accounts, Account.country.is_not(None)))
    for country in countries:
        if not rule.covers(country):
            continue
        greeted = [h for h in holidays_on(country, today) if rule.wants(h)]
        if not greeted:
            continue
        genders = {h.gender for h in greeted}
        gender = genders.pop() if by_gender and len(genders) == 1 else None
        add(Account.country == country, *([Contact.gender == gender] if gender else []))
    for greeting in dates_on(session, rule.dates, today):
        add(*([Account.id == greeting.account_id] if greeting.account_id else []),
            *([Account.country.in_(rule.countries)] if rule.countries else []))
    return sorted(found.values())


def _leap(day: date) -> bool:
    y = day.year
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
