"""The audience editor's side of audiences: what each rule field takes, and text input to rules.

A form sends every rule as two strings, an operator and a value; this module
turns them into the audience JSON that :mod:`abm.campaigns.audiences` evaluates
(and back), with messages a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.campaigns.audiences import (
    FIELDS,
    AudienceError,
    Field,
    account_condition,
    contact_condition,
    describe_fields,
)

LIST_OPS = ("in", "not_in")
INT_FIELDS = frozenset({"owner", "account", "segment"})
MAX_PICKED = 1000


def value_kind(field: Field) -> str:
    """What a field's value is: "bool", "int", "float" or "text"."""
    if field.ops == ("eq",):
        return "bool"
    if field.name in INT_FIELDS:
        return "int"
    if set(field.ops) <= {"lt", "lte", "gt", "gte"}:
        return "float"
    return "text"


def editor_fields() -> list[dict]:
    """The rule fields the editor offers: name, description, ops and the kind of value."""
    return [{**f, "kind": value_kind(FIELDS[f["name"]])} for f in describe_fields()]


def parse_value(field: Field, op: str, raw: str) -> object:
    """The typed value of a rule from its text (lists are comma-separated).

    Raises:
        AudienceError: empty, or not a number where one is needed.
    """
    raw = raw.strip()
    if not raw:
        raise AudienceError(f"{field.name}: a value is needed")
    kind = value_kind(field)
    if kind == "bool":
        return raw.lower() in ("yes", "true", "1")
    items = [p.strip() for p in raw.split(",") if p.strip()] if op in LIST_OPS else [raw]
    convert = {"int": int, "float": float, "text": str}[kind]
    try:
        values = [convert(item) for item in items]
    except ValueError:
        what = "whole numbers" if kind == "int" else "numbers"
        raise AudienceError(f"{field.name}: {raw!r} is not made of {what}") from None
    return values if op in LIST_OPS else values[0]


def resolve_accounts(session: Session, text: str) -> list[int]:
    """Account ids from external ids or ids, separated by commas, semicolons or lines.

    Raises:
        AudienceError: a reference matches no account, or there are too many.
    """
    refs = list(dict.fromkeys(r.strip() for r in re.split(r"[,;\n]+", text) if r.strip()))
    if not refs:
        return []
    if len(refs) > MAX_PICKED:
        raise AudienceError(f"at most {MAX_PICKED} hand-picked accounts")
    numbers = [int(r) for r in refs if r.isdigit()]
    found = session.execute(select(Account.id, Account.external_id).where(
        or_(Account.external_id.in_(refs), Account.id.in_(numbers))))
    by_ref: dict[str, int] = {}
    for account_id, external_id in found:
        by_ref.setdefault(str(account_id), account_id)
        if external_id:
            by_ref[external_id] = account_id  # an external id wins over an equal number
    unknown = [r for r in refs if r not in by_ref]
    if unknown:
        raise AudienceError(f"no account with the id or external id {', '.join(unknown[:10])}")
    return sorted({by_ref[r] for r in refs})


def audience_from_form(session: Session, *, match: str, rules: Mapping[str, tuple[str, str]],
                       picked: str, roles: list[str], reachable_only: bool) -> dict:
    """The audience JSON of the editor's input, checked as the campaign would use it.

    Args:
        rules: {field name: (operator, value text)}; an empty operator leaves the field out.
        picked: hand-picked accounts, see :func:`resolve_accounts`.

    Raises:
        AudienceError: what is wrong, naming the field.
    """
    built = []
    for name, (op, raw) in rules.items():
        if not op:
            continue
        field = FIELDS.get(name)
        if field is None:
            raise AudienceError(f"unknown audience field {name!r}")
        if op not in field.ops:
            raise AudienceError(f"{name}: operator {op!r} is not one of {', '.join(field.ops)}")
        built.append({"field": name, "op": op, "value": parse_value(field, op, raw)})
    audience = {"match": match, "rules": built, "account_ids": resolve_accounts(session, picked),
                "contact_roles": roles, "reachable_only": reachable_only}
    account_condition(session, audience)
    contact_condition(audience)
    return audience


def audience_to_form(session: Session, audience: dict) -> dict:
    """The editor's input for a stored audience (the inverse of :func:`audience_from_form`)."""
    rules = {}
    for rule in audience.get("rules") or []:
        value = rule.get("value")
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        rules[rule.get("field")] = (rule.get("op", "eq"), text)
    ids = [int(i) for i in audience.get("account_ids") or []]
    refs = dict(session.execute(select(Account.id, Account.external_id)
                                .where(Account.id.in_(ids))).all()) if ids else {}
    return {"match": audience.get("match", "all"), "rules": rules,
            "picked": ", ".join(refs.get(i) or str(i) for i in ids),
            "roles": list(audience.get("contact_roles") or []),
            "reachable_only": audience.get("reachable_only", True)}
