"""The monthly aggregates never lag the order lines without a trace: every commit of an
import carries a row naming the months to rebuild, and an import that died (kill -9) is
repaired by the next one."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, delete, func, insert, select
from sqlalchemy.orm import Session

from abm.db import upgrade, utcnow
from abm.imports import consistency, orders
from abm.imports.consistency import StaleMonths, repair_stale_aggregates
from abm.imports.models import StaleAggregateMonths
from abm.imports.services import import_file
from abm.sales.models import MonthlyAccountSales, OrderLine
from tests.imports.conftest import aggregates, direct_aggregates

HEADER = "document;line;date;account;client;sku;product;quantity;revenue\n"


def _file(lines: int, first_day: date = date(2025, 1, 1), days: int = 365) -> str:
    rows = [f"D{i // 3};{i % 3 + 1};{first_day + timedelta(days=i * days // lines)};"
            f"A{i % 40};Client {i % 40};S{i % 9};Product {i % 9};{i % 5 + 1};{i % 97 + 1}.50"
            for i in range(lines)]
    return HEADER + "\n".join(rows) + "\n"


def _months(session) -> tuple[date, date]:
    return session.execute(select(func.min(OrderLine.month), func.max(OrderLine.month))).one()


def test_every_commit_carries_the_months_its_lines_span(session, write_file, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 100)
    seen = []

    def on_batch(*_):
        session.commit()
        marker = session.execute(select(StaleAggregateMonths.first_month,
                                        StaleAggregateMonths.last_month)).one()
        seen.append((tuple(marker), _months(session)))

    import_file(session, write_file(_file(450)), "orders", on_batch=on_batch)
    session.commit()
    assert len(seen) == 4
    assert all(marker == months for marker, months in seen)
    assert seen[0][0] != seen[-1][0]  # widened as the lines came
    assert session.scalar(select(func.count()).select_from(StaleAggregateMonths)) == 0
    assert aggregates(session) == direct_aggregates(session)


def _break_aggregates(session) -> None:
    """What a killed import leaves: lines without their aggregates, and its row."""
    session.execute(delete(MonthlyAccountSales))
    first, last = _months(session)
    session.execute(insert(StaleAggregateMonths).values(
        first_month=first, last_month=last, owner=f"{consistency._host()}:999999999:dead",
        updated_at=utcnow()))
    session.commit()


def test_the_months_an_import_left_behind_are_rebuilt_by_the_next_import(
        session, write_file, do_import):
    do_import(write_file(_file(300)))
    _break_aggregates(session)
    do_import(write_file(_file(3, date(2027, 6, 1), 1)))  # other lines, other months
    assert aggregates(session) == direct_aggregates(session)
    assert session.scalar(select(func.count()).select_from(StaleAggregateMonths)) == 0


def test_the_row_of_an_import_still_running_is_left_alone(session, write_file, do_import):
    do_import(write_file(_file(30)))
    with StaleMonths(session) as running:
        running.cover(["2025-01-01", "2025-03-01"])
        assert repair_stale_aggregates(session) == 0
    assert repair_stale_aggregates(session) == 1  # its import ended without clearing it


@pytest.mark.parametrize(("age_minutes", "repaired"), [(1, 0), (60, 1)])
def test_a_row_of_another_machine_is_repaired_once_it_went_stale(session, age_minutes,
                                                                 repaired):
    session.execute(insert(StaleAggregateMonths).values(
        first_month=date(2025, 1, 1), last_month=date(2025, 2, 1),
        owner="elsewhere.example:123:abc",
        updated_at=utcnow() - timedelta(minutes=age_minutes)))
    assert repair_stale_aggregates(session) == repaired


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_an_import_killed_with_sigkill_is_repaired_by_the_next_import(
        fresh_database, redis_url, tmp_path):
    """The real thing: ``abm import`` in its own process, killed after its first commit."""
    url = fresh_database()
    upgrade(url)
    engine = create_engine(url)
    lines = 150_000  # three batches of 50,000: the kill falls between two commits
    big = tmp_path / "big.csv"
    big.write_text(_file(lines, days=700))
    env = dict(os.environ, ABM_DATABASE_URL=url, ABM_REDIS_URL=redis_url,
               ABM_INSTANCE_PATH=str(tmp_path / "instance"))
    command = [sys.executable, "-m", "abm.cli", "import", "orders"]
    try:
        child = subprocess.Popen([*command, str(big)], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while _count(engine, StaleAggregateMonths) == 0:  # the first batch is committed
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stderr.close()
        with Session(engine) as session:
            written = session.scalar(select(func.count()).select_from(OrderLine))
            assert 0 < written < lines
            marker = session.execute(select(StaleAggregateMonths)).scalar_one()
            assert (marker.first_month, marker.last_month) == _months(session)
            assert aggregates(session) != direct_aggregates(session)  # behind, as recorded

        small = tmp_path / "small.csv"
        small.write_text(_file(3, date(2028, 1, 1), 1))
        rerun = subprocess.run([*command, str(small)], env=env, capture_output=True,
                               text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        with Session(engine) as session:
            assert aggregates(session) == direct_aggregates(session)
            assert session.scalar(select(func.count()).select_from(StaleAggregateMonths)) == 0
    finally:
        engine.dispose()


def test_the_periodic_job_repairs_what_a_dead_import_left(app, session, write_file, do_import):
    from abm.imports.jobs import repair_aggregates

    do_import(write_file(_file(60)))
    _break_aggregates(session)
    assert repair_aggregates() == 1
    assert aggregates(session) == direct_aggregates(session)
    assert repair_aggregates() == 0
