"""Refusals that a service says once and each reader reads in their own language.

A service refuses with a catalogue template (marked with :func:`N_`) and its
parameters: ``raise LoyaltyError.worded(N_("two tiers have the same name"))``.
``str(refusal)`` is the English sentence, which the API and the logs keep; the
pages and the commands word it in their reader's language with
``gettext(refusal.template, **refusal.params)`` (:func:`abm.workspace.wording.refusal_text`).
Services know no Flask, and neither does this module.
"""

from __future__ import annotations

from typing import Any, Self


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, do not translate here"
    """Mark a message for the translation catalogue; the web translates it when shown."""
    return message


class Refusal(ValueError):
    """A rule's refusal: the English message, and for the reader's language its ``template``
    (a catalogue message, ``None`` where the service gave none) and ``params``."""

    def __init__(self, message: str, *, template: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.template = template
        self.params = params or {}

    @classmethod
    def worded(cls, template: str, **params: Any) -> Self:
        """The refusal ``template % params``, which the pages and commands translate."""
        return cls(template % {k: str(v) for k, v in params.items()}, template=template,
                   params=params)

    @classmethod
    def of(cls, other: Refusal) -> Self:
        """The same refusal as another domain's (a missing price is a notice not made)."""
        return cls(str(other), template=other.template, params=other.params)
