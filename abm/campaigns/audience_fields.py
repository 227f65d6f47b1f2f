"""The audience rule fields: what accounts, their contacts, analytics and segmentation store.

Tables of analytics and segmentation are read only when a rule uses them: on an
installation where they have not run yet such a rule matches no account (and a
segment rule cannot be saved: there is no segment to name).
"""

from __future__ import annotations

from itertools import product

from babel import Locale
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from abm.accounts.models import (
    Account,
    AccountCategory,
    AccountKind,
    Category,
    Contact,
    ContactRole,
)
from abm.analytics.models import AccountAnalytics as AA
from abm.analytics.models import ChurnState, ChurnStateKind
from abm.campaigns.audiences import (
    LIST_OPS,
    accounts_existing,
    compare,
    reachable_condition,
    register_field,
)
from abm.loyalty.models import MembershipStatus
from abm.loyalty.services import account_ids_with_status, account_ids_with_tier, programmes
from abm.segments.models import AccountPotential as AP
from abm.segments.models import AccountSegment as AS
from abm.segments.models import RunSegment, SegmentationRun
from abm.users.models import User

ABC_XYZ_CELLS = tuple(a + x for a, x in product("ABC", "XYZ"))
# Babel's territories that are countries (and Kosovo), not groupings or placeholders.
COUNTRIES = tuple(sorted(code for code in Locale("en").territories
                         if isinstance(code, str) and len(code) == 2 and code.isalpha()
                         and code not in {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}))


def _column_field(column):
    return lambda _session, op, value: compare(column, op, value)


def _category(_session, op, value):
    values = value if isinstance(value, list | tuple) else [value]
    has = exists().where(AccountCategory.account_id == Account.id,
                         AccountCategory.category.in_(values))
    return has if op in ("in", "eq") else ~has


# Account rules about contacts use an alias, so that they stay self-contained
# subqueries when the outer query selects contacts too.
def _contact_role(_session, op, value):
    values = value if isinstance(value, list | tuple) else [value]
    other = aliased(Contact)
    has = exists().where(other.account_id == Account.id, other.role.in_(values))
    return has if op in ("in", "eq") else ~has


def _reachable(_session, op, value):
    other = aliased(Contact)
    has = exists().where(other.account_id == Account.id, reachable_condition(other))
    return has if bool(value) == (op == "eq") else ~has


def _users(session: Session) -> list[tuple[int, str]]:
    return [(i, name) for i, name in session.execute(
        select(User.id, User.name).order_by(User.name, User.id))]


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def _loyalty_member(_session, op, value):
    has = Account.id.in_(account_ids_with_status(MembershipStatus.MEMBER))
    return has if bool(value) == (op == "eq") else ~has


def _loyalty_status(_session, op, value):
    states = value if isinstance(value, list | tuple) else [value]
    has = or_(*[Account.id.in_(account_ids_with_status(s)) for s in states])
    return has if op in ("in", "eq") else ~has


def _loyalty_programme(_session, op, value):
    ids = value if isinstance(value, list | tuple) else [value]
    has = or_(*[Account.id.in_(account_ids_with_status(MembershipStatus.MEMBER, int(i)))
                for i in ids])
    return has if op in ("in", "eq") else ~has


def _loyalty_tier(_session, op, value):
    names = value if isinstance(value, list | tuple) else [value]
    has = Account.id.in_(account_ids_with_tier([str(n) for n in names]))
    return has if op in ("in", "eq") else ~has


def _programmes(session: Session) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in programmes(session)]


_EQ_IN = ("eq", "ne", "in", "not_in")
register_field("kind", "Customer or prospect", _EQ_IN, _column_field(Account.kind),
               choices=_values(AccountKind))
register_field("region", "Region", _EQ_IN, _column_field(Account.region))
register_field("country", "Country", _EQ_IN, _column_field(Account.country),
               choices=COUNTRIES, unknown="unknown_country", upper=True)
