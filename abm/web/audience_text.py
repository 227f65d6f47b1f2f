"""Audience rules in the user's language: field and value names, the editor's option lists and
the messages of a refused audience.

The campaign services describe a fault with a code and parameters
(:class:`~abm.campaigns.audiences.AudienceError`); this module words it.
"""

from __future__ import annotations

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from abm.campaigns.audiences import AudienceError
from abm.campaigns.services import CampaignError
from abm.web import labels
from abm.workspace.wording import refusal_text

# Fields whose values are stored codes with translated names.
VALUE_LABELS = {"kind": "kind", "category": "category", "contact_role": "contact_role",
                "churn_state": "churn", "loyalty_status": "loyalty_status"}
# Reasons whose values are not a rule field's: operators, and the recipients' roles.
NAMED_BY = {"bad_op": "audience_op", "unknown_roles": "contact_role"}
# Where a reason goes on a page: the rule's row carries the field's name, not its number.
WHERE = _l("%(field)s: %(reason)s")


def field_label(name: str | None) -> str:
    """The translated name of a rule field (a field added later shows its own name)."""
    return str(labels.LABELS["audience_field"].get(name or "", name or ""))


def country_name(code: str) -> str:
    return get_locale().territories.get(code, code)


def value_label(field: str | None, value: object) -> str:
    """The translated name of a value of ``field`` (codes of a known set), else the value."""
    if field == "country" and isinstance(value, str):
        return country_name(value)
    if field in VALUE_LABELS:
        return labels.label(VALUE_LABELS[field], value)
    return str(value)


def _campaign_refusal(exc: CampaignError) -> str:
    """A campaign refusal worded by the catalogue: a status by its display name, approval
    reasons as the approvals page words them."""
    from abm.web.approvals import approval_reason

    shown = {}
    if "status" in exc.params:
        shown["status"] = labels.label("campaign_status", exc.params["status"])
    if "reasons" in exc.params:
        shown["reasons"] = "; ".join(approval_reason(r) for r in exc.params["reasons"])
    return refusal_text(exc, **shown)


def error_text(exc: Exception) -> str:
    """A refusal of the campaign services in the user's language (audience faults are
    worded here, the services' other refusals from their catalogue templates)."""
    if isinstance(exc, CampaignError):
        return _campaign_refusal(exc)
    if not isinstance(exc, AudienceError):
        return refusal_text(exc)
    group = NAMED_BY.get(exc.code)
    name = value_label if group is None else lambda _field, value: labels.label(group, value)
    return exc.message(translate=gettext, field_name=field_label, value_name=name,
                       where=str(WHERE))


def editor_options(field: dict, in_data: list[str]) -> list[dict]:
    """The option groups of a rule field with a closed set, named in the user's language:
    ``[{"label": group name or None, "options": [(value, name)]}]``.

    Countries are named by Babel and sorted by name; those the accounts have come first.
    """
    if field["name"] == "country":
        named = sorted(((code, country_name(code)) for code, _ in field["options"]),
                       key=lambda pair: pair[1].casefold())
        present = set(in_data)
        return [{"label": str(_l("In your accounts")),
                 "options": [p for p in named if p[0] in present]},
                {"label": str(_l("Other countries")),
                 "options": [p for p in named if p[0] not in present]}]
    return [{"label": None, "options": [(value, value_label(field["name"], value)
                                         if field["name"] in VALUE_LABELS else name)
                                        for value, name in field["options"]]}]
