"""Reasons as a stable code and its figures, for the adapters to word per reader.

The analytics keep their English sentences for the JSON API and the logs; the pages
and the commands word an :class:`Explanation` in their reader's language instead
(:mod:`abm.analytics.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Explanation:
    """One reason: ``code`` (stable, for the API too) and the figures of its sentence."""

    code: str
    params: dict[str, Any]
