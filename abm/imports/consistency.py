"""Monthly aggregates that never lag the order lines an import committed without a trace.

An import commits its lines batch by batch and refreshes the aggregates once, with
its last batch (refreshing them with every batch would cost a pass over each month
a batch touches, again and again). In between, a :class:`StaleMonths` row commits
with every batch and names the months the lines written so far span; the final
refresh deletes it. An import that dies (kill -9, a lost machine) leaves its row:
:func:`repair_stale_aggregates`, run by the next import, rebuilds those months.
"""

from __future__ import annotations

import os
import socket
from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.imports.models import StaleAggregateMonths
from abm.sales.services import refresh_monthly_aggregates

# A row of an import on another machine (whose process cannot be asked) is dead when
# it has not been touched for this long; an import touches its row with every batch.
STALE_AFTER = timedelta(minutes=15)
_LIVE: set[str] = set()  # tokens of the imports running in this process


def _host() -> str:
    return socket.gethostname()[:120]


class StaleMonths:
    """The row of one import naming the months whose aggregates its lines may be ahead of.

    Use as a context manager around the import: the process remembers it as alive
    until the block ends (then, if the import failed, its row is left for a repair).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.token = uuid4().hex
        self.owner = f"{_host()}:{os.getpid()}:{self.token}"
        self.row_id: int | None = None

    def __enter__(self) -> StaleMonths:
        _LIVE.add(self.token)
        return self

    def __exit__(self, *_exc) -> None:
        _LIVE.discard(self.token)

    def cover(self, months: list[str]) -> None:
        """Make the row span ``months`` ([first, last] as ISO dates), in the session's
        transaction: call it before each commit of a batch."""
        if not months:
            return
        first, last = date.fromisoformat(months[0]), date.fromisoformat(months[1])
        table = StaleAggregateMonths
        if self.row_id is None:
            self.row_id = self.session.execute(
                insert(table).values(first_month=first, last_month=last, owner=self.owner,
                                     updated_at=utcnow()).returning(table.id)
            ).scalar_one()
        else:
            self.session.execute(update(table).where(table.id == self.row_id).values(
                first_month=first, last_month=last, updated_at=utcnow()))

    def clear(self) -> None:
        """Delete the row: the aggregates were refreshed in this transaction."""
        if self.row_id is not None:
            self.session.execute(delete(StaleAggregateMonths)
                                 .where(StaleAggregateMonths.id == self.row_id))
            self.row_id = None


def repair_stale_aggregates(session: Session) -> int:
    """Rebuild the months of the rows left by imports that are no longer running.

    In the caller's transaction; the caller commits. Returns how many rows were repaired.
    """
    rows = session.execute(select(StaleAggregateMonths)).scalars().all()
    dead = [row for row in rows if not _alive(row)]
    if not dead:
        return 0
    months = (min(r.first_month for r in dead), max(r.last_month for r in dead))
    refresh_monthly_aggregates(session, None, months)
    session.execute(delete(StaleAggregateMonths)
                    .where(StaleAggregateMonths.id.in_([r.id for r in dead])))
    return len(dead)


def _alive(row: StaleAggregateMonths) -> bool:
    if utcnow() - row.updated_at > STALE_AFTER:
        return False
    host, pid, token = (row.owner.rsplit(":", 2) + ["", ""])[:3]
    if host != _host():
        return True
    try:
        pid_number = int(pid)
    except ValueError:
        return False
    if pid_number == os.getpid():
        return token in _LIVE
    try:
        os.kill(pid_number, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
