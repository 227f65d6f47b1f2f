"""Alerts: raised once per cause, worked through open -> acknowledged -> resolved, with history.

Conditions that describe a state (a product not bought, terms not reviewed, an
invoice unpaid, silence) resolve themselves when the state ends. Conditions
that describe an event (a month without shipments, a decline) stay until a
person resolves them: someone has to find the cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from abm.accounts.models import Account
from abm.analytics.competitors import MONITORED_BECAUSE, competitor_prospects, competitor_silence
from abm.analytics.concentration import AccountShare, Concentration
from abm.analytics.models import Alert, AlertEvent, AlertKind, AlertStatus
from abm.analytics.monitoring import Finding, Monitored, find_conditions, monitored_accounts
from abm.analytics.settings import AnalyticsSettings
from abm.analytics.wording import alert_text
from abm.db import utcnow
from abm.notifications.models import NotificationKind
from abm.notifications.services import notify
from abm.workspace.refusals import N_, Refusal
from abm.workspace.services import settings_of

SELF_RESOLVING = {AlertKind.WHITE_SPACE, AlertKind.TERMS_REVIEW_DUE,
                  AlertKind.OVERDUE_RECEIVABLE, AlertKind.NO_INTERACTION, AlertKind.NO_VISIT,
                  AlertKind.COMPETITOR_SILENCE}


class AlertError(Refusal):
    """An unknown alert, or a change its status does not allow (worded for the user from its
    ``template``, a ``status`` by its display name)."""


@dataclass(frozen=True, slots=True)
class AlertHistoryEntry:
    """A step of an alert's life: raised, acknowledged, assigned, resolved, reopened."""

    at: str | None
    action: str
    status: str
    user_id: int | None
    owner_id: int | None
    note: str | None


@dataclass(frozen=True, slots=True)
class AlertView:
    """An alert as the pages, the API and the command line show it (times in ISO).

    ``external_id`` and ``account_name`` are there when the alert was read in a list.
    """

    id: int
    account_id: int
    kind: str
    cause: str
    status: str
    owner_id: int | None
    message: str  # in English; pages word it in the reader's language (abm.analytics.wording)
    details: dict[str, Any] | None
    raised_at: str | None
    resolved_at: str | None
    history: list[AlertHistoryEntry]
    external_id: str | None = None
    account_name: str | None = None


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """What a run of the alert conditions did: accounts monitored, alerts raised and
    resolved, and how many are open after it."""

    monitored: int
    raised: int
    resolved: int
    open: int


@dataclass(frozen=True, slots=True)
class AlertsRefreshed(AlertCounts):
    """The counts, and the near-key accounts found on the way (with their reasons)."""

    near_key: list[AccountShare]

    def counts(self) -> AlertCounts:
        return AlertCounts(**{f.name: getattr(self, f.name) for f in fields(AlertCounts)})


def refresh_alerts(
    session: Session, *, today: date | None = None, conc: Concentration | None = None
) -> AlertsRefreshed:
    """Raise the alerts whose conditions hold and resolve the self-resolving ones that ended.

    An alert is never raised twice for the same (account, kind, cause), even
    after it was resolved. The caller commits.
    """
    return store_alerts(session, scan_alerts(session, today=today or date.today(), conc=conc))


@dataclass(frozen=True, slots=True)
class AlertScan:
    """The monitored accounts and the conditions found on them (see :func:`scan_alerts`);
    ``prospects`` are the competitors' key clients watched beside the key accounts."""

    monitored: Monitored
    findings: list[Finding]
    prospects: dict[int, str | None] = field(default_factory=dict)

    def watched(self) -> dict[int, list[str]]:
        """Every account watched (id -> why), key accounts first."""
        return {**{a: [MONITORED_BECAUSE] for a in self.prospects}, **self.monitored.key}


def scan_alerts(session: Session, *, today: date, conc: Concentration | None = None) -> AlertScan:
    """Find the monitored accounts and the alert conditions that hold on them; writes nothing."""
    settings = settings_of(session, AnalyticsSettings)
    monitored = monitored_accounts(session, today=today, settings=settings, conc=conc)
    findings = find_conditions(session, sorted(monitored.key), today=today,
                               settings=settings)
    prospects = {a: c for a, c in competitor_prospects(session).items()
                 if a not in monitored.key}
    findings += competitor_silence(session, prospects, today=today,
                                   days=settings.competitor_silence_days)
    return AlertScan(monitored=monitored, findings=findings, prospects=prospects)


def store_alerts(session: Session, scan: AlertScan) -> AlertsRefreshed:
    """Raise and resolve alerts by what :func:`scan_alerts` found; the caller commits."""
    monitored, findings, watched = scan.monitored, scan.findings, scan.watched()
    ids = sorted(watched)
    existing = {(a.account_id, a.kind, a.cause): a for a in session.scalars(
        select(Alert).where(Alert.account_id.in_(ids))
    )} if ids else {}
    owners = dict(session.execute(
        select(Account.id, Account.owner_id).where(Account.id.in_(ids))
    ).all()) if ids else {}
    holding = set()
    raised = 0
    raised_for: dict[int, int] = {}
    for f in findings:
        key = (f.account_id, f.kind, f.cause)
        holding.add(key)
        if key in existing:
            continue
        alert = Alert(account_id=f.account_id, kind=f.kind, cause=f.cause,
                      details=f.details | {"monitored_because": watched[f.account_id]},
                      status=AlertStatus.OPEN, owner_id=owners.get(f.account_id))
        alert.events.append(AlertEvent(action="raised", status=AlertStatus.OPEN,
                                       owner_id=alert.owner_id, note=""))
        session.add(alert)
        existing[key] = alert
        raised += 1
        if alert.owner_id is not None:
            raised_for[alert.owner_id] = raised_for.get(alert.owner_id, 0) + 1
    resolved = 0
    for key, alert in existing.items():
        if (alert.status != AlertStatus.RESOLVED and alert.kind in SELF_RESOLVING
                and key not in holding and alert.id is not None):
            _change(alert, "cleared", AlertStatus.RESOLVED, None, "")
            resolved += 1
    session.flush()
    for owner_id, count in raised_for.items():
        notify(session, owner_id, NotificationKind.ALERTS_RAISED, {"count": count})
    open_count = sum(1 for a in existing.values() if a.status != AlertStatus.RESOLVED)
    return AlertsRefreshed(monitored=len(ids), raised=raised, resolved=resolved, open=open_count,
                           near_key=monitored.near_key)


