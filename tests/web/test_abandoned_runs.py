"""The pages following a run whose worker died say that it failed and why, in the reader's
language; the dashboard stops saying that analytics are being refreshed."""

from __future__ import annotations

import uuid

import pytest

from abm.analytics.refresh import REFRESH_KIND
from abm.runs import jobs
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import create_run

ENGLISH = "The worker running it stopped before it finished."
RUSSIAN = "Фоновый обработчик, выполнявший задачу, остановился, не закончив её."


def _running(session, kind: str, user_id: int | None = None) -> str:
    """A run a worker started, whose job is no longer in Redis: the worker died with it."""
    run_id = uuid.uuid4().hex
    create_run(session, run_id, kind=kind, queue="analytics", user_id=user_id)
    session.get(JobRun, run_id).status = RunStatus.STARTED
    session.commit()
    return run_id


def _closed(session, run_id: str) -> None:
    assert jobs.close_abandoned_runs() == [run_id]  # what the workers' maintenance runs
    session.expire_all()
    assert session.get(JobRun, run_id).status == RunStatus.FAILED


@pytest.mark.parametrize(("kind", "page"), [
    ("import:orders", "/imports/runs/{}"),
    (REFRESH_KIND, "/analytics/refresh/{}"),
    ("segmentation", "/segments/runs/{}"),
])
@pytest.mark.parametrize(("language", "reason"), [("en", ENGLISH), ("ru", RUSSIAN)])
def test_the_page_of_a_run_whose_worker_died_says_it_failed_and_why(
        client, login, session, kind, page, language, reason):
    manager = login("manager")
    client.post("/language", data={"lang": language})
    run_id = _running(session, kind, manager.id)
    before = client.get(page.format(run_id)).get_data(as_text=True)
    assert 'http-equiv="refresh"' in before and reason not in before
    _closed(session, run_id)
    after = client.get(page.format(run_id)).get_data(as_text=True)
    assert reason in after
    assert 'data-status="failed"' in after
    assert 'http-equiv="refresh"' not in after  # it stops waiting


def test_the_progress_of_a_run_whose_worker_died_gives_the_reason_in_russian(
        client, login, session):
    manager = login("manager")
    client.post("/language", data={"lang": "ru"})
    run_id = _running(session, "import:orders", manager.id)
    _closed(session, run_id)
    body = client.get(f"/runs/{run_id}").get_json()
    assert (body["status"], body["error"]) == ("failed", RUSSIAN)


def test_the_dashboard_stops_saying_analytics_are_refreshed_once_the_refresh_died(
        client, login, session):
    login("manager")
    run_id = _running(session, REFRESH_KIND)
    assert 'id="refreshing"' in client.get("/").get_data(as_text=True)
    _closed(session, run_id)
    assert 'id="refreshing"' not in client.get("/").get_data(as_text=True)
