"""Marking claimed outbox rows: the one write per message, under the batch's claim token.

Every write names the claim token, so a worker whose lease ran out cannot mark
a row another worker took over. A send loop marks each message as soon as the
server takes it, through a :class:`Marker` that holds one connection for the
whole batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from abm.db import utcnow
from abm.delivery.models import OutboxMessage, OutboxReason, OutboxState

# The one write per message sent: built once, its SET columns given as parameters.
_OUTBOX = cast(Table, OutboxMessage.__table__)
_MARK = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("mark_id"),
                              _OUTBOX.c.claim_token == bindparam("mark_token"),
                              _OUTBOX.c.state == OutboxState.CLAIMED)


def _mark_values(outbox_id: int, token: str, state: OutboxState, error: str | None,
                 message_id: str | None, next_attempt_at: datetime | None,
                 reason: OutboxReason | None = None) -> dict:
    values: dict = {"mark_id": outbox_id, "mark_token": token, "state": state,
                    "last_error": error, "reason": reason}
    if state == OutboxState.SENT:
        values.update(sent_at=utcnow(), message_id=message_id)
    if state == OutboxState.PENDING:
        values.update(claim_token=None, claimed_at=None, next_attempt_at=next_attempt_at)
    return values


def mark(session: Session, outbox_id: int, token: str, state: OutboxState, *,
         error: str | None = None, message_id: str | None = None,
         next_attempt_at: datetime | None = None, reason: OutboxReason | None = None,
         commit: bool = True) -> bool:
    """Record the outcome of one claimed row (and commit); False if the claim was lost.

    Args:
        reason: why a message was not sent (see :class:`OutboxReason`); details in ``error``.
    """
    result = session.connection().execute(_MARK, _mark_values(
        outbox_id, token, state, error, message_id, next_attempt_at, reason))
    if commit:
        session.commit()
    return result.rowcount == 1


# A claimed row put back to wait for a time (its send window): the attempt is not counted.
_POSTPONE = update(_OUTBOX).where(
    _OUTBOX.c.id == bindparam("mark_id"), _OUTBOX.c.claim_token == bindparam("mark_token"),
    _OUTBOX.c.state == OutboxState.CLAIMED,
).values(state=OutboxState.PENDING, claim_token=None, claimed_at=None,
         attempts=_OUTBOX.c.attempts - 1, next_attempt_at=bindparam("until"))


# The mark of a message the server accepted, the one write per message sent: its SET
# columns fixed, so that it compiles once to the driver's SQL (:class:`_DriverStatement`).
_MARK_SENT = update(_OUTBOX).where(
    _OUTBOX.c.id == bindparam("mark_id"), _OUTBOX.c.claim_token == bindparam("mark_token"),
    _OUTBOX.c.state == OutboxState.CLAIMED,
).values(state=OutboxState.SENT, last_error=None, reason=None,
         sent_at=bindparam("sent_at"), message_id=bindparam("message_id"))


class _DriverStatement:
    """A statement compiled once for a dialect and run on the driver's own cursor.

    SQLAlchemy's execution path costs about as much as SQLite's write itself
    per statement (cache key, execution context, result); for a statement run
    once per message that halves the mark. The values still go through each
    column type's bind processor, as SQLAlchemy would send them.
    """

    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._positional = compiled.positional
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        names = compiled.positiontup if compiled.positional else list(binds)
        self._plan = [(name, binds[name].value,
                       binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for name in names]

    def parameters(self, values: dict):
        converted = []
        for name, default, process in self._plan:
            value = values.get(name, default)
            converted.append(process(value) if process is not None else value)
        if self._positional:
            return tuple(converted)
        return dict(zip((name for name, _, _ in self._plan), converted, strict=True))


class Marker:
    """Marks claimed rows, each committed at once, over one connection held throughout.

    A send loop marks every message as soon as the server accepts it; taking a
    connection from the pool and a session transaction for each of those
    costs more CPU than the write itself. A :class:`Marker` (a context
    manager) checks one connection out of the engine for the whole batch and
    runs each mark as a single autocommitted UPDATE: no BEGIN, no COMMIT,
    one statement per message. A session bound to a connection of its own
    (the tests run each test in one) has no engine to take another connection
    from: the marks then go through the session.

    On PostgreSQL the marks do not wait for their WAL flush
    (``synchronous_commit`` off on this connection only, reset before it goes
    back to the pool): a worker killed with ``kill -9`` loses nothing by it,
    since the server has the commit; only a crash of the database server
    itself may forget the marks of its last fraction of a second (up to three
    times ``wal_writer_delay``, about 0.6 s by default), and those messages
    are sent again.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        bind = session.get_bind()
        self._postgresql = bind.dialect.name == "postgresql"
        self._connection: Connection | None = None
        if isinstance(bind, Engine):
            self._connection = bind.connect().execution_options(isolation_level="AUTOCOMMIT")
            if self._postgresql:
                self._connection.exec_driver_sql("SET synchronous_commit TO off")
            self._sent = _DriverStatement(_MARK_SENT, bind.dialect)
            driver = self._connection.connection.driver_connection
            assert driver is not None, "a connection just checked out has its driver's"
            self._cursor = driver.cursor()

    def mark(self, outbox_id: int, token: str, state: OutboxState, *,
             error: str | None = None, message_id: str | None = None,
             next_attempt_at: datetime | None = None,
             reason: OutboxReason | None = None) -> bool:
        """Record the outcome of one claimed row, committed; False if the claim was lost."""
        if self._connection is None:
            return mark(self._session, outbox_id, token, state, error=error,
                        message_id=message_id, next_attempt_at=next_attempt_at, reason=reason)
        if state == OutboxState.SENT and error is None:  # the one per message: the short path
            cursor = self._cursor
            cursor.execute(self._sent.sql, self._sent.parameters({
                "mark_id": outbox_id, "mark_token": token, "sent_at": utcnow(),
                "message_id": message_id}))
            return cursor.rowcount == 1
        # AUTOCOMMIT: the row is committed when execute returns.
        result = self._connection.execute(_MARK, _mark_values(
            outbox_id, token, state, error, message_id, next_attempt_at, reason))
        return result.rowcount == 1

    def postpone(self, outbox_id: int, token: str, until: datetime) -> bool:
        """Put a claimed row back to pending until ``until``, its attempt not counted;
        False if the claim was lost."""
        values = {"mark_id": outbox_id, "mark_token": token, "until": until}
        if self._connection is None:
            result = self._session.connection().execute(_POSTPONE, values)
            self._session.commit()
        else:  # AUTOCOMMIT, as mark()
            result = self._connection.execute(_POSTPONE, values)
        return result.rowcount == 1

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            self._cursor.close()
            if self._postgresql:
                connection.exec_driver_sql("RESET synchronous_commit")
        except DBAPIError:
            connection.invalidate()  # broken, or still without its WAL wait: never pooled again
        finally:
            connection.close()

    def __enter__(self) -> Marker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
