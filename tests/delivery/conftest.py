"""Fixtures of the delivery tests: a real SMTP server on loopback and a committed database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from abm.app import create_app
from abm.db import get_db
from abm.delivery.transport import SMTPTransport
from abm.queue import worker_env
from tests.campaigns.conftest import make_accounts, sales  # noqa: F401 - shared fixtures


class Recorder:
    """An aiosmtpd handler that keeps what it accepts and replies as scripted per recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.replies: dict[str, list[str]] = {}  # sender or recipient -> replies, in order
        self.data_replies: dict[str, list[str]] = {}  # recipient -> replies to its message
        self.mail_options: list[list[str]] = []  # the MAIL parameters of each transaction
        self.on_message = None  # called with the number of messages accepted so far
        # ("mail", sender), ("rcpt", recipient) or ("data", recipient), in order.
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.events.append(("mail", address))
        script = self.replies.get(address)
        if script:
            return script.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.mail_options.append(list(mail_options))
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.events.append(("rcpt", address))
        script = self.replies.get(address)
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.events.append(("data", envelope.rcpt_tos[0]))
        script = self.data_replies.get(envelope.rcpt_tos[0])
        if script:
            return script.pop(0)
        with self.lock:
            self.messages.append((envelope.rcpt_tos[0], envelope.content))
            count = len(self.messages)
        if self.on_message is not None:
            self.on_message(count)
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return [to for to, _ in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(**options):
    recorder = Recorder()
    for attempt in range(3):  # a port taken by another process between look and bind
        controller = Controller(recorder, hostname="127.0.0.1", port=_free_port(), **options)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 2:
                raise
    recorder.url = f"smtp://127.0.0.1:{controller.port}"
    return recorder, controller


@pytest.fixture
def smtp_server():
    """A loopback SMTP server without SMTPUTF8 (aiosmtpd's Controller offers it unless told)."""
    recorder, controller = _serve(enable_SMTPUTF8=False)
    yield recorder
    controller.stop()


@pytest.fixture
def utf8_smtp_server():
    """A loopback SMTP server that offers SMTPUTF8 (RFC 6531)."""
    recorder, controller = _serve(enable_SMTPUTF8=True)
    yield recorder
    controller.stop()


@pytest.fixture
def transport(smtp_server):
    """An SMTP transport to the loopback server."""
    transport = SMTPTransport(smtp_server.url)
    yield transport
    transport.close()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The test app sending to the loopback SMTP server."""
    app.extensions["abm.settings"].smtp_url = smtp_server.url
    return app


@pytest.fixture
def live_app(migrated_database, redis_url, smtp_server, tmp_path):
    """An app on its own migrated database, whose commits real worker processes see."""
    url = migrated_database()
    app = create_app({"database_url": url, "redis_url": redis_url, "smtp_url": smtp_server.url,
                      "instance_path": str(tmp_path / "instance"), "secret_key": "test-secret",
                      "public_url": "http://abm.test", "TESTING": True})
    redis = app.extensions["abm.redis"].connection
    redis.flushdb()
    with app.app_context():
        yield app
    get_db(app).dispose()
    redis.flushdb()
    redis.close()


@pytest.fixture
def start_workers(live_app):
    """start_workers(n) -> worker processes in burst mode (the real ``abm worker`` command)."""
    processes = []
    env = worker_env(live_app)
    env["ABM_SMTP_URL"] = live_app.extensions["abm.settings"].smtp_url
    env["ABM_PUBLIC_URL"] = "http://abm.test"
    root = Path(__file__).resolve().parents[2]

    def start(n: int = 1, burst: bool = True) -> list[subprocess.Popen]:
        args = [sys.executable, "-c", "from abm.cli import main; main()", "worker"]
        started = [subprocess.Popen(args + (["--burst"] if burst else []), env=env, cwd=root,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    start_new_session=True)
                   for _ in range(n)]
        processes.extend(started)
        return started

    yield start
    for p in processes:
        kill_worker(p)
        if p.stderr:
            p.stderr.close()


def kill_worker(worker: subprocess.Popen) -> None:
    """kill -9 of a worker and its work horse, as the OOM killer or a crash would.

    RQ gives the work horse a process group of its own: killing the worker's
    group would leave it sending.
    """
    for pid in _tree(worker.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait()


def _tree(pid: int) -> list[int]:
    """``pid`` and every process under it, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(child for child, parent in parents.items() if parent == current)
    return found


