"""Campaign results: delivery counts, engagement, and revenue uplift against the holdout group.

Orders are attributed to a campaign when they ship within the attribution
window after the campaign started. The uplift is the difference in mean
revenue per account between treated accounts (sent at least one message) and
held-out accounts (never contacted), with a Welch 95% confidence interval.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.campaigns.models import Campaign
from abm.campaigns.settings import CampaignSettings
from abm.delivery.models import (
    EventKind,
    HoldoutMember,
    OutboxMessage,
    OutboxState,
    TrackingEvent,
)
from abm.delivery.outbox import counts_by_state
from abm.sales.models import OrderLine
from abm.workspace.services import settings_of


@dataclass(frozen=True, slots=True)
class Uplift:
    """Mean revenue per account, reached (treated) against held out, their difference and
    its confidence interval; None where there are too few accounts to say."""

    treated_accounts: int
    held_out_accounts: int
    treated_mean: float | None
    held_out_mean: float | None
    uplift: float | None
    uplift_percent: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class Window:
    """The attribution window: orders shipped from ``start`` up to ``end`` (ISO dates)."""

    start: str
    end: str


@dataclass(frozen=True, slots=True)
class AccountResult:
    """One reached or held-out account: its group, revenue and orders in the window, and
    its messages sent, opened and clicked."""

    account_id: int
    name: str
    group: str
    revenue: float
    orders: int
    sent: int
    opened: int
    clicked: int


@dataclass(frozen=True, slots=True)
class CampaignResults:
    """Everything the results page shows about one campaign.

    Attributes:
        states: messages by outbox state.
        events: messages by what the contacts did (open, click, unsubscribe...).
        window: None before the campaign sent anything.
        orders: documents shipped in the window by ``treated`` and ``held_out`` accounts.
    """

    campaign_id: int
    states: dict[str, int]
    events: dict[str, int]
    window: Window | None
    orders: dict[str, int]
    uplift: Uplift
    accounts: list[AccountResult]


def uplift(treated: list[float], held: list[float], confidence: float = 0.95) -> Uplift:
    """Difference of means with a Welch confidence interval (None where undefined)."""
    def mean_var(xs):
        n = len(xs)
        mean = sum(xs) / n if n else None
        var = sum((x - mean) ** 2 for x in xs) / (n - 1) if n > 1 else None
        return n, mean, var

    nt, mt, vt = mean_var(treated)
    nh, mh, vh = mean_var(held)
    result = {"treated_accounts": nt, "held_out_accounts": nh,
              "treated_mean": _r(mt), "held_out_mean": _r(mh), "uplift": None,
              "uplift_percent": None, "ci_low": None, "ci_high": None}
    if mt is None or mh is None:
        return Uplift(**result)
    diff = mt - mh
    result["uplift"] = _r(diff)
    result["uplift_percent"] = _r(100 * diff / mh) if mh else None
    if vt is None or vh is None:
        return Uplift(**result)
    se2 = vt / nt + vh / nh
    if se2 == 0:
        result["ci_low"] = result["ci_high"] = _r(diff)
        return Uplift(**result)
    # Student's t quantile from scipy.special: scipy.stats costs a web process 0.6 s of
    # CPU to import on its first results page, scipy.special a quarter of that.
    from scipy.special import stdtrit

    dof = se2**2 / ((vt / nt) ** 2 / (nt - 1) + (vh / nh) ** 2 / (nh - 1))
    half = stdtrit(dof, 0.5 + confidence / 2) * math.sqrt(se2)
    result["ci_low"], result["ci_high"] = _r(diff - half), _r(diff + half)
    return Uplift(**result)


def _r(x):
    return None if x is None else round(float(x), 2)


def campaign_results(session: Session, campaign_id: int,
                     window_days: int | None = None) -> CampaignResults:
    """Everything the results page shows about one campaign (``window_days``: the
    attribution window; default: the setting)."""
    campaign = session.get_one(Campaign, campaign_id)  # the callers found it first
    days = window_days or settings_of(session, CampaignSettings).attribution_days
    om = OutboxMessage
    events = dict(session.execute(
        select(TrackingEvent.kind, func.count(distinct(TrackingEvent.outbox_id)))
        .where(TrackingEvent.campaign_id == campaign_id).group_by(TrackingEvent.kind)).all())
    per_account: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: {"sent": 0, "opened": 0, "clicked": 0})
    for account_id, n in session.execute(
            select(om.account_id, func.count()).where(om.campaign_id == campaign_id,
                                                      om.state == OutboxState.SENT)
            .group_by(om.account_id)):
        per_account[account_id]["sent"] = n
    for account_id, kind, n in session.execute(
            select(om.account_id, TrackingEvent.kind, func.count(distinct(om.id)))
            .join(TrackingEvent, TrackingEvent.outbox_id == om.id)
            .where(om.campaign_id == campaign_id,
                   TrackingEvent.kind.in_([EventKind.OPEN, EventKind.CLICK]))
            .group_by(om.account_id, TrackingEvent.kind)):
        per_account[account_id]["opened" if kind == EventKind.OPEN else "clicked"] = n
    treated = {a for a, v in per_account.items() if v["sent"]}
    held = set(session.scalars(select(HoldoutMember.account_id)
                               .where(HoldoutMember.campaign_id == campaign_id)))
    start = campaign.started_at or session.scalar(
        select(func.min(om.sent_at)).where(om.campaign_id == campaign_id))
    revenue: dict[int, float] = {}
    orders: dict[int, int] = {}
    window = None
    if start is not None:
        first, end = start.date(), start.date() + timedelta(days=days)
        window = Window(start=first.isoformat(), end=end.isoformat())
        ids = sorted(treated | held)
        for i in range(0, len(ids), 500):
            for account_id, total, documents in session.execute(
                    select(OrderLine.account_id, func.sum(OrderLine.revenue),
                           func.count(distinct(OrderLine.document)))
                    .where(OrderLine.account_id.in_(ids[i : i + 500]), OrderLine.date >= first,
                           OrderLine.date < end)
                    .group_by(OrderLine.account_id)):
                revenue[account_id], orders[account_id] = total, documents
    names = dict(session.execute(select(Account.id, Account.name).where(
        Account.id.in_(sorted(treated | held)))).all()) if treated | held else {}
    rows = [AccountResult(account_id=a, name=names.get(a, ""),
                          group="held_out" if a in held else "treated",
                          revenue=round(float(revenue.get(a) or 0), 2), orders=orders.get(a, 0),
                          **per_account[a])
            for a in sorted(treated | held)]
    return CampaignResults(
        campaign_id=campaign_id,
        states=counts_by_state(session, campaign_id),
        events={k.value: events.get(k, 0) for k in EventKind},
        window=window,
        orders={"treated": sum(orders.get(a, 0) for a in treated),
                "held_out": sum(orders.get(a, 0) for a in held)},
        uplift=uplift([float(revenue.get(a) or 0) for a in sorted(treated)],
                      [float(revenue.get(a) or 0) for a in sorted(held)]),
        accounts=rows,
    )
