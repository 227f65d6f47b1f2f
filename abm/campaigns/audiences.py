"""Audiences: which accounts a campaign targets, and which of their contacts receive it.

An audience is plain JSON kept on the campaign::

    {"match": "all",                      # or "any": how the rules combine
     "rules": [{"field": "region", "op": "in", "value": ["North", "East"]},
               {"field": "category", "op": "in", "value": ["loyal"]}],
     "account_ids": [12, 40],             # hand-picked accounts, added to the matches
     "contact_roles": ["owner", "purchasing"],   # empty: every role
     "reachable_only": true,              # consent, address, not unsubscribed/bounced
     "occasion": {...}}                   # a greeting's holidays and dates: see occasions

Each rule field is an entry of :data:`FIELDS`: the type of its values, their
closed set where there is one, and a builder that turns (op, values) into a SQL
condition on ``accounts``; :mod:`abm.campaigns.audience_fields` registers them
with :func:`register_field`.

One validator serves the web, the API and the CLI: :func:`check_audience`
refuses an unknown field, an operator the field does not take, a value of the
wrong type or outside its set (a churn state "lost2", a segment that the latest
segmentation no longer has) with an :class:`AudienceError` that names the rule
and the reason. Evaluating an audience (:func:`account_condition`) checks its
shape and types only, so that a running campaign whose segment has since gone
matches nobody rather than failing in a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from abm.accounts.models import Account, Contact, ContactRole
from abm.campaigns.audience_errors import AudienceError, Where
from abm.campaigns.occasions import OccasionRule, check_occasion

OPS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte")
LIST_OPS = ("in", "not_in")
KINDS = ("bool", "int", "float", "text")
KEYS = ("match", "rules", "account_ids", "contact_roles", "reachable_only", "occasion")
MAX_VALUES = 1000
MAX_PICKED = 10_000
MAX_TEXT = 300
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Field:
    """A rule field.

    Attributes:
        kind: the type of its values: "bool", "int", "float" or "text".
        choices: the closed set of its values, when it is known in advance.
        options: the closed set of its values in the data, as (value, name), for fields
            whose values are rows (segments, users); checked when an audience is saved.
        exists: which of some values exist, for sets too big to list (accounts);
            default: those of ``options``.
        unknown: the reason (a key of :data:`REASONS`) of a value outside the set.
        bounds: the least and greatest number a "float" field takes.
        upper: the values are codes, compared in upper case.
    """

    name: str
    description: str
    ops: tuple[str, ...]
    build: Callable[[Session, str, object], ColumnElement[bool]]
    kind: str = "text"
    choices: tuple = ()
    options: Callable[[Session], list[tuple[object, str]]] | None = None
    exists: Callable[[Session, list], set] | None = None
    unknown: str = "unknown_value"
    bounds: tuple[float, float] | None = None
    upper: bool = False

    def existing(self, session: Session, values: list) -> set:
        """Those of ``values`` that exist in the data (for fields with a set in the data)."""
        if self.exists is not None:
            return self.exists(session, values)
        if self.options is None:
            raise TypeError(f"the field {self.name} has no set of values")
        return {value for value, _name in self.options(session)}


FIELDS: dict[str, Field] = {}


def register_field(name: str, description: str, ops: tuple[str, ...],
                   build: Callable[[Session, str, object], ColumnElement[bool]],
                   **value_spec) -> None:
    """Add (or replace) a rule field. ``build(session, op, value)`` returns a condition
    on :class:`~abm.accounts.models.Account`; ``value_spec`` are the other attributes
    of :class:`Field` (the kind of value and its set)."""
    assert set(ops) <= set(OPS) and value_spec.get("kind", "text") in KINDS
    FIELDS[name] = Field(name, description, ops, build, **value_spec)


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


def reachable_condition(contact=Contact):
    """Contacts that may receive marketing mail: consent, an address, not unsubscribed/bounced."""
    return and_(contact.marketing_consent.is_(True), contact.email.is_not(None),
                contact.email != "", contact.unsubscribed_at.is_(None),
                contact.bounced_at.is_(None))


def accounts_existing(session: Session, ids: list) -> set:
    """Those of ``ids`` that are accounts."""
    return set(session.scalars(select(Account.id).where(Account.id.in_(ids))))


def _fields() -> dict[str, Field]:
    import abm.campaigns.audience_fields  # noqa: F401 - registers the analytics fields

    return FIELDS


def _typed(field: Field, value: object, where: Where) -> object:
    """One value of a rule, checked against the field's type and its set known in advance."""
    kind = field.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise AudienceError("not_bool", value=value, **where)
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AudienceError("not_int" if kind == "int" else "not_number", value=value,
                                **where)
        if kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise AudienceError("not_int", value=value, **where)
            if not 1 <= value <= MAX_ID:  # no row has such an id
                raise AudienceError(field.unknown, value=value, **where)
            return int(value)
        low, high = field.bounds or (-1e12, 1e12)
        if not low <= value <= high:  # NaN included
            raise AudienceError("out_of_range", value=value, min=low, max=high, **where)
        return float(value)
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise AudienceError("not_text", value=value, max=MAX_TEXT, **where)
    value = value.strip().upper() if field.upper else value.strip()
    if not value:
        raise AudienceError("no_value", **where)
    if field.choices and value not in field.choices:
        allowed = field.choices if len(field.choices) <= 20 else ()
        raise AudienceError(field.unknown, value=value, allowed=list(allowed), **where)
    return value


