"""Redis and workers: the embedded server, queues, job runs and their progress."""

import os
import subprocess
import sys
import time

from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import create_engine, text

from abm.queue import (
    QUEUES,
    EmbeddedRedis,
    PromptExit,
    Worker,
    get_redis,
    redis_server_binary,
)
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import enqueue_tracked, tracked
from tests import jobs_for_tests


class QuickWorker(PromptExit, SimpleWorker):
    pass


def test_embedded_redis_starts_serves_rq_and_stops(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    try:
        connection = Redis(unix_socket_path=str(server.socket))
        queue = Queue("default", connection=connection)
        job = queue.enqueue(jobs_for_tests.add, 2, 3)
        QuickWorker([queue], connection=connection).work(burst=True)
        assert job.latest_result().return_value == 5
    finally:
        server.stop()
    assert server.process is None
    assert not server.answering()


def test_a_second_user_of_the_embedded_redis_shares_the_running_server(tmp_path):
    first = EmbeddedRedis(tmp_path).start()
    try:
        second = EmbeddedRedis(tmp_path).start()
        assert second.process is None  # found the running one
        Redis(unix_socket_path=str(second.socket)).set("k", "v")
        assert Redis(unix_socket_path=str(first.socket)).get("k") == b"v"
        second.stop()
        assert first.answering()  # only the starter stops it
    finally:
        first.stop()


def test_the_embedded_redis_is_the_same_binary_whatever_the_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    without = redis_server_binary()
    monkeypatch.setenv("PATH", "/usr/local/bin:/usr/bin:/bin")
    assert redis_server_binary() == without


def test_a_save_written_by_another_redis_version_is_set_aside(tmp_path):
    folder = tmp_path / "redis"
    folder.mkdir()
    (folder / "redis.rdb").write_bytes(b"REDIS0099" + b"\x00" * 64)  # a format from the future
    server = EmbeddedRedis(folder).start()
    try:
        assert server.answering()
        assert [p.name.split("-")[0] for p in folder.glob("redis.rdb.unreadable-*")] == [
            "redis.rdb.unreadable"]
        assert "moved to redis.rdb.unreadable-" in (folder / "redis.log").read_text()
    finally:
        server.stop()


def test_a_burst_worker_exits_as_soon_as_the_queues_are_empty(app):
    started = time.monotonic()
    worker = Worker([get_redis().queue("default")], connection=get_redis().connection)
    worker.work(burst=True)
    assert time.monotonic() - started < 10  # not the minute its command thread sleeps


def test_the_queues_are_named_by_purpose(app):
    assert QUEUES == ("default", "imports", "analytics", "campaigns")
    assert get_redis().queue("imports").name == "imports"


def test_an_unknown_queue_is_refused(app):
    import pytest

    with pytest.raises(ValueError, match="unknown queue 'mail'"):
        get_redis().queue("mail")


def test_a_job_run_by_a_worker_records_its_progress_and_result(app, session, run_jobs):
    job_id = enqueue_tracked(jobs_for_tests.count_to, 5, queue="analytics", kind="count")
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.QUEUED and run.queue == "analytics"
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED
    assert (run.done, run.total, run.percent) == (5, 5, 100)
    assert run.result == {"counted": 5}
    assert run.message == "counted 5 of 5"
    assert run.started_at <= run.finished_at


def test_a_failing_job_records_its_error(app, session, run_jobs):
    job_id = enqueue_tracked(jobs_for_tests.fail, "the file is empty", queue="imports")
    run_jobs()
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FAILED
    assert run.error == "the file is empty"


def test_a_tracked_function_runs_as_a_plain_call_outside_a_worker(app):
    @tracked
    def double(x, progress):
        progress(1, 1)
        return {"x": 2 * x}

    assert double(4) == {"x": 8}


def test_a_forked_worker_process_runs_jobs_against_the_database(migrated_database, redis_url,
                                                                 tmp_path):
    """The production path: `abm worker` forks a work horse per job."""
    from abm.app import create_app

    url = migrated_database()
    config = {"database_url": url, "redis_url": redis_url, "instance_path": str(tmp_path)}
    app = create_app(config)
    with app.app_context():
        job_id = enqueue_tracked(jobs_for_tests.count_to, 3)
    env = dict(os.environ, ABM_DATABASE_URL=url, ABM_REDIS_URL=redis_url,
               ABM_INSTANCE_PATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "abm.cli", "worker", "--burst"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT status, done FROM job_runs WHERE id = :id"),
                               {"id": job_id}).one()
    finally:
        engine.dispose()
        app.extensions["abm.db"].dispose()
        get_redis(app).connection.flushdb()
    assert tuple(row) == ("finished", 3), result.stderr[-3000:]


def test_a_run_shows_its_progress_as_json_to_its_owner(app, client, auth, session, run_jobs):
    from abm.users.models import User

    auth.login("sales")
    owner = session.query(User).filter_by(email="sales@test.local").one()
    job_id = enqueue_tracked(jobs_for_tests.count_to, 4, user_id=owner.id)
    assert client.get(f"/runs/{job_id}").get_json()["status"] == "queued"
    run_jobs()
    body = client.get(f"/runs/{job_id}").get_json()
    assert (body["status"], body["percent"], body["result"]) == ("finished", 100, {"counted": 4})


def test_a_run_of_another_user_is_hidden(app, client, auth, session):
    from abm.users.services import create_user

    other = create_user(session, email="o@x.io", name="O", role="sales", password="pw")
    session.commit()
    job_id = enqueue_tracked(jobs_for_tests.count_to, 1, user_id=other.id)
    auth.login("sales")
    assert client.get(f"/runs/{job_id}").status_code == 404
    assert client.get("/runs/nope").status_code == 404
