"""Overlapping the SMTP conversation of one message with the bookkeeping of the one before.

A message costs four round trips to the SMTP server (MAIL, RCPT, DATA, the
body) and a database commit to record its outcome. Done one after the other,
the worker waits on each in turn. Here a thread holds the connection: while
the caller commits the outcome of message *i* (and renders the next one), the
thread already sends the envelope of message *i + 1*, and then holds its body
back until that commit is done. So the server never accepts a message while
the acceptance of another one is still unrecorded: a worker killed at any
moment leaves at most one accepted message unmarked, as without the overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from abm.delivery.transport import Outcome, SendAborted


@dataclass
class _InFlight:
    item: Any
    outcome: Future
    go: threading.Event


class Pipeline:
    """Sends messages one ahead of their bookkeeping; use as a context manager.

    Args:
        transport: an object with ``send(mail_from, to, data, *, name, before_body)``.
        on_outcome: ``(item, outcome)``, called in the caller's thread once a
            message is accepted or refused; it must commit what it records.
    """

    def __init__(self, transport, mail_from: str,
                 on_outcome: Callable[[Any, Outcome], None]) -> None:
        self._transport = transport
        self._mail_from = mail_from
        self._on_outcome = on_outcome
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp")
        self._in_flight: _InFlight | None = None
        self._aborted = False

    def send(self, item: Any, to: str, data: bytes, name: str = "") -> None:
        """Start sending ``item``; records the outcome of the message before it first.

        Raises:
            TransportError: the server cannot be reached (raised for the message before).
        """
        go = threading.Event()

        def before_body() -> None:
            go.wait()
            if self._aborted:
                raise SendAborted("the send was given up")

        previous, self._in_flight = self._in_flight, _InFlight(item, self._thread.submit(
            self._transport.send, self._mail_from, to, data, name=name,
            before_body=before_body), go)
        if previous is not None:
            self._record(previous)
        go.set()

    def drain(self) -> None:
        """Wait for the message in flight and record its outcome."""
        previous, self._in_flight = self._in_flight, None
        if previous is not None:
            self._record(previous)

    def _record(self, sent: _InFlight) -> None:
        self._on_outcome(sent.item, sent.outcome.result())

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.drain()
        finally:
            self._abort()

    def _abort(self) -> None:
        """Give up whatever is still queued or held back, and stop the thread."""
        self._aborted = True
        if self._in_flight is not None:
            self._in_flight.go.set()
        self._thread.shutdown(wait=True, cancel_futures=True)