register_field("industry", "Industry", _EQ_IN, _column_field(Account.industry))
register_field("city", "City", _EQ_IN, _column_field(Account.city))
register_field("owner", "Owner (KAM)", _EQ_IN, _column_field(Account.owner_id), kind="int",
               options=_users, unknown="unknown_user")
register_field("loyalty_member", "Member of the loyalty programme", ("eq",),
               _loyalty_member, kind="bool")
register_field("loyalty_status", "Loyalty programme: invited, member or left", LIST_OPS,
               _loyalty_status, choices=_values(MembershipStatus))
register_field("loyalty_programme", "Member of a loyalty programme", LIST_OPS,
               _loyalty_programme, kind="int", options=_programmes, unknown="unknown_programme")
register_field("loyalty_tier", "Loyalty tier (members)", LIST_OPS, _loyalty_tier)
register_field("account", "Hand-picked accounts (ids)", LIST_OPS, _column_field(Account.id),
               kind="int", exists=accounts_existing, unknown="unknown_account")
register_field("category", "Qualitative category", LIST_OPS, _category,
               choices=_values(Category))
register_field("contact_role", "Has a contact with a decision-making role", LIST_OPS,
               _contact_role, choices=_values(ContactRole))
register_field("has_reachable_contact", "Has a contact who may receive marketing mail",
               ("eq",), _reachable, kind="bool")


def _analytics_flag(column_name: str):
    def build(_session, op, value):
        flag = exists().where(AA.account_id == Account.id, getattr(AA, column_name).is_(True))
        return flag if bool(value) == (op == "eq") else ~flag

    return build


def _abc_xyz(_session, op, value):
    cells = value if isinstance(value, list | tuple) else [value]
    cell = exists().where(AA.account_id == Account.id, or_(*[
        and_(AA.abc == c[0], AA.xyz == c[1]) for c in cells]))
    return cell if op == "in" else ~cell


def _churn_state(_session, op, value):
    states = value if isinstance(value, list | tuple) else [value]
    has = exists().where(ChurnState.account_id == Account.id, ChurnState.state.in_(states))
    return has if op in ("in", "eq") else ~has


def _p_alive(_session, op, value):
    latest = select(func.max(AP.fit_id)).scalar_subquery()
    return exists().where(AP.account_id == Account.id, AP.fit_id == latest,
                          compare(AP.p_alive, op, float(value)))


def _segment(_session, op, value):
    ids = value if isinstance(value, list | tuple) else [value]
    latest = select(func.max(AS.run_id)).scalar_subquery()
    has = exists().where(AS.account_id == Account.id, AS.run_id == latest,
                         AS.segment_id.in_([int(i) for i in ids]))
    return has if op in ("in", "eq") else ~has


def latest_segments(session) -> list[tuple[int, str]]:
    """(segment id, name) of the latest segmentation run, in the run's order."""
    latest = select(func.max(SegmentationRun.id)).scalar_subquery()
    return [(i, name) for i, name in session.execute(
        select(RunSegment.segment_id, RunSegment.name).where(RunSegment.run_id == latest)
        .order_by(RunSegment.label))]


register_field("key", "Key account (analytics)", ("eq",), _analytics_flag("is_key"),
               kind="bool")
register_field("dependency", "Dependency risk (analytics)", ("eq",),
               _analytics_flag("dependency"), kind="bool")
register_field("near_key", "Near-key account (analytics)", ("eq",), _analytics_flag("near_key"),
               kind="bool")
register_field("abc_xyz", "ABC-XYZ cell (analytics)", ("in", "not_in"), _abc_xyz,
               choices=ABC_XYZ_CELLS, upper=True)
register_field("churn_state", "Churn state (analytics)", ("eq", "in", "not_in"), _churn_state,
               choices=tuple(s.value for s in ChurnStateKind))
register_field("p_alive", "Probability of being active, latest fit (segmentation)",
               ("lt", "lte", "gt", "gte"), _p_alive, kind="float", bounds=(0.0, 1.0))
register_field("segment", "Segment in the latest run (segmentation)", ("eq", "in", "not_in"),
               _segment, kind="int", options=latest_segments, unknown="unknown_segment")