def _rule(rule: object, number: int) -> tuple[Field, dict]:
    """A rule checked without the database: (its field, the rule with typed values)."""
    if not isinstance(rule, dict) or "field" not in rule or not set(rule) <= {
            "field", "op", "value"}:
        raise AudienceError("bad_rule", rule=number)
    name = rule["field"]
    field = _fields().get(name) if isinstance(name, str) else None
    if field is None:
        raise AudienceError("unknown_field", rule=number, value=name)
    where: Where = {"rule": number, "field": field.name}
    op = rule.get("op", "eq")
    if op not in field.ops:
        raise AudienceError("bad_op", value=op, allowed=list(field.ops), **where)
    value = rule.get("value")
    many = isinstance(value, list | tuple)
    if value is None or value == "" or (many and not value):
        raise AudienceError("no_value", **where)
    if many and op not in LIST_OPS:
        raise AudienceError("one_value", **where)
    if many and len(value) > MAX_VALUES:
        raise AudienceError("too_many", max=MAX_VALUES, **where)
    typed = [_typed(field, v, where) for v in (value if many else [value])]
    if op in LIST_OPS:
        return field, {"field": field.name, "op": op, "value": list(dict.fromkeys(typed))}
    return field, {"field": field.name, "op": op, "value": typed[0]}


def _roles(roles: object) -> list[str]:
    if not isinstance(roles, list | tuple) or not all(isinstance(r, str) for r in roles):
        raise AudienceError("bad_roles")
    known = [role.value for role in ContactRole]
    unknown = [r for r in roles if r not in known]
    if unknown:
        raise AudienceError("unknown_roles", value=unknown, allowed=list(known))
    return list(roles)


def _picked(ids: object) -> list[int]:
    if not isinstance(ids, list | tuple) or len(ids) > MAX_PICKED or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise AudienceError("bad_picked", max=MAX_PICKED)
    return [int(i) for i in ids]


def normalise_audience(audience: object) -> dict:
    """The audience with every rule checked for its field, operator and type of value, and
    values put in their stored form (codes in upper case, list operators with lists).

    Only the keys given are returned. The database is not read: a value that must
    exist in the data (a segment, a user, an account) is checked by :func:`check_audience`.

    Raises:
        AudienceError: the first fault, naming the rule and the reason.
    """
    if not isinstance(audience, dict):
        raise AudienceError("not_object")
    unknown = [k for k in audience if k not in KEYS]
    if unknown:
        raise AudienceError("unknown_key", value=unknown[0], allowed=list(KEYS))
    out = dict(audience)
    if "match" in audience and audience["match"] not in ("all", "any"):
        raise AudienceError("bad_match", value=audience["match"])
    rules = audience.get("rules") or []
    if not isinstance(rules, list | tuple) or len(rules) > 50:
        raise AudienceError("bad_rules", max=50)
    if "rules" in audience:
        out["rules"] = [_rule(rule, n)[1] for n, rule in enumerate(rules, start=1)]
    if "account_ids" in audience:
        out["account_ids"] = _picked(audience["account_ids"] or [])
    if "contact_roles" in audience:
        out["contact_roles"] = _roles(audience["contact_roles"] or [])
    if not isinstance(audience.get("reachable_only", True), bool):
        raise AudienceError("bad_reachable")
    if "occasion" in audience:
        out["occasion"] = OccasionRule.parse(audience["occasion"]).to_dict()
    return out


