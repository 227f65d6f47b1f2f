"""The end-to-end suite: the real ``abm serve`` as a user starts it, driven in Chromium.

Each server is the command a user runs, in a subprocess, on an empty instance
folder: it migrates, loads the demo data, starts its worker, scheduler and
embedded Redis, and prints the demo logins, which the tests read. With
``ABM_TEST_DATABASE_URL`` set it runs on a fresh PostgreSQL database instead of
its SQLite file. Pages are driven in Debian's Chromium through Playwright.

Screenshots go to ``build/screenshots/`` (or ``ABM_SCREENSHOTS``), one folder
per language, so that a reviewer can look at what users see.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.backends import create_postgres_database
from tests.conftest import CHROMIUM, ROOT

SCREENSHOTS = Path(os.environ.get("ABM_SCREENSHOTS") or ROOT / "build" / "screenshots")
START_SECONDS = 180  # the first run migrates and loads the demo data

pytestmark = pytest.mark.e2e


def _skip_without_chromium(items) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath) and not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(
                reason=f"the end-to-end suite needs Chromium at {CHROMIUM} (Debian package "
                       "'chromium')"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def abm_command() -> str:
    """The ``abm`` script installed beside this interpreter (what `make run` starts)."""
    return str(Path(sys.executable).parent / "abm")


@dataclass
class Served:
    """A running ``abm serve``: its address, instance folder, log and demo logins."""

    url: str
    instance: Path
    log: Path
    process: subprocess.Popen
    logins: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> email, password
    drop_database: Callable[[], None] | None = None  # its PostgreSQL database, if any

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def outbox(self) -> list[Path]:
        folder = self.instance / "outbox"
        return sorted(folder.rglob("*.eml")) if folder.exists() else []

    def stop(self, signum: int = signal.SIGINT, *, group: bool = True) -> float:
        """Stop it as a terminal (Ctrl-C to the group) or a supervisor (SIGTERM) would;
        returns the seconds it took."""
        started = time.monotonic()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(self.process.pid, signum)
                else:
                    self.process.send_signal(signum)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return time.monotonic() - started

    def leftovers(self) -> list[str]:
        """Processes it started that are still running (its group, or naming its folder)."""
        found = set()
        for args in (["pgrep", "-g", str(self.process.pid)], ["pgrep", "-f", str(self.instance)]):
            found.update(subprocess.run(args, capture_output=True, text=True).stdout.split())
        return sorted(found)


def start_server(folder: Path, *, demo: bool = True, env: dict | None = None) -> Served:
    """Start ``abm serve`` on a free port over an empty instance folder; wait for its login.

    A port another process took between our look and the server's bind (two pytest-xdist
    workers may look at once) is tried again with another."""
    for _attempt in range(3):
        try:
            return _start_server(folder, demo=demo, env=env)
        except PortTaken:
            continue
    raise AssertionError("no free port for abm serve after three tries")


class PortTaken(Exception):
    pass


def _start_server(folder: Path, *, demo: bool, env: dict | None) -> Served:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ABM_")}
    # The suite's cheap password hashing (tests/conftest.py): the demo users and every log-in.
    environ.update(ABM_INSTANCE_PATH=str(folder), PYTHONUNBUFFERED="1",
                   ABM_PASSWORD_HASH=os.environ["ABM_PASSWORD_HASH"], **(env or {}))
    server_url, drop = os.environ.get("ABM_TEST_DATABASE_URL"), None
    if server_url and "ABM_DATABASE_URL" not in environ:
        environ["ABM_DATABASE_URL"], drop = create_postgres_database(server_url)
    log = folder / "serve.log"
    args = [abm_command(), "serve", "--port", str(port)] + ([] if demo else ["--no-demo"])
    with log.open("w") as out:
        process = subprocess.Popen(args, env=environ, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, cwd=folder)
    served = Served(f"http://127.0.0.1:{port}", folder, log, process, drop_database=drop)
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            if drop is not None:
                drop()
            if "Address already in use" in served.output():
                raise PortTaken(port)
            raise AssertionError(f"abm serve exited with {process.returncode}:\n{served.output()}")
        if _answers(served.url + "/login"):
            break
        if time.monotonic() > deadline:
            finish(served)
            raise AssertionError(f"no login page within {START_SECONDS} s:\n{served.output()}")
        time.sleep(0.5)
    for role, email, password in re.findall(r"demo login \((\w+)\): (\S+) / (\S+)",
                                            served.output()):
        served.logins[role] = (email, password)
    return served


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def finish(server: Served, signum: int = signal.SIGINT) -> float:
    """Stop a server, check that nothing it started is left, drop its database;
    returns the seconds the stop took."""
    try:
        took = server.stop(signum)
        left = server.leftovers()
        assert not left, f"still running after the stop: {left}\n{server.output()[-2000:]}"
    finally:
        if server.drop_database is not None:
            server.drop_database()
    return took


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    """The product as a new user first meets it: `abm serve` on an empty instance folder."""
    server = start_server(tmp_path_factory.mktemp("first-run"))
    yield server
    took = finish(server)
    assert took < 10, f"Ctrl-C took {took:.1f} s"


class Visitor:
    """A browser context (its own cookies) logged in as one role, in one language."""

    def __init__(self, browser, served: Served, *, lang: str = "en",
                 width: int = 1366, height: int = 900) -> None:
        self.served = served
        self.lang = lang
        self.context = browser.new_context(
            locale="ru-RU" if lang == "ru" else "en-GB", accept_downloads=True,
            viewport={"width": width, "height": height})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str):
        response = self.page.goto(self.served.url + path)
        assert response is not None and response.status < 500, f"{path}: {response.status}"
        return response

    def log_in(self, role: str) -> Visitor:
        email, password = self.served.logins[role]
        self.page.goto(self.served.url + "/login")
        if self.lang == "ru":
            self.page.click("button[lang=ru]")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(self.served.url + "/")
        return self

    def shot(self, name: str) -> Path:
        folder = SCREENSHOTS / self.lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def overflow(self) -> int:
        """How many pixels the page is wider than the window (0: no horizontal scroll)."""
        return self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, served) -> Iterator[Callable[..., Visitor]]:
    """``visit(role, lang="en")``: a logged-in browser of that role on the first-run server."""
    opened: list[Visitor] = []

    def open_as(role: str | None = None, **options) -> Visitor:
        visitor = Visitor(browser, served, **options)
        opened.append(visitor)
        return visitor.log_in(role) if role else visitor

    yield open_as
    for visitor in opened:
        visitor.close()


def pytest_collection_modifyitems(config, items):
    _skip_without_chromium(items)
    # A journey that waits for a clock (a campaign scheduled minutes ahead) is begun by
    # its fixture early and checked last, so that the other journeys fill the wait.
    items.sort(key=lambda item: item.get_closest_marker("finish_last") is not None)


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) offering SMTPUTF8: what recipients get."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str, bytes]] = []  # arrival, recipient, raw message
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((time.time(), rcpt, envelope.original_content
                                      or envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[tuple[float, bytes]]:
        with self.lock:
            return [(at, raw) for at, rcpt, raw in self.messages if rcpt == address]


@pytest.fixture(scope="session")
def inbox() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    handler = Inbox()
    for attempt in range(3):  # a port taken by another process between look and bind
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(),
                                enable_SMTPUTF8=True)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 2:
                raise
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def served_mail(tmp_path_factory, inbox) -> Iterator[Served]:
    """A second first run, whose messages go to the loopback SMTP server, not a folder."""
    server = start_server(tmp_path_factory.mktemp("with-smtp"), env={"ABM_SMTP_URL": inbox.url})
    yield server
    finish(server)


@pytest.fixture
def visit_mail(browser, served_mail) -> Iterator[Callable[..., Visitor]]:
    """``visit_mail(role)``: a logged-in browser on the server that sends by SMTP."""
    opened: list[Visitor] = []

    def open_as(role: str, **options) -> Visitor:
        visitor = Visitor(browser, served_mail, **options)
        opened.append(visitor)
        return visitor.log_in(role)

    yield open_as
    for visitor in opened:
        visitor.close()
