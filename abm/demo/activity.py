"""The demo team's latest work, so that each demo user's inbox has news on first login.

Each notification comes from an event done through the service that raises it in use,
as the team would have done it after the analytics refresh: marketing sends two
campaigns for approval and a manager approves the first, the manager gives the alerts
of the refresh to the salesperson and a slipping key account to marketing, and the
morning's scan tells each assignee of the tasks due today. No notification is written
by hand: what the demo shows is what the product does.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.work import create_task, notify_tasks_due
from abm.analytics.models import AccountAnalytics, Alert, AlertKind, AlertStatus
from abm.campaigns.services import create_campaign, decide, request_approval
from abm.notifications.services import unread_count
from abm.users.models import User

# Approved by the manager: marketing learns of it.
WIN_BACK = {
    "name": "Come back: 10% off your next order", "kind": "win_back",
    "audience": {"rules": [{"field": "churn_state", "op": "eq", "value": "at_risk"}]},
    "offer": {"title": "10% off your next order", "discount_percent": 10},
}
# Still waiting: the managers' inbox asks for a decision.
VOLUME_BONUS = {
    "name": "Volume bonus for key partners", "kind": "volume_bonus",
    "audience": {"rules": [{"field": "key", "op": "eq", "value": True}]},
    "offer": {"title": "3% back on a year's purchases above €500,000",
              "bonus_percent": 3, "bonus_threshold": 500_000},
}
SALES_TASK = "Call about overdue invoice"
MARKETING_TASK = "Prepare a personalised offer"


def recent_activity(session: Session, users: dict[str, User], today: date) -> int:
    """Do the team's latest work through the services; each user's inbox gets its news.

    Args:
        users: the demo users by role.
        today: the demo's day (the tasks' due dates, the scan of the tasks due).

    Returns:
        How many notifications the demo users have unread now, the refresh's included.
    """
    marketing, manager = users["marketing"].id, users["manager"].id
    approved = _send_for_approval(session, marketing, WIN_BACK)
    decide(session, approved, manager, approve=True)  # settles the approvers' requests too
    _follow_up_alerts(session, manager, users["sales"].id, marketing, today)
    _send_for_approval(session, marketing, VOLUME_BONUS)
    notify_tasks_due(session, today)
    return sum(unread_count(session, user.id) for user in users.values())


def _send_for_approval(session: Session, user_id: int, campaign: dict) -> int:
    made = create_campaign(session, user_id=user_id, **campaign)
    request_approval(session, made.id, user_id=user_id)
    return made.id


def _follow_up_alerts(session: Session, manager: int, sales: int, marketing: int,
                      today: date) -> None:
    """The manager's tasks after the refresh: the salesperson calls about the largest
    overdue invoice alert, marketing prepares an offer for another key account in decline."""
    overdue = _alerted_account(session, AlertKind.OVERDUE_RECEIVABLE, owner_id=sales)
    if overdue is not None:
        create_task(session, account_id=overdue, creator_id=manager, title=SALES_TASK,
                    assignee_id=sales, due_on=today + timedelta(days=2))
    declining = _alerted_account(session, AlertKind.DECLINE_VS_PREVIOUS, besides=overdue)
    if declining is not None:
        create_task(session, account_id=declining, creator_id=manager, title=MARKETING_TASK,
                    assignee_id=marketing, due_on=today + timedelta(days=7))


def _alerted_account(session: Session, kind: AlertKind, *, owner_id: int | None = None,
                     besides: int | None = None) -> int | None:
    """The account with the largest revenue share among those with an open alert of ``kind``
    (of ``owner_id``'s accounts, other than ``besides``, when given)."""
    query = (select(Alert.account_id)
             .join(AccountAnalytics, AccountAnalytics.account_id == Alert.account_id)
             .where(Alert.kind == kind, Alert.status == AlertStatus.OPEN)
             .order_by(AccountAnalytics.share.desc(), Alert.account_id).limit(1))
    if owner_id is not None:
        query = query.where(Alert.owner_id == owner_id)
    if besides is not None:
        query = query.where(Alert.account_id != besides)
    return session.scalar(query)
