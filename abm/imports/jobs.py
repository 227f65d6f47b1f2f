"""RQ jobs of the import: thin wrappers that commit per batch and report progress.

An import that changed data enqueues the analytics refresh when it commits; its
run id is in the import's result (``refresh_run_id``), for the pages to follow.
"""

from __future__ import annotations

from pathlib import Path

from abm.analytics.jobs import start_refresh
from abm.audit import services as audit
from abm.audit.services import NOBODY, Actor
from abm.db import get_session
from abm.imports import services
from abm.runs.services import Progress, tracked

QUEUE = "imports"


@tracked
def import_file(
    path: str,
    kind: str,
    *,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    sheet: str | None = None,
    currency: str | None = None,
    encoding: str | None = None,
    confirmed: bool = False,
    name: str | None = None,
    progress: Progress,
) -> dict:
    """Import a file in a worker; the run row shows bytes (CSV) or rows (XLSX) done.
    ``name``: what the user calls the file (the name of the upload)."""
    session = get_session()
    totals = [0]

    def on_batch(done: int, total: int, rows: int) -> None:
        totals[0] = total
        progress(done, total, f"{rows:,} rows read")
        session.commit()

    result = services.import_file(session, path, kind, mapping=mapping, strict=strict,
                                  sheet=sheet, currency=currency, encoding=encoding,
                                  confirmed=confirmed, on_batch=on_batch, name=name)
    total = totals[0] or result.rows  # same unit as the batches reported, when there were any
    progress(total, total, f"{result.rows:,} rows read")
    run = progress.run
    user_id = run.created_by_id if run else None
    services.finish_import(session, path, result, user_id=user_id, run_id=run.id if run else None)
    session.commit()
    # Enqueued once the import is committed, so that the refresh reads it.
    refresh_run_id = start_refresh(user_id=user_id) if result.changed_data else None
    return result.to_dict() | {"refresh_run_id": refresh_run_id}


def start_import(path: str | Path, kind: str, *, by: Actor = NOBODY, **options) -> str:
    """Enqueue an import on the ``imports`` queue and audit its start; returns the job id
    (also the run id). Commits.

    Args:
        path: a file the workers can read (see :mod:`abm.imports.uploads`).
        kind: accounts, contacts, products, orders or receivables.
        by: who asked (their user is the run's), and through what.
        **options: ``mapping``, ``strict``, ``sheet``, ``currency``, ``encoding``,
            ``confirmed``, ``name`` as for :func:`abm.imports.services.import_file`.
    """
    from abm.runs.services import enqueue_tracked

    run_id = enqueue_tracked(import_file, str(path), kind, queue=QUEUE, kind=f"import:{kind}",
                             user_id=by.user_id, **options)
    session = get_session()
    audit.record_by(session, by, audit.IMPORT, f"run:{run_id}",
                    {"event": "started", "kind": kind, "bytes": _size(path)})
    session.commit()
    return run_id


def _size(path: str | Path) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:  # gone already: the job will say so
        return None


def repair_aggregates() -> int:
    """Rebuild the monthly aggregates an import that died left behind (periodic; every
    import also does it first). Returns how many imports' months were rebuilt."""
    from abm.imports.consistency import repair_stale_aggregates

    session = get_session()
    repaired = repair_stale_aggregates(session)
    session.commit()
    return repaired
