"""Short claim leases kept alive by a heartbeat while their worker lives.

A claimed outbox row belongs to the worker holding its token until its lease
runs out. A worker killed with ``kill -9`` says nothing, so the lease is what
frees its rows: kept short (:data:`CLAIM_LEASE`), and renewed every few
seconds by a :class:`LeaseKeeper` thread for as long as the worker is alive,
however slow its SMTP server. A row whose lease ran out goes back to pending
(:func:`~abm.delivery.outbox.release_stale_claims`) and another worker sends
it; the token of every later write keeps the dead worker's (if it was only
stalled) from marking it again.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from types import TracebackType

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.delivery.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

# How long a claim outlives its worker's last heartbeat. The keeper renews it five
# times per lease, so a heartbeat held up by a busy database for a few seconds
# does not lose it; a dead worker's rows are free again this long after it died.
CLAIM_LEASE = timedelta(seconds=15)

_RENEW = (update(OutboxMessage)
          .where(OutboxMessage.claim_token.in_(bindparam("tokens", expanding=True)),
                 OutboxMessage.state == OutboxState.CLAIMED)
          .values(claimed_at=bindparam("now"))
          .execution_options(synchronize_session=False))


def renew_claims(session: Session, tokens: list[str]) -> int:
    """Stamp the rows still claimed under ``tokens`` as claimed now (and commit)."""
    if not tokens:
        return 0
    result = session.connection().execute(_RENEW, {"tokens": tokens, "now": utcnow()})
    session.commit()
    return int(result.rowcount)


class LeaseKeeper:
    """Renews the leases of the tokens it holds, from a thread of its own, until closed.

    Use as a context manager around a send loop; :meth:`hold` a token once
    claimed, :meth:`drop` it once its rows are marked or given back. The
    thread writes over a connection of its own (autocommitted). A session
    bound to a single connection (the test suite's) has none to spare: the
    keeper then renews nothing, and the lease must outlast the batch.
    """

    def __init__(self, session: Session, lease: timedelta = CLAIM_LEASE) -> None:
        bind = session.get_bind()
        self._engine = bind if isinstance(bind, Engine) else None
        self.interval = max(lease.total_seconds() / 5, 0.05)
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.beats = 0

    def hold(self, token: str) -> None:
        with self._lock:
            self._tokens.add(token)

    def drop(self, token: str) -> None:
        with self._lock:
            self._tokens.discard(token)

    def start(self) -> LeaseKeeper:
        if self._engine is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="abm-lease-keeper",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        assert self._engine is not None
        while not self._stop.wait(self.interval):
            with self._lock:
                tokens = sorted(self._tokens)
            if not tokens:
                continue
            try:
                with self._engine.connect() as connection:
                    connection.execute(_RENEW, {"tokens": tokens, "now": utcnow()})
                    connection.commit()
                self.beats += 1
            except SQLAlchemyError:  # the next beat tries again; the lease allows a few
                log.warning("could not renew the claims of %s", tokens, exc_info=True)

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> LeaseKeeper:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
