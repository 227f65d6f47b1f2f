"""The import as an RQ job on the ``imports`` queue, with progress on its run row."""

from sqlalchemy import func, select

from abm.imports import orders
from abm.imports.jobs import start_import
from abm.runs.models import JobRun, RunStatus
from abm.runs.services import Progress
from abm.sales.models import MonthlyAccountSales, OrderLine


def test_a_50k_line_file_imports_through_the_job_with_progress(
        session, accounts, tmp_path, run_jobs, monkeypatch):
    path = tmp_path / "orders.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("document;line;date;account;sku;quantity;revenue\n")
        for i in range(50_000):
            fh.write(f"D{i // 5};{i % 5 + 1};2026-{i % 12 + 1:02d}-15;C{i % 2 + 1};P1;1;"
                     f"{i % 997},50\n")
    monkeypatch.setattr(orders, "BATCH", 10_000)
    reported = []
    original = Progress.__call__

    def record(self, done, total=None, message=None):
        reported.append((done, total))
        original(self, done, total, message)

    monkeypatch.setattr(Progress, "__call__", record)

    job_id = start_import(str(path), "orders")
    run_jobs(["imports"])

    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FINISHED, run.error
    assert (run.queue, run.kind) == ("imports", "import:orders")
    assert run.result["created"] == 50_000 and run.result["errors"] == []
    assert run.percent == 100
    assert len(reported) == 5  # four batch commits, then the end
    assert [done for done, _ in reported] == sorted(done for done, _ in reported)
    assert all(0 < done <= total for done, total in reported[:-1])
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 50_000
    assert session.scalar(select(func.sum(MonthlyAccountSales.lines))) == 50_000


def test_a_file_that_cannot_be_imported_fails_the_run_with_its_message(
        session, tmp_path, run_jobs):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    job_id = start_import(str(path), "orders")
    run_jobs(["imports"])
    session.expire_all()
    run = session.get(JobRun, job_id)
    assert run.status == RunStatus.FAILED
    assert run.error == "the file is empty"
    # What the pages word in their reader's language, and the API's stable code.
    assert run.result == {"error_code": "empty", "error_params": {}}
