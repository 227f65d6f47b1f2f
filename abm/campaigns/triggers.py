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
from abm.campaigns.audiences import account_condition, contact_condition, recipients
from abm.campaigns.models import Campaign, CampaignStatus, ScheduleMode, Trigger
from abm.campaigns.settings import CampaignSettings
from abm.delivery import outbox
from abm.delivery.models import OutboxMessage
from abm.sales.models import MonthlyAccountSales
from abm.workspace.services import settings_of

# (month, day): (names by language, countries; None = every country)
HOLIDAYS: dict[tuple[int, int], tuple[dict[str, str], frozenset[str] | None]] = {
    (1, 1): ({"en": "New Year", "ru": "Новый год"}, None),
    (1, 7): ({"en": "Christmas", "ru": "Рождество Христово"},
             frozenset({"RU", "BY", "RS", "GE", "UA", "KZ", "ME"})),
    (12, 25): ({"en": "Christmas", "ru": "Рождество"},
               frozenset({"IS", "GB", "US", "DE", "FR", "FI", "SE", "NO", "DK", "PL", "NL", "IT",
                          "ES", "EE", "LV", "LT", "IE", "AT", "CH", "BE", "CZ", "CA"})),
    (3, 8): ({"en": "International Women's Day", "ru": "8 Марта"},
             frozenset({"RU", "BY", "UA", "KZ", "UZ", "KG", "AM", "GE", "AZ", "MD", "TJ"})),
}


def _campaigns(session: Session, trigger: Trigger) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.schedule_mode == ScheduleMode.TRIGGER,
        Campaign.trigger == trigger).order_by(Campaign.id)))


def occasion(step: int, country: str | None, language: str) -> str | None:
    """The holiday a holiday-greeting row (step = yyyymmdd) is for, in a language."""
    names, countries = HOLIDAYS.get(((step // 100) % 100, step % 100), (None, None))
    if names is None or (countries is not None and (country or "").upper() not in countries):
        return None
    return names.get(language, names["en"])


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
    """Add today's birthdays and holidays to the greeting campaigns that wait for them."""
    added = {}
    for campaign in _campaigns(session, Trigger.BIRTHDAY):
        days = [today.day] + ([29] if (today.month, today.day) == (2, 28) and not _leap(today)
                              else [])
        found = [(a, c) for a, c in session.execute(
            select(Contact.account_id, Contact.id).join(Account, Account.id == Contact.account_id)
            .where(account_condition(session, campaign.audience),
                   contact_condition(campaign.audience),
                   extract("month", Contact.birthday) == today.month,
                   extract("day", Contact.birthday).in_(days))
            .order_by(Contact.account_id, Contact.id))]
        added[campaign.id] = outbox.fill_outbox(
            session, campaign.id, found, campaign.holdout_share, today.year)["rows"]
    holiday = HOLIDAYS.get((today.month, today.day))
    for campaign in _campaigns(session, Trigger.HOLIDAY) if holiday else []:
        countries = holiday[1]
        ids = list(session.scalars(select(Account.id).where(
            account_condition(session, campaign.audience),
            Account.country.in_(countries) if countries is not None else Account.id.is_not(None))))
        found = recipients(session, campaign.audience, ids) if ids else []
        step = today.year * 10000 + today.month * 100 + today.day
        added[campaign.id] = outbox.fill_outbox(
            session, campaign.id, found, campaign.holdout_share, step)["rows"]
    return added


def _leap(day: date) -> bool:
    y = day.year
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
