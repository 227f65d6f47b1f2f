"""Small helpers for string enumerations stored as checked VARCHAR columns."""

from __future__ import annotations

import enum
from enum import StrEnum

from sqlalchemy import Enum as SAEnum

__all__ = ["StrEnum", "enum_column"]


def enum_column(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """A portable enum column: VARCHAR plus a CHECK constraint, values stored as-is."""
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
