from datetime import date

from sqlalchemy import func, select

from abm.campaigns import services, triggers
from abm.delivery.models import OutboxMessage


def _trigger_campaign(session, trigger, kind="greeting"):
    campaign = services.create_campaign(session, name=trigger, kind=kind, holdout_share=0)
    services.schedule_campaign(session, campaign.id, mode="trigger", trigger=trigger)
    return campaign


def _rows(session, campaign):
    return session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.campaign_id == campaign.id))


def test_birthdays_enter_the_greeting_campaign_once_a_year(session, make_accounts):
    account = make_accounts(1, contacts=2)[0]
    account.contacts[0].birthday = date(1980, 3, 14)
    session.flush()
    campaign = _trigger_campaign(session, "birthday")
    assert triggers.scan_greetings(session, date(2026, 3, 14)) == {campaign.id: 1}
    assert triggers.scan_greetings(session, date(2026, 3, 14)) == {campaign.id: 0}
    assert triggers.scan_greetings(session, date(2027, 3, 14)) == {campaign.id: 1}


def test_silent_accounts_enter_win_back_once_per_window(session, make_accounts, sales):
    quiet, busy = make_accounts(2, contacts=1)
    this_month = date.today().replace(day=1)

    def months_ago(n):
        index = this_month.year * 12 + this_month.month - 1 - n
        return date(index // 12, index % 12 + 1, 1)

    sales(quiet, {"A": 100.0}, months_ago(8))
    sales(busy, {"A": 100.0}, months_ago(8))
    sales(busy, {"A": 100.0}, months_ago(1))
    campaign = _trigger_campaign(session, "win_back", kind="win_back")
    today = date.today()
    assert triggers.scan_win_back(session, today) == {campaign.id: 1}
    assert triggers.scan_win_back(session, today.replace(day=1)
                                  if today.day > 1 else today) == {campaign.id: 0}