def _change(alert: Alert, action: str, status: AlertStatus, user_id: int | None,
            note: str) -> None:
    alert.status = status
    alert.updated_at = utcnow()
    alert.resolved_at = utcnow() if status == AlertStatus.RESOLVED else None
    alert.events.append(AlertEvent(action=action, status=status, owner_id=alert.owner_id,
                                   user_id=user_id, note=note))


def _get(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertError.worded(N_("no alert %(id)s"), id=alert_id)
    return alert


def alert_account_id(session: Session, alert_id: int) -> int | None:
    """The account an alert is about (None: no such alert), for checking who may change it."""
    return session.scalar(select(Alert.account_id).where(Alert.id == alert_id))


def acknowledge_alert(session: Session, alert_id: int, *, user_id: int | None = None,
                      note: str = "") -> AlertView:
    """Mark an open alert as seen and being worked on."""
    alert = _get(session, alert_id)
    if alert.status != AlertStatus.OPEN:
        raise AlertError.worded(N_("alert %(id)s is %(status)s, not open"), id=alert_id,
                                status=alert.status.value)
    _change(alert, "acknowledged", AlertStatus.ACKNOWLEDGED, user_id, note)
    session.flush()
    return alert_view(alert)


def resolve_alert(session: Session, alert_id: int, *, user_id: int | None = None,
                  note: str = "") -> AlertView:
    """Close an alert; its cause will not raise it again."""
    alert = _get(session, alert_id)
    if alert.status == AlertStatus.RESOLVED:
        raise AlertError.worded(N_("alert %(id)s is resolved already"), id=alert_id)
    _change(alert, "resolved", AlertStatus.RESOLVED, user_id, note)
    session.flush()
    return alert_view(alert)


def reopen_alert(session: Session, alert_id: int, *, user_id: int | None = None,
                 note: str = "") -> AlertView:
    """Open a resolved alert again (it was closed too early)."""
    alert = _get(session, alert_id)
    if alert.status != AlertStatus.RESOLVED:
        raise AlertError.worded(N_("alert %(id)s is not resolved"), id=alert_id)
    _change(alert, "reopened", AlertStatus.OPEN, user_id, note)
    session.flush()
    return alert_view(alert)


def assign_alert(session: Session, alert_id: int, owner_id: int | None, *,
                 user_id: int | None = None, note: str = "") -> AlertView:
    """Give an alert to another owner (None: nobody)."""
    alert = _get(session, alert_id)
    alert.owner_id = owner_id
    _change(alert, "assigned", alert.status, user_id, note)
    session.flush()
    return alert_view(alert)


def alert_view(alert: Alert, account: tuple[str | None, str] | None = None) -> AlertView:
    """The alert and its history; ``account`` is its (external id, name) when at hand."""
    external_id, account_name = account if account is not None else (None, None)
    return AlertView(
        id=alert.id, account_id=alert.account_id, kind=str(alert.kind), cause=alert.cause,
        status=str(alert.status), owner_id=alert.owner_id,
        message=alert_text(str(alert.kind), alert.details),
        details=alert.details,
        raised_at=alert.raised_at.isoformat() if alert.raised_at else None,
        resolved_at=alert.resolved_at.isoformat() if alert.resolved_at else None,
        history=[AlertHistoryEntry(at=e.at.isoformat() if e.at else None, action=e.action,
                                   status=str(e.status), user_id=e.user_id,
                                   owner_id=e.owner_id, note=e.note) for e in alert.events],
        external_id=external_id, account_name=account_name,
    )


def list_alerts(
    session: Session,
    *,
    status: str | Sequence[str] | None = ("open", "acknowledged"),
    account_id: int | None = None,
    owner_id: int | None = None,
    kind: str | None = None,
    limit: int = 500,
    visible: ColumnElement[bool] | None = None,
) -> list[AlertView]:
    """Alerts, newest first, with their history (default: those not resolved).

    ``visible`` is a condition on :class:`Account` (a viewer's visibility clause).
    """
    stmt = (select(Alert, Account.external_id, Account.name)
            .join(Account, Account.id == Alert.account_id)
            .options(selectinload(Alert.events))
            .order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit))
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        stmt = stmt.where(Alert.status.in_([AlertStatus(s) for s in statuses]))
    if account_id is not None:
        stmt = stmt.where(Alert.account_id == account_id)
    if owner_id is not None:
        stmt = stmt.where(Alert.owner_id == owner_id)
    if kind is not None:
        stmt = stmt.where(Alert.kind == AlertKind(kind))
    if visible is not None:
        stmt = stmt.where(visible)
    return [alert_view(alert, (ext, name)) for alert, ext, name in session.execute(stmt)]
