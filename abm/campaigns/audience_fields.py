"""Audience rule fields over what analytics and segmentation store about accounts.

The tables are read only when a rule uses them, so that campaigns work on an
installation where analytics or segmentation has not run yet (the rule then
matches no account).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, or_, select

from abm.accounts.models import Account
from abm.campaigns.audiences import AudienceError, compare, register_field


def _analytics_flag(column_name: str):
    def build(_session, op, value):
        from abm.analytics.models import AccountAnalytics as AA

        flag = exists().where(AA.account_id == Account.id, getattr(AA, column_name).is_(True))
        return flag if bool(value) == (op == "eq") else ~flag

    return build


def _abc_xyz(_session, op, value):
    from abm.analytics.models import AccountAnalytics as AA

    cells = value if isinstance(value, list | tuple) else [value]
    if not all(isinstance(c, str) and len(c) == 2 for c in cells):
        raise AudienceError("abc_xyz cells are two letters such as 'AX' or 'CZ'")
    cell = exists().where(AA.account_id == Account.id, or_(*[
        and_(AA.abc == c[0].upper(), AA.xyz == c[1].upper()) for c in cells]))
    return cell if op == "in" else ~cell


def _churn_state(_session, op, value):
    from abm.analytics.models import ChurnState

    states = value if isinstance(value, list | tuple) else [value]
    has = exists().where(ChurnState.account_id == Account.id, ChurnState.state.in_(states))
    return has if op in ("in", "eq") else ~has


def _p_alive(_session, op, value):
    from abm.segments.models import AccountPotential as AP

    latest = select(func.max(AP.fit_id)).scalar_subquery()
    return exists().where(AP.account_id == Account.id, AP.fit_id == latest,
                          compare(AP.p_alive, op, float(value)))


def _segment(_session, op, value):
    from abm.segments.models import AccountSegment as AS

    ids = value if isinstance(value, list | tuple) else [value]
    latest = select(func.max(AS.run_id)).scalar_subquery()
    has = exists().where(AS.account_id == Account.id, AS.run_id == latest,
                         AS.segment_id.in_([int(i) for i in ids]))
    return has if op in ("in", "eq") else ~has


register_field("key", "Key account (analytics)", ("eq",), _analytics_flag("is_key"))
register_field("dependency", "Dependency risk (analytics)", ("eq",),
               _analytics_flag("dependency"))
register_field("near_key", "Near-key account (analytics)", ("eq",), _analytics_flag("near_key"))
register_field("abc_xyz", "ABC-XYZ cell such as AX (analytics)", ("in", "not_in"), _abc_xyz)
register_field("churn_state", "Churn state: active, at_risk, lost (analytics)",
               ("eq", "in", "not_in"), _churn_state)
register_field("p_alive", "Probability of being active, latest fit (segmentation)",
               ("lt", "lte", "gt", "gte"), _p_alive)
register_field("segment", "Segment id in the latest run (segmentation)", ("eq", "in", "not_in"),
               _segment)
