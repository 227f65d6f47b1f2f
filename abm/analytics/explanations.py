"""Reasons as a stable code and its figures, for the adapters to word per reader.

The analytics keep their English sentences for the JSON API and the logs; the pages
and the commands word an :class:`Explanation` in their reader's language instead
(:mod:`abm.analytics.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from abm.analytics.settings import AnalyticsSettings


@dataclass(frozen=True, slots=True)
class Explanation:
    """One reason: ``code`` (stable, for the API too) and the figures of its sentence."""

    code: str
    params: dict[str, Any]


def flag_explanations(
    settings: AnalyticsSettings, *, share: float, total: float, measure: str,
    mono_client: bool, dependency: bool, key: bool, near_key: bool, growth: float | None,
    pareto_core: bool, rank: int, accounts: int,
) -> list[Explanation]:
    """Why each flag of an account holds, in the order the pages list them: its share of
    ``total`` against each threshold of ``settings``, its growth, its rank in the Pareto core
    among ``accounts``."""
    of = {"share": share, "total": total, "measure": measure}
    found = [Explanation(code, {**of, "threshold": threshold})
             for code, holds, threshold in (
                 ("mono_client", mono_client, settings.mono_client_share),
                 ("dependency", dependency, settings.dependency_share),
                 ("key", key, settings.key_share)) if holds]
    if near_key:
        found.append(Explanation("near_key", {**of, "growth": growth}))
    if pareto_core:
        found.append(Explanation("pareto_core", {"rank": rank, "accounts": accounts}))
    return found
