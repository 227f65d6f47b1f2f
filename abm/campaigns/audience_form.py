"""The audience editor's side of audiences: what each rule field offers, and form input to rules.

A form sends every rule as an operator and its values: text (lists comma-separated)
for open fields, the picked options for fields with a closed set. This module turns
them into the audience JSON that :mod:`abm.campaigns.audiences` evaluates (and back),
and checks it with the same validator as the API and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import abm.campaigns.audience_fields  # noqa: F401 - the fields the editor offers
from abm.accounts.models import Account
from abm.campaigns.audience_errors import Where
from abm.campaigns.audiences import (
    FIELDS,
    LIST_OPS,
    MAX_ID,
    AudienceError,
    Field,
    check_audience,
    describe_fields,
    field_options,
)
from abm.campaigns.occasions import OccasionRule

MAX_PICKED = 1000

Raw = str | list[str]


def value_kind(field: Field) -> str:
    """How the editor takes a field's value: "bool", "choice" (a closed set), "int",
    "float" or "text"."""
    if field.kind == "bool":
        return "bool"
    if field.choices or field.options is not None:
        return "choice"
    return field.kind


def editor_fields(session: Session) -> list[dict]:
    """The rule fields the editor offers: name, description, ops, the kind of value, whether
    it takes several values, and for a closed set its options as (value, stored name)."""
    fields = []
    for described in describe_fields():
        field = FIELDS[described["name"]]
        kind = value_kind(field)
        fields.append({**described, "kind": kind,
                       "many": any(op in LIST_OPS for op in field.ops),
                       "options": field_options(session, field.name) if kind == "choice"
                       else None})
    return fields


def parse_value(field: Field, op: str, raw: Raw, rule: int) -> object:
    """The typed value of a rule from the form: text (lists are comma-separated) or the
    options picked. Values are checked against their set by the validator.

    Raises:
        AudienceError: empty, or not a number where one is needed.
    """
    where: Where = {"rule": rule, "field": field.name}
    if isinstance(raw, str):
        raw = raw.strip()
        items = [p.strip() for p in raw.split(",")] if op in LIST_OPS else [raw]
    else:
        items = [p.strip() for p in raw]
    items = list(dict.fromkeys(item for item in items if item))
    if not items:
        raise AudienceError("no_value", **where)
    if field.kind == "bool":
        return items[0].lower() in ("yes", "true", "1")
    convert = {"int": int, "float": float, "text": str}[field.kind]
    values = []
    for item in items:
        try:
            values.append(convert(item))
        except ValueError:
            code = "not_int" if field.kind == "int" else "not_number"
            raise AudienceError(code, value=item, **where) from None
    return values if op in LIST_OPS or len(values) > 1 else values[0]


def countries_in_data(session: Session) -> list[str]:
    """The country codes the accounts have, for the editor to offer first."""
    return list(session.scalars(select(Account.country).distinct()
                                .where(Account.country.is_not(None)).order_by(Account.country)))


def resolve_accounts(session: Session, text: str) -> list[int]:
    """Account ids from external ids or ids, separated by commas, semicolons or lines.

    Raises:
        AudienceError: a reference matches no account, or there are too many.
    """
    refs = list(dict.fromkeys(r.strip() for r in re.split(r"[,;\n]+", text) if r.strip()))
    if not refs:
        return []
    if len(refs) > MAX_PICKED:
        raise AudienceError("too_many_picked", max=MAX_PICKED)
    numbers = [int(r) for r in refs if r.isdigit() and len(r) < 10]
    found = session.execute(select(Account.id, Account.external_id).where(
        or_(Account.external_id.in_(refs), Account.id.in_(numbers))))
    by_ref: dict[str, int] = {}
    for account_id, external_id in found:
        by_ref.setdefault(str(account_id), account_id)
        if external_id:
            by_ref[external_id] = account_id  # an external id wins over an equal number
    unknown = [r for r in refs if r not in by_ref]
    if unknown:
        raise AudienceError("unknown_picked", value=unknown[:10])
    return sorted({by_ref[r] for r in refs})


def audience_from_form(session: Session, *, match: str, rules: Mapping[str, tuple[str, Raw]],
                       picked: str, roles: list[str], reachable_only: bool,
                       occasion: dict | None = None) -> dict:
    """The audience JSON of the editor's input, checked as the campaign would use it.

    Args:
        rules: {field name: (operator, value text or options picked)}; an empty operator
            leaves the field out.
        picked: hand-picked accounts, see :func:`resolve_accounts`.
        occasion: a greeting's holidays, countries, dates and gender
            (:mod:`abm.campaigns.occasions`); None: not a greeting.

    Raises:
        AudienceError: what is wrong, naming the rule's field.
    """
    built: list[dict[str, object]] = []
    for name, (op, raw) in rules.items():
        field = FIELDS.get(name)
        if field is None:
            raise AudienceError("unknown_field", rule=len(built) + 1, value=name)
        if not op:
            # A yes/no always has a value; any other value without an operator is a slip.
            if field.kind != "bool" and (raw.strip() if isinstance(raw, str) else any(raw)):
                raise AudienceError("no_op", rule=len(built) + 1, field=name)
            continue
        if op not in field.ops:
            raise AudienceError("bad_op", rule=len(built) + 1, field=name, value=op,
                                allowed=list(field.ops))
        built.append({"field": name, "op": op,
                      "value": parse_value(field, op, raw, len(built) + 1)})
    audience = {"match": match, "rules": built, "account_ids": resolve_accounts(session, picked),
                "contact_roles": roles, "reachable_only": reachable_only}
    if occasion is not None:
        audience["occasion"] = occasion
    return check_audience(session, audience)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def audience_to_form(session: Session, audience: object) -> dict:
    """The editor's input for a stored audience (the inverse of :func:`audience_from_form`).

    A stored audience that no longer holds is shown as far as it goes, so that the
    user can see and mend it: rules on unknown fields are left out.
    """
    audience = audience if isinstance(audience, dict) else {}
    rules: dict[str, tuple[str, Raw]] = {}
    stored_rules = audience.get("rules")
    for rule in stored_rules if isinstance(stored_rules, list) else []:
        name = rule.get("field") if isinstance(rule, dict) else None
        field = FIELDS.get(name) if isinstance(name, str) else None
        if field is None:
            continue
        value = rule.get("value")
        text: Raw
        if value_kind(field) == "choice":
            text = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        else:
            text = _as_text(value)
        rules[field.name] = (str(rule.get("op", "eq")), text)
    stored = audience.get("account_ids")
    ids = [i for i in stored if isinstance(i, int) and 0 < i <= MAX_ID] \
        if isinstance(stored, list) else []
    refs = dict(session.execute(select(Account.id, Account.external_id)
                                .where(Account.id.in_(ids))).all()) if ids else {}
    roles = audience.get("contact_roles")
    return {"match": audience.get("match", "all"), "rules": rules,
            "picked": ", ".join(refs.get(i) or str(i) for i in ids),
            "roles": [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else [],
            "reachable_only": audience.get("reachable_only", True) is not False,
            "occasion": _occasion(audience.get("occasion"))}


def _occasion(stored: object) -> dict:
    """A stored occasion as the editor shows it (a broken one as the default)."""
    try:
        return OccasionRule.parse(stored).to_dict()
    except AudienceError:
        return OccasionRule().to_dict()