def check_audience(session: Session, audience: object) -> dict:
    """:func:`normalise_audience`, and every value that names a row (a segment of the
    latest segmentation, a user, an account) names one that exists.

    What web, API and CLI call before they store an audience, and what refuses to
    preview or schedule a campaign whose stored audience no longer holds.

    Raises:
        AudienceError: the first fault, naming the rule and the reason.
    """
    out = normalise_audience(audience)
    for number, rule in enumerate(out.get("rules") or [], start=1):
        field = FIELDS[rule["field"]]
        if field.options is None and field.exists is None:
            continue
        values = rule["value"] if isinstance(rule["value"], list) else [rule["value"]]
        known = field.existing(session, values)
        missing = [v for v in values if v not in known]
        if missing:
            raise AudienceError(field.unknown, rule=number, field=field.name, value=missing[0])
    picked = out.get("account_ids") or []
    if picked:
        missing = sorted(set(picked) - accounts_existing(session, picked))
        if missing:
            raise AudienceError("unknown_picked", value=missing[:10])
    if out.get("occasion"):
        check_occasion(session, out["occasion"])
    return out


def account_condition(session: Session, audience: dict) -> ColumnElement[bool]:
    """The SQL condition on accounts that an audience describes.

    Raises:
        AudienceError: see :func:`normalise_audience`.
    """
    audience = normalise_audience(audience)
    conditions = [FIELDS[rule["field"]].build(session, rule["op"], rule["value"])
                  for rule in audience.get("rules") or []]
    picked = audience.get("account_ids") or []
    if conditions:
        cond = and_(*conditions) if audience.get("match", "all") == "all" else or_(*conditions)
    else:
        cond = false() if picked else true()
    if picked:
        cond = or_(cond, Account.id.in_(picked))
    return cond


def contact_condition(audience: dict) -> ColumnElement[bool]:
    """Which contacts of the target accounts receive the campaign."""
    if not isinstance(audience, dict):
        raise AudienceError("not_object")
    roles = _roles(audience.get("contact_roles") or [])
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

    Raises:
        AudienceError: the audience does not hold (see :func:`check_audience`).
    """
    check_audience(session, audience)
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
        "unreachable": unreachable_counts(session, audience, cond),
    }


UNREACHABLE_REASONS = ("no_consent", "unsubscribed", "bounced", "invalid_address")


def unreachable_counts(session: Session, audience: dict,
                       accounts: ColumnElement[bool] | None = None) -> dict[str, int]:
    """How many contacts of the target accounts (of the chosen roles) marketing mail cannot
    reach, and why: {"total", "no_consent", "unsubscribed", "bounced", "invalid_address"}.

    A contact may have several reasons, so the reasons can add up to more than the total.
    """
    roles = _roles(audience.get("contact_roles") or [])
    no_address = or_(Contact.email.is_(None), Contact.email == "")
    reasons = {"no_consent": Contact.marketing_consent.is_not(True),
               "unsubscribed": Contact.unsubscribed_at.is_not(None),
               "bounced": Contact.bounced_at.is_not(None), "invalid_address": no_address}
    row = session.execute(
        select(func.count(), *(func.coalesce(func.sum(case((c, 1), else_=0)), 0)
                               for c in reasons.values()))
        .select_from(Contact).join(Account, Account.id == Contact.account_id)
        .where(account_condition(session, audience) if accounts is None else accounts,
               ~reachable_condition(), *([Contact.role.in_(roles)] if roles else []))).one()
    return {"total": row[0], **{k: int(v) for k, v in zip(reasons, row[1:], strict=True)}}


def describe_fields() -> list[dict]:
    """The rule fields: name, description, operators, kind of value and its set known in
    advance (``choices``; empty when open or read from the data)."""
    return [{"name": f.name, "description": f.description, "ops": list(f.ops), "kind": f.kind,
             "choices": list(f.choices)}
            for f in sorted(_fields().values(), key=lambda f: f.name)]


def field_options(session: Session, name: str) -> list[tuple[object, str]] | None:
    """The values a field takes, as (value, stored name), for a picker; None when open."""
    field = _fields()[name]
    if field.options is not None:
        return field.options(session)
    if field.choices:
        return [(value, value) for value in field.choices]
    return None
