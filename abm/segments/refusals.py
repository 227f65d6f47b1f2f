"""Why a segmentation or a potential fit could not be made, and the notes they leave: a code
and its parameters, worded in English here and in the reader's language by the pages and
the commands (:mod:`abm.segments.wording`).

The codes are those of :data:`abm.ml.errors.MESSAGES` (what the models refuse) and these
of the potential fit. A note holds the reason it was made for, as a nested parameter
(:func:`note`). Loads nothing heavy: the pages import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.ml.errors import MESSAGES as MODEL_MESSAGES
from abm.ml.errors import DataError
from abm.workspace.refusals import N_

MESSAGES = {
    **MODEL_MESSAGES,
    "unknown_unit": N_("unknown unit '%(unit)s': use days or weeks"),
    "no_orders": N_("no orders yet: import sales before fitting potential"),
    "end_before_first": N_("the calibration end %(end)s comes before the first order "
                           "(%(first)s)"),
    "short_sales_history": N_("only %(days)s days of sales history up to %(end)s: the "
                              "potential model needs at least %(minimum)s days"),
    # Notes: what was done instead, and why (``reason``)
    "own_average_spend": N_("%(reason)s; each customer's own average spend is used instead"),
    "potential_not_available": N_("potential not available: %(reason)s"),
    "potential_not_refitted": N_("potential not refitted: %(reason)s"),
}
# Numbers that are not figures: shown as they are, never grouped (k=1000 segments).
LITERAL = frozenset({"k"})

Translate = Callable[[str], str]
Number = Callable[..., str]  # (value, digits=0) -> the value as the reader writes it


class PotentialError(DataError):
    """The sales history cannot support a potential fit; a code of :data:`MESSAGES` says why."""

    messages = MESSAGES

    @classmethod
    def of(cls, error: DataError) -> PotentialError:
        """The same reason as the model's (no repeat purchases, no convergence...)."""
        return cls(error.code, **error.params)


def note(code: str, error: DataError) -> dict[str, Any]:
    """A note of :data:`MESSAGES` (``code``) made because of ``error``, as plain data."""
    return {"code": code, "params": {"reason": error.reason()}}


def _same(text: str) -> str:
    return text


def _grouped(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def wording(code: str, params: dict[str, Any], translate: Translate | None = None,
            number: Number | None = None) -> str:
    """The message ``code`` with its ``params`` (a nested reason worded too), through
    ``translate`` (a gettext), figures written by ``number``; in English by default.

    Raises:
        KeyError: an unknown code, or a parameter its message lacks (an older version's).
    """
    say, figure = translate or _same, number or _grouped

    def show(key: str, value: Any) -> str:
        if isinstance(value, dict):
            return wording(value["code"], value.get("params") or {}, say, figure)
        if isinstance(value, bool) or (isinstance(value, int) and key in LITERAL):
            return str(value)
        if isinstance(value, int | float):
            return figure(value)
        return str(value)

    return say(MESSAGES[code]) % {key: show(key, value) for key, value in params.items()}


def said(reason: dict[str, Any] | None) -> str | None:
    """A reason or note kept as data (``{"code", "params"}``), in English (None: none)."""
    return None if reason is None else wording(reason["code"], reason.get("params") or {})
