"""Overlapping the SMTP conversation of messages with the bookkeeping of the ones before.

A message costs four round trips to the SMTP server (MAIL, RCPT, DATA, the
body) and a database commit to record its outcome. Done one after the other,
the worker waits on each in turn. Here a thread holds the connection and is
given messages up to :data:`AHEAD` at a time: while the caller commits the
outcome of message *i* and renders the next ones, the thread sends the
envelope of message *i + 1* as soon as the body of *i* is answered, and then
holds the body of *i + 1* back until the commit of *i* is done. So the server
never accepts a message while the acceptance of another one is still
unrecorded: a worker killed at any moment leaves at most one accepted message
unmarked, as without the overlap.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from abm.delivery.transport import Outcome, SendAborted

# Messages handed to the connection's thread before the oldest one is recorded:
# with two, the envelope of the next message is already queued when the body of
# the one before is answered, whatever the caller is busy with at that moment.
AHEAD = 2
# While a pipeline runs, the thread holding the GIL (rendering, say) is asked to
# hand it over this soon (seconds) when the connection's thread has a reply to
# read; the interpreter's default of 5 ms would leave the server idle that long.
SWITCH_INTERVAL = 1e-4


@dataclass
class _InFlight:
    item: Any
    outcome: Future
    go: threading.Event


class Pipeline:
    """Sends messages ahead of their bookkeeping; use as a context manager.

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
        self._in_flight: deque[_InFlight] = deque()
        self._aborted = False
        self._switch_interval = sys.getswitchinterval()

    def send(self, item: Any, to: str, data: bytes, name: str = "") -> None:
        """Start sending ``item``; records the oldest message in flight first if there are many.

        Raises:
            TransportError: the server cannot be reached (raised for an earlier message).
        """
        go = threading.Event()

        def before_body() -> None:
            go.wait()
            if self._aborted:
                raise SendAborted("the send was given up")

        if not self._in_flight:
            go.set()  # every message before it is recorded
        self._in_flight.append(_InFlight(item, self._thread.submit(
            self._transport.send, self._mail_from, to, data, name=name,
            before_body=before_body), go))
        if len(self._in_flight) > AHEAD:
            self._record_oldest()

    def drain(self) -> None:
        """Wait for the messages in flight and record their outcomes."""
        while self._in_flight:
            self._record_oldest()

    def _record_oldest(self) -> None:
        """Record the oldest message in flight, then let the body of the next one go."""
        sent = self._in_flight.popleft()
        self._on_outcome(sent.item, sent.outcome.result())
        if self._in_flight:
            self._in_flight[0].go.set()

    def __enter__(self) -> Pipeline:
        sys.setswitchinterval(SWITCH_INTERVAL)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.drain()
        finally:
            self._abort()
            sys.setswitchinterval(self._switch_interval)

    def _abort(self) -> None:
        """Give up whatever is still queued or held back, and stop the thread."""
        self._aborted = True
        for sent in self._in_flight:
            sent.go.set()
        self._thread.shutdown(wait=True, cancel_futures=True)
