"""Why an audience is refused: a code and its parameters, worded in English here and in the
user's language by the web (see :mod:`abm.web.audience_text`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    """Mark a message for the translation catalogue. Services know no Flask: the web
    translates :data:`REASONS` when it shows an :class:`AudienceError`."""
    return message


WHERE = N_("rule %(rule)s (%(field)s): %(reason)s")
REASONS = {
    "not_object": N_("the audience must be a JSON object"),
    "unknown_key": N_("there is no audience setting \"%(value)s\"; the settings are %(allowed)s"),
    "bad_match": N_("accounts must match \"all\" or \"any\" of the rules, not \"%(value)s\""),
    "bad_rules": N_("the rules must be a list of at most %(max)s rules"),
    "bad_rule": N_("rule %(rule)s needs a field, an operator and a value, and nothing else"),
    "unknown_field": N_("rule %(rule)s: there is no field \"%(value)s\""),
    "bad_op": N_("the operator \"%(value)s\" does not apply; it takes %(allowed)s"),
    "no_value": N_("a value is needed"),
    "no_op": N_("choose an operator, or leave the value empty"),
    "one_value": N_("this operator takes one value, not a list"),
    "too_many": N_("at most %(max)s values"),
    "not_bool": N_("\"%(value)s\" is not yes or no"),
    "not_int": N_("\"%(value)s\" is not a whole number"),
    "not_number": N_("\"%(value)s\" is not a number"),
    "not_text": N_("\"%(value)s\" is not a text of at most %(max)s characters"),
    "out_of_range": N_("%(value)s is not between %(min)s and %(max)s"),
    "unknown_value": N_("\"%(value)s\" is not one of %(allowed)s"),
    "unknown_country": N_("\"%(value)s\" is not a country code"),
    "unknown_segment": N_("segment %(value)s is not in the latest segmentation; choose the "
                          "segment again"),
    "unknown_user": N_("there is no user %(value)s"),
    "unknown_account": N_("there is no account %(value)s"),
    "unknown_programme": N_("there is no loyalty programme %(value)s"),
    "bad_roles": N_("the contact roles must be a list of roles"),
    "unknown_roles": N_("\"%(value)s\" is not a contact role; the roles are %(allowed)s"),
    "bad_reachable": N_("\"only reachable contacts\" must be true or false"),
    "bad_picked": N_("the hand-picked accounts must be a list of at most %(max)s account ids"),
    "too_many_picked": N_("at most %(max)s hand-picked accounts"),
    "unknown_picked": N_("no account with the id or external id %(value)s"),
    "bad_occasion": N_("the occasion takes %(allowed)s: lists of holiday names, two-letter "
                       "country codes and date ids, and \"female\" or \"male\""),
    "unknown_date": N_("there is no greeting date %(value)s"),
    "gender_off": N_("the workspace does not target greetings on gender; turn it on in the "
                     "settings first"),
}
LISTED = ("value", "allowed")  # parameters that hold values (shown joined, perhaps named)


class Where(TypedDict):
    """The rule at fault, passed on as ``**where`` to every :class:`AudienceError` about it."""

    rule: int
    field: str


def _same(text):
    return text


class AudienceError(ValueError):
    """An audience that cannot be evaluated: what is wrong and where.

    ``str(error)`` is the English message. A page shows it in the user's language
    with :meth:`message`, from the code and the parameters.

    Attributes:
        code: a key of :data:`REASONS`.
        rule: the 1-based number of the rule at fault, or None.
        field: that rule's field name, or None.
        params: the reason's parameters; ``value`` and ``allowed`` hold values as given.
    """

    def __init__(self, code: str, *, rule: int | None = None, field: str | None = None,
                 **params) -> None:
        self.code, self.rule, self.field, self.params = code, rule, field, params
        super().__init__(self.message())

    def message(self, translate: Callable[[str], str] = _same,
                field_name: Callable[[str], str] = _same,
                value_name: Callable[[str | None, object], str] | None = None,
                where: str = WHERE) -> str:
        """The message, through ``translate`` (a gettext), naming fields and values with the
        given functions; ``where`` places the reason after the rule (%(rule)s, %(field)s)."""
        def show(value) -> str:
            if isinstance(value, list | tuple):
                return ", ".join(show(v) for v in value)
            return value_name(self.field, value) if value_name else str(value)

        params = {k: show(v) if k in LISTED else v for k, v in self.params.items()}
        reason = translate(REASONS[self.code]) % {"rule": self.rule, **params}
        if self.field is None:
            return reason
        return translate(where) % {"rule": self.rule, "field": field_name(self.field),
                                   "reason": reason}
