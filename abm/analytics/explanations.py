"""Reasons as a stable code and its figures, for the adapters to word per reader.

The analytics keep their English sentences for the JSON API and the logs; the pages
and the commands word an :class:`Explanation` in their reader's language instead
(:mod:`abm.analytics.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Explanation:
    """One reason: ``code`` (stable, for the API too) and the figures of its sentence."""

    code: str
    params: dict[str, Any]


def churn_explanations(*, state: str, silence_days: int, rhythm_days: float,
                       last_purchase_on: date, revenue_drop: float | None,
                       revenue_at_stake: float, lost_factor: float, at_risk_factor: float,
                       drop_threshold: float, measured_days: float | None = None,
                       how_known: bool = False, last3: float | None = None,
                       prev3: float | None = None, revenue: float | None = None,
                       span: int | None = None) -> list[Explanation]:
    """Why an account is at risk or lost, as :func:`abm.analytics.churn` judges it.

    The stored churn states keep only the main figures; ``how_known`` and the
    revenues are given when judged afresh, and the sentences are fuller then.
    """
    found = []
    ratio = round(silence_days / rhythm_days, 2) if rhythm_days else 0.0
    silent = {"days": silence_days, "since": last_purchase_on.isoformat(), "ratio": ratio,
              "rhythm": rhythm_days, "measured": measured_days if how_known else None,
              "single": how_known and measured_days is None}
    if silence_days > lost_factor * rhythm_days:
        found.append(Explanation("silent_lost", {**silent, "factor": lost_factor}))
    elif silence_days > at_risk_factor * rhythm_days:
        found.append(Explanation("silent_at_risk", {**silent, "factor": at_risk_factor}))
    if revenue_drop is not None and revenue_drop > drop_threshold:
        found.append(Explanation("revenue_drop", {"drop": revenue_drop, "last": last3,
                                                  "previous": prev3,
                                                  "threshold": drop_threshold}))
    if state != "active":
        found.append(Explanation("at_stake", {"amount": revenue_at_stake, "revenue": revenue,
                                              "span": span}))
    return found
