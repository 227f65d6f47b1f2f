"""Saved mappings of a file's headers to an import's fields, by name (``abm import
--save-map`` and ``--use-map``): an accounting system's export is mapped once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.imports.columns import fields_of
from abm.imports.models import ImportMapping
from abm.imports.results import ImportFileError


def save_mapping(session: Session, kind: str, name: str, columns: dict[str, str], *,
                 user_id: int | None = None) -> ImportMapping:
    """Save (or replace) a named mapping of fields to headers for ``kind``.

    Raises:
        ImportFileError: a field that ``kind`` does not have.
    """
    fields = fields_of(kind)
    unknown = sorted(set(columns) - set(fields))
    if unknown:
        raise ImportFileError("unknown_fields", kind=kind, unknown=unknown, fields=list(fields))
    saved = session.scalar(select(ImportMapping).filter_by(kind=kind, name=name))
    if saved is None:
        saved = ImportMapping(kind=kind, name=name, columns=dict(columns), created_by_id=user_id)
        session.add(saved)
    else:
        saved.columns = dict(columns)
    session.flush()
    return saved


def get_mapping(session: Session, kind: str, name: str) -> dict[str, str]:
    """The saved mapping ``name`` of ``kind``.

    Raises:
        ImportFileError: no such mapping.
    """
    saved = session.scalar(select(ImportMapping).filter_by(kind=kind, name=name))
    if saved is None:
        known = session.scalars(select(ImportMapping.name).filter_by(kind=kind)).all()
        if known:
            raise ImportFileError("no_mapping_saved", kind=kind, name=name, saved=list(known))
        raise ImportFileError("no_mapping", kind=kind, name=name)
    return dict(saved.columns)
