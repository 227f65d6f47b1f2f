"""Order lines in another currency than the workspace's: converted at the rate of their day,
or refused row by row; never summed as if equal."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.currencies.services import save_rate
from abm.imports import orders, reading
from abm.imports.results import ImportFileError
from abm.sales.models import MonthlyAccountSales, OrderLine
from abm.settings.services import set_settings

HEADER = "document;date;account code;revenue;margin;currency\n"


@pytest.fixture
def usd_rates(session):
    """1 USD is worth 0.9 EUR from 2026-01-01, and 0.8 EUR from 2026-03-01."""
    save_rate(session, currency="USD", rate=0.9, valid_from=date(2026, 1, 1), user_id=None)
    save_rate(session, currency="USD", rate=0.8, valid_from=date(2026, 3, 1), user_id=None)
    session.commit()


def _lines(session) -> list[tuple]:
    return session.execute(
        select(OrderLine.document, OrderLine.revenue, OrderLine.margin, OrderLine.currency,
               OrderLine.original_currency, OrderLine.original_revenue,
               OrderLine.original_margin).order_by(OrderLine.document)).all()


def test_a_line_in_another_currency_is_converted_at_the_rate_of_its_day(
        session, accounts, usd_rates, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;2026-02-28;C1;100;10;USD\n"
                                           "D2;2026-03-01;C1;100;;usd\n"
                                           "D3;2026-03-01;C1;50;5;EUR\n"))
    assert (result.created, result.error_count) == (3, 0)
    assert _lines(session) == [
        ("D1", 90.0, 9.0, "EUR", "USD", 100.0, 10.0),
        ("D2", 80.0, None, "EUR", "USD", 100.0, None),
        ("D3", 50.0, 5.0, "EUR", None, None, None),
    ]


def test_the_aggregates_sum_the_converted_amounts(session, accounts, usd_rates, write_file,
                                                  do_import):
    do_import(write_file(HEADER + "D1;2026-03-02;C1;100;;USD\nD2;2026-03-03;C1;50;;EUR\n"))
    revenue = session.scalar(select(MonthlyAccountSales.revenue).where(
        MonthlyAccountSales.account_id == accounts["C1"]))
    assert revenue == 130.0  # 100 USD at 0.8 and 50 EUR, never 150


def test_the_currency_chosen_for_the_file_applies_to_lines_without_one(
        session, accounts, usd_rates, write_file, do_import):
    do_import(write_file(HEADER + "D1;2026-02-01;C1;100;;\nD2;2026-02-01;C1;100;;EUR\n"),
              currency="USD")
    assert [row[1:5] for row in _lines(session)] == [(90.0, None, "EUR", "USD"),
                                                     (100.0, None, "EUR", None)]


def test_a_line_without_a_rate_is_refused_naming_its_line_column_and_the_missing_rate(
        session, accounts, usd_rates, write_file, do_import):
    result = do_import(write_file(HEADER + "D1;2026-03-01;C1;100;;RUB\n"
                                           "D2;2025-12-31;C1;100;;USD\n"
                                           "D3;2026-03-01;C1;100;;EUR\n"))
    assert result.created == 1
    assert result.errors == [
        {"line": 2, "column": "currency", "value": "RUB",
         "reason": "no exchange rate RUB→EUR on 2026-03-01; add one on the Exchange rates page",
         "code": "no_rate", "params": {"from": "RUB", "to": "EUR", "day": "2026-03-01"}},
        {"line": 3, "column": "currency", "value": "USD",
         "reason": "no exchange rate USD→EUR on 2025-12-31; add one on the Exchange rates page",
         "code": "no_rate", "params": {"from": "USD", "to": "EUR", "day": "2025-12-31"}},
    ]


def test_without_a_currency_column_the_missing_rate_is_reported_on_the_amount(
        session, accounts, write_file, do_import):
    result = do_import(write_file("Документ;Дата;ИНН;Сумма\nD1;01.03.2026;C1;12,50\n"),
                       currency="RUB")
    assert result.created == 0
    assert [(e["line"], e["column"], e["value"], e["reason"]) for e in result.errors] == [
        (2, "Сумма", "12,50",
         "no exchange rate RUB→EUR on 2026-03-01; add one on the Exchange rates page")]


def test_a_strict_import_with_a_missing_rate_imports_nothing(session, accounts, write_file,
                                                             do_import):
    result = do_import(write_file(HEADER + "D1;2026-03-01;C1;100;;EUR\nD2;2026-03-01;C1;1;;GBP\n"),
                       strict=True)
    assert (result.created, result.error_count) == (0, 1)
    assert session.scalar(select(OrderLine.id)) is None


def test_the_workspace_currency_is_the_default_currency_of_a_file(session, accounts, write_file,
                                                                  do_import):
    set_settings(session, {"workspace.currency": "RUB"})
    session.commit()
    do_import(write_file(HEADER + "D1;2026-03-01;C1;1500;;\n"))
    assert [row[1:5] for row in _lines(session)] == [(1500.0, None, "RUB", None)]


def test_a_line_in_the_old_default_currency_needs_a_rate_in_a_rouble_workspace(
        session, accounts, write_file, do_import):
    set_settings(session, {"workspace.currency": "RUB"})
    save_rate(session, currency="EUR", rate=100, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    result = do_import(write_file(HEADER + "D1;2026-03-01;C1;12.5;2;EUR\n"))
    assert result.error_count == 0
    assert _lines(session) == [("D1", 1250.0, 200.0, "RUB", "EUR", 12.5, 2.0)]


def test_reimporting_a_converted_file_changes_nothing_and_a_new_rate_updates_it(
        session, accounts, usd_rates, write_file, do_import):
    path = write_file(HEADER + "D1;2026-03-05;C1;100;;USD\n")
    do_import(path)
    assert do_import(path).unchanged == 1
    save_rate(session, currency="USD", rate=0.85, valid_from=date(2026, 3, 5), user_id=None)
    session.commit()
    assert do_import(path).updated == 1
    assert _lines(session)[0][1] == 85.0


def test_an_unknown_file_currency_stops_the_import(session, accounts, write_file, do_import):
    with pytest.raises(ImportFileError, match="'XYZ' is not an ISO 4217 currency code"):
        do_import(write_file(HEADER + "D1;2026-03-01;C1;1;;\n"), currency="XYZ")


def test_a_big_file_read_in_a_child_process_converts_the_same_way(
        session, accounts, usd_rates, write_file, do_import, monkeypatch):
    monkeypatch.setattr(reading, "CHILD_MIN_BYTES", 0)
    monkeypatch.setattr(orders, "BATCH", 2)
    result = do_import(write_file(HEADER + "D1;2026-02-28;C1;100;10;USD\n"
                                           "D2;2026-03-01;C1;100;;RUB\n"
                                           "D3;2026-03-01;C1;50;5;\n"))
    assert (result.created, [e["line"] for e in result.errors]) == (2, [3])
    assert result.errors[0]["code"] == "no_rate"
    assert [row[1:6] for row in _lines(session)] == [(90.0, 9.0, "EUR", "USD", 100.0),
                                                     (50.0, 5.0, "EUR", None, None)]


def test_a_line_given_again_in_the_workspace_currency_loses_its_originals(
        session, accounts, usd_rates, write_file, do_import):
    do_import(write_file(HEADER + "D1;2026-03-05;C1;100;10;USD\nD2;2026-03-05;C1;7;;\n"))
    result = do_import(write_file(HEADER + "D1;2026-03-05;C1;70;7;EUR\nD2;2026-03-05;C1;7;;\n"))
    assert (result.updated, result.unchanged) == (1, 1)
    assert _lines(session) == [("D1", 70.0, 7.0, "EUR", None, None, None),
                               ("D2", 7.0, None, "EUR", None, None, None)]


def test_receivables_without_a_currency_take_the_file_currency(session, accounts, write_file,
                                                               do_import):
    from abm.sales.models import Receivable

    do_import(write_file("account code;document;due date;amount;currency\n"
                         "C1;INV-1;31.03.2026;100;\nC1;INV-2;31.03.2026;5;usd\n"),
              kind="receivables", currency="RUB")
    assert session.execute(select(Receivable.document, Receivable.currency)
                           .order_by(Receivable.document)).all() == [("INV-1", "RUB"),
                                                                     ("INV-2", "USD")]
