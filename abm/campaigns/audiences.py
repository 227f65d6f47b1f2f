"""Audiences: which accounts a campaign targets, and which of their contacts receive it.

An audience is plain JSON kept on the campaign::

    {"match": "all",                      # or "any": how the rules combine
     "rules": [{"field": "region", "op": "in", "value": ["North", "East"]},
               {"field": "category", "op": "in", "value": ["loyal"]}],
     "account_ids": [12, 40],             # hand-picked accounts, added to the matches
     "contact_roles": ["owner", "purchasing"],   # empty: every role
     "reachable_only": true}              # consent, address, not unsubscribed/bounced

Each rule field is an entry of :data:`FIELDS`, a builder that turns
(op, value) into a SQL condition on ``accounts``. Other domains add fields with
:func:`register_field` (see :mod:`abm.campaigns.audience_fields` for the
analytics and segmentation ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from abm.accounts.models import Account, AccountCategory, Contact, ContactRole

OPS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte")


class AudienceError(ValueError):
    """An audience that cannot be evaluated: unknown field, operator or value."""


@dataclass(frozen=True)
class Field:
    name: str
    description: str
    ops: tuple[str, ...]
    build: Callable[[Session, str, object], ColumnElement[bool]]


FIELDS: dict[str, Field] = {}


def register_field(name: str, description: str, ops: tuple[str, ...],
                   build: Callable[[Session, str, object], ColumnElement[bool]]) -> None:
    """Add (or replace) a rule field. ``build(session, op, value)`` returns a condition
    on :class:`~abm.accounts.models.Account`."""
    FIELDS[name] = Field(name, description, ops, build)


def compare(column, op: str, value) -> ColumnElement[bool]:
    """The condition ``column <op> value`` for the operators of :data:`OPS`."""
    if op in ("in", "not_in"):
        values = value if isinstance(value, list | tuple) else [value]
        cond = column.in_(values)
        return cond if op == "in" else or_(column.is_(None), ~cond)
    if op == "ne":
        return or_(column.is_(None), column != value)
    return {"eq": column.__eq__, "lt": column.__lt__, "lte": column.__le__,
            "gt": column.__gt__, "gte": column.__ge__}[op](value)


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


def reachable_condition(contact=Contact):
    """Contacts that may receive marketing mail: consent, an address, not unsubscribed/bounced."""
    return and_(contact.marketing_consent.is_(True), contact.email.is_not(None),
                contact.email != "", contact.unsubscribed_at.is_(None),
                contact.bounced_at.is_(None))


def _reachable(_session, op, value):
    other = aliased(Contact)
    has = exists().where(other.account_id == Account.id, reachable_condition(other))
    return has if bool(value) == (op == "eq") else ~has


_EQ_IN = ("eq", "ne", "in", "not_in")
register_field("kind", "Customer or prospect", _EQ_IN, _column_field(Account.kind))
register_field("region", "Region", _EQ_IN, _column_field(Account.region))
register_field("country", "Country (ISO code)", _EQ_IN, _column_field(Account.country))
register_field("industry", "Industry", _EQ_IN, _column_field(Account.industry))
register_field("city", "City", _EQ_IN, _column_field(Account.city))
register_field("owner", "Owner (KAM) user id", _EQ_IN, _column_field(Account.owner_id))
register_field("loyalty_member", "Member of the loyalty programme", ("eq",),
               _column_field(Account.loyalty_member))
register_field("account", "Hand-picked accounts (ids)", ("in", "not_in"),
               _column_field(Account.id))
register_field("category", "Qualitative category", ("in", "not_in"), _category)
register_field("contact_role", "Has a contact with a decision-making role", ("in", "not_in"),
               _contact_role)
register_field("has_reachable_contact", "Has a contact who may receive marketing mail",
               ("eq",), _reachable)


def account_condition(session: Session, audience: dict) -> ColumnElement[bool]:
    """The SQL condition on accounts that an audience describes.

    Raises:
        AudienceError: an unknown field or operator, or a malformed audience.
    """
    import abm.campaigns.audience_fields  # noqa: F401 - registers analytics fields

    if not isinstance(audience, dict):
        raise AudienceError("the audience must be a JSON object")
    match = audience.get("match", "all")
    if match not in ("all", "any"):
        raise AudienceError(f"match must be 'all' or 'any', not {match!r}")
    conditions = []
    for rule in audience.get("rules") or []:
        try:
            name, op, value = rule["field"], rule.get("op", "eq"), rule.get("value")
        except (TypeError, KeyError):
            raise AudienceError(f"a rule needs a field, an op and a value: {rule!r}") from None
        field = FIELDS.get(name)
        if field is None:
            raise AudienceError(f"unknown audience field {name!r}; known: "
                                f"{', '.join(sorted(FIELDS))}")
        if op not in field.ops:
            raise AudienceError(f"{name}: operator {op!r} is not one of {', '.join(field.ops)}")
        conditions.append(field.build(session, op, value))
    picked = [int(i) for i in audience.get("account_ids") or []]
    if conditions:
        cond = and_(*conditions) if match == "all" else or_(*conditions)
    else:
        cond = false() if picked else true()
    if picked:
        cond = or_(cond, Account.id.in_(picked))
    return cond


def contact_condition(audience: dict) -> ColumnElement[bool]:
    """Which contacts of the target accounts receive the campaign."""
    roles = audience.get("contact_roles") or []
    known = {r.value for r in ContactRole}
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise AudienceError(f"unknown contact roles: {', '.join(unknown)}")
    conds = [Contact.role.in_(roles)] if roles else []
    if audience.get("reachable_only", True):
        conds.append(reachable_condition())
    return and_(true(), *conds)


def target_account_ids(session: Session, audience: dict) -> list[int]:
    """Ids of the accounts the audience matches, ascending."""
    return list(session.scalars(
        select(Account.id).where(account_condition(session, audience)).order_by(Account.id)))


def recipients(session: Session, audience: dict, account_ids: list[int] | None = None
               ) -> list[tuple[int, int]]:
    """(account_id, contact_id) of every contact that receives the campaign."""
    stmt = (select(Contact.account_id, Contact.id)
            .join(Account, Account.id == Contact.account_id)
            .where(account_condition(session, audience), contact_condition(audience))
            .order_by(Contact.account_id, Contact.id))
    if account_ids is not None:
        stmt = stmt.where(Contact.account_id.in_(account_ids))
    return [(a, c) for a, c in session.execute(stmt)]


def preview_audience(session: Session, audience: dict, sample: int = 20) -> dict:
    """Counts before anything is scheduled, and a sample of the matching accounts.

    Returns:
        {"accounts", "accounts_with_recipients", "contacts", "by_role": {role: n},
         "sample": [{"id", "name", "contacts"}]}
    """
    cond, ccond = account_condition(session, audience), contact_condition(audience)
    accounts = session.scalar(select(func.count()).select_from(Account).where(cond))
    per_role = dict(session.execute(
        select(Contact.role, func.count()).join(Account, Account.id == Contact.account_id)
        .where(cond, ccond).group_by(Contact.role)).all())
    per_account = (
        select(Account.id, Account.name, func.count(Contact.id).label("n"))
        .join(Contact, Contact.account_id == Account.id).where(cond, ccond)
        .group_by(Account.id, Account.name))
    with_recipients = session.scalar(select(func.count()).select_from(per_account.subquery()))
    rows = session.execute(per_account.order_by(Account.name, Account.id).limit(sample))
    return {
        "accounts": accounts,
        "accounts_with_recipients": with_recipients,
        "contacts": sum(per_role.values()),
        "by_role": {role.value: n for role, n in per_role.items()},
        "sample": [{"id": i, "name": name, "contacts": n} for i, name, n in rows],
    }


def describe_fields() -> list[dict]:
    """The rule fields an audience editor offers: name, description and operators."""
    import abm.campaigns.audience_fields  # noqa: F401

    return [{"name": f.name, "description": f.description, "ops": list(f.ops)}
            for f in sorted(FIELDS.values(), key=lambda f: f.name)]
