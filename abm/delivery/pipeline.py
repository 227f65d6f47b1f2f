"""Overlapping the SMTP conversation of a message with the bookkeeping around it, in one thread.

A message costs four round trips to the SMTP server (MAIL, RCPT, DATA, the
body) and a database commit to record its outcome. Done one after the other,
the worker idles through each round trip. Here the conversation advances a
command at a time (:class:`~abm.delivery.transport.SMTPTransaction`): the
caller writes a command and goes on with its own work (recording the message
before, rendering the next one); between pieces of that work it looks whether
the server has answered, and if so reads the reply and writes the next
command (:meth:`Pipeline.poll`), without ever waiting for it.

The order keeps the delivery guarantee: message *i* starts (its MAIL command
goes out) only once the reply to the body of *i - 1* is in, and the outcome of
*i - 1* is recorded right then, before :meth:`Pipeline.send` returns; the body
of *i* goes only after that. So the server never accepts a message while the
acceptance of another one is still unrecorded: a worker killed at any moment
leaves at most one accepted message unmarked.

Threads were tried first: a thread holding the connection spent most of its
time waiting for the interpreter lock while the worker rendered, and every
hand-over between the two threads cost a wake-up; one thread that polls at
chosen points pays neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from abm.delivery.transport import Outcome


class Pipeline:
    """Sends one message at a time, interleaving its round trips with the caller's work.

    Use as a context manager; leaving it on an exception gives up the message
    in flight (the connection is closed, so the server discards it).

    Args:
        transport: an object with ``start(mail_from, to, data, *, name, utf8)``
            returning a transaction (``advance()``, ``reply_ready()``, ``body_sent``)
            and ``abort()``.
        on_outcome: ``(item, outcome)``, called once a message is accepted or
            refused; it must commit what it records.
    """

    def __init__(self, transport, mail_from: str,
                 on_outcome: Callable[[Any, Outcome], None]) -> None:
        self._transport = transport
        self._mail_from = mail_from
        self._on_outcome = on_outcome
        self._item: Any = None
        self._transaction = None
        self._outcome: Outcome | None = None

    def send(self, item: Any, to: str, data: bytes, name: str = "", utf8: bool = False) -> None:
        """Finish the message in flight, start this one, then record the one finished.

        ``utf8``: the message needs SMTPUTF8 (see the transport's ``start``).

        Raises:
            TransportError: the server cannot be reached.
        """
        finished = self._finish()
        try:
            self._item, self._outcome = item, None
            self._transaction = self._transport.start(self._mail_from, to, data, name=name,
                                                      utf8=utf8)
        finally:  # recorded even when the server is gone now: it did accept that one
            if finished is not None:
                self._on_outcome(*finished)  # while the server answers the MAIL command
        self.poll()

    def poll(self) -> None:
        """Move the message in flight on if the server has answered, short of its body's reply.

        Never waits: call it between pieces of work, the more often the
        sooner the next command goes out (a call costs a few microseconds).
        """
        transaction = self._transaction
        if (transaction is not None and not transaction.body_sent and self._outcome is None
                and transaction.reply_ready()):
            self._outcome = transaction.advance()

    def drain(self) -> None:
        """Finish the message in flight and record its outcome."""
        finished = self._finish()
        if finished is not None:
            self._on_outcome(*finished)

    def _finish(self) -> tuple[Any, Outcome] | None:
        transaction, self._transaction = self._transaction, None
        if transaction is None:
            return None
        outcome = self._outcome
        while outcome is None:
            outcome = transaction.advance()
        return self._item, outcome

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.drain()
        elif self._transaction is not None:
            self._transaction = None
            self._transport.abort()
