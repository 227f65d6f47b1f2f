"""The monthly aggregates an import keeps, and an interrupted import completed by a re-run."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from abm.accounts.models import Account
from abm.imports import orders
from abm.imports.services import import_file
from abm.sales.models import MonthlyAccountSales, OrderLine, Product
from tests.imports.conftest import aggregates, direct_aggregates

HEADER = "document;line;date;account;client;sku;product;quantity;revenue;margin\n"


def _random_file(seed: int, lines: int) -> str:
    rng, days = random.Random(seed), random.Random(0)  # same keys whatever the seed
    rows = []
    for i in range(lines):
        day = date(2025, 1, 1) + timedelta(days=days.randrange(200))
        account = rng.randrange(6)
        margin = "" if rng.random() < 0.2 else f"{rng.uniform(-5, 50):.2f}"
        rows.append(f"D{i // 3};{i % 3 + 1};{day.isoformat()};A{account};Client {account};"
                    f"S{rng.randrange(4)};Product;{rng.randrange(1, 9)};"
                    f"{rng.uniform(1, 500):.2f};{margin}")
    return HEADER + "\n".join(rows) + "\n"


def test_aggregates_equal_a_direct_computation_from_the_lines(session, write_file, do_import):
    do_import(write_file(_random_file(1, 600)))
    monthly, per_product = aggregates(session)
    assert len(monthly) > 20 and len(per_product) > 50
    assert (monthly, per_product) == direct_aggregates(session)


def test_a_corrected_file_keeps_aggregates_equal_to_the_lines(session, write_file, do_import):
    do_import(write_file(_random_file(2, 300)))
    corrected = do_import(write_file(_random_file(3, 300)))  # same keys, other values
    assert corrected.updated > 250
    assert aggregates(session) == direct_aggregates(session)


def test_a_line_moved_to_another_account_leaves_the_old_account_empty(
        session, write_file, do_import):
    do_import(write_file(HEADER + "D1;1;2025-03-03;A1;Client 1;S1;P;1;10;1\n"
                                  "D2;1;2025-03-03;A2;Client 2;S1;P;1;10;1\n"))
    do_import(write_file(HEADER + "D1;1;2025-03-03;A2;Client 2;S1;P;1;10;1\n"))
    monthly, _ = aggregates(session)
    assert [(r[5], r[6]) for r in monthly] == [(2, 2)]
    assert (monthly, aggregates(session)[1]) == direct_aggregates(session)


def test_an_interrupted_import_is_completed_by_a_rerun(session, write_file, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 100)
    path = write_file(_random_file(4, 450))
    commits = []

    def interrupt_after_two_batches(*_):
        session.commit()
        commits.append(1)
        if len(commits) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(session, path, "orders", on_batch=interrupt_after_two_batches)
    session.rollback()
    assert len(session.scalars(select(OrderLine.id)).all()) == 200  # two whole batches
    assert session.scalars(select(MonthlyAccountSales)).first() is None  # refresh not reached

    result = import_file(session, path, "orders", on_batch=lambda *_: session.commit())
    session.commit()
    assert (result.created, result.unchanged) == (250, 200)
    assert aggregates(session) == direct_aggregates(session)


def test_a_later_month_is_added_without_touching_the_earlier_ones(
        session, write_file, do_import, monkeypatch):
    monkeypatch.setattr(orders, "BATCH", 2)  # the month range spans batches
    do_import(write_file(HEADER + "D1;1;2025-01-10;A1;Client 1;S1;P;1;10;1\n"
                                  "D2;1;2025-03-10;A1;Client 1;S2;P;1;20;2\n"))
    do_import(write_file(HEADER + "D3;1;2025-05-10;A1;Client 1;S1;P;1;40;4\n"
                                  "D4;1;2025-05-11;A2;Client 2;S1;P;1;50;5\n"
                                  "D5;1;2025-02-10;A1;Client 1;S1;P;1;80;8\n"))
    monthly, per_product = aggregates(session)
    assert [(r[1], r[2]) for r in monthly] == [
        (date(2025, 1, 1), 10), (date(2025, 2, 1), 80), (date(2025, 3, 1), 20),
        (date(2025, 5, 1), 40), (date(2025, 5, 1), 50)]
    assert (monthly, per_product) == direct_aggregates(session)


def test_deleting_an_account_or_a_product_deletes_its_aggregates(session, write_file, do_import):
    do_import(write_file(_random_file(5, 200)))
    account_id, product_id = session.execute(select(OrderLine.account_id, OrderLine.product_id)
                                             .limit(1)).one()
    session.execute(delete(Account).where(Account.id == account_id))
    session.execute(delete(Product).where(Product.id == product_id))
    session.commit()
    monthly, per_product = aggregates(session)
    assert not [r for r in monthly if r[0] == account_id]
    assert not [r for r in per_product if r[0] == account_id or r[1] == product_id]
    # What is left still equals the lines (whose product the deletion set to NULL).
    assert monthly and per_product and (monthly, per_product) == direct_aggregates(session)
