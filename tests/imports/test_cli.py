"""``abm import``: output formats, exit codes, mappings, and no tracebacks."""

import json

import pytest
from sqlalchemy import func, select

from abm.cli import cli
from abm.sales.models import OrderLine

ORDERS = "Документ;Дата;ИНН;Контрагент;Сумма\nD1;31.10.2026;7701;Ромашка;10\n"


def _invoke(runner, *args):
    return runner.invoke(cli, args=["import", *map(str, args)])


def test_json_output_has_the_counts_and_errors(runner, write_file):
    path = write_file(ORDERS + "D2;31.10.2026;7701;Ромашка;oops\n")
    result = _invoke(runner, "orders", path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["created"], data["updated"], data["unchanged"]) == (1, 0, 0)
    assert data["errors"] == [{"line": 3, "column": "Сумма", "value": "oops",
                               "reason": "not a number"}]


def test_a_clean_import_exits_zero_with_a_text_summary(runner, write_file):
    result = _invoke(runner, "orders", write_file(ORDERS))
    assert result.exit_code == 0, result.output
    assert "Order lines (shipments): 1 created, 0 updated, 0 unchanged, 0 bad rows" in result.stdout
    assert "also created 1 accounts and 0 products" in result.stdout


def test_a_command_line_import_is_audited(runner, session, write_file):
    from abm.audit.models import AuditEvent

    path = write_file(ORDERS)
    assert _invoke(runner, "orders", path).exit_code == 0
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.target == f"file:{path.name}"
    assert event.actor_id is None
    assert (event.details["event"], event.details["created"]) == ("finished", 1)


def test_strict_says_nothing_was_imported(runner, session, write_file):
    result = _invoke(runner, "orders", write_file(ORDERS + "D2;31.10.2026;7701;Ромашка;x\n"),
                     "--strict")
    assert result.exit_code == 1
    assert "nothing imported (--strict)" in result.stdout
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 0


@pytest.mark.parametrize(("content", "args", "message"), [
    (b"", (), "the file is empty"),
    (bytes(range(256)), (), "this is a binary file"),
    ("Дата;Контрагент\n31.10.2026;X\n".encode(), (), "missing required column: revenue"),
    (ORDERS.encode(), ("--sheet", "Data"), "--sheet applies to XLSX files only"),
    (ORDERS.encode(), ("--map", "price=Сумма"), "orders have no field 'price'"),
    (ORDERS.encode(), ("--map", "revenue"), "write FIELD=HEADER"),
    (ORDERS.encode(), ("--use-map", "nope"), "no saved orders mapping named 'nope'"),
])
def test_a_file_that_cannot_be_imported_exits_2_with_one_message(
        runner, write_file, content, args, message):
    result = _invoke(runner, "orders", write_file(content), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1


def test_a_missing_file_exits_2_naming_the_path_given(runner, tmp_path):
    result = _invoke(runner, "orders", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert f"cannot open {tmp_path / 'nope.csv'}: " in result.stderr


def test_a_refused_file_is_named_by_the_path_given(runner, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "orders.csv").write_bytes(b"Doc;Da\x00te\nD1;2026-10-31\n")
    monkeypatch.chdir(tmp_path)
    result = _invoke(runner, "orders", "exports/orders.csv")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: exports/orders.csv, line 1, column 2: control "
                                    "character U+0000"), result.stderr


def test_an_explicit_mapping_can_be_saved_and_reused(runner, session, write_file):
    text = "Когда;Кто;Деньги\n31.10.2026;Ромашка;10\n"
    saved = _invoke(runner, "orders", write_file(text), "--map", "date=Когда", "--map",
                    "account_name=Кто", "--map", "revenue=Деньги", "--save-map", "erp")
    assert saved.exit_code == 0, saved.output
    reused = _invoke(runner, "orders", write_file(text.replace("10\n", "10\n01.11.2026;Б;5\n")),
                     "--use-map", "erp", "--format", "json")
    assert reused.exit_code == 0, reused.output
    assert json.loads(reused.stdout)["created"] == 1


def test_a_wrong_xlsx_sheet_exits_2_naming_the_sheets(runner, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Продажи"
    workbook.active.append(["Дата", "Клиент", "Сумма"])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    result = _invoke(runner, "orders", path, "--sheet", "Sales")
    assert result.exit_code == 2
    assert "no sheet named 'Sales'; the sheets are: Продажи" in result.stderr


def test_the_currency_option_converts_at_the_exchange_rates(runner, session, write_file):
    from datetime import date

    from abm.currencies.services import save_rate

    save_rate(session, currency="USD", rate=0.5, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    result = _invoke(runner, "orders", write_file(ORDERS), "--currency", "usd")
    assert result.exit_code == 0, result.output
    assert session.execute(select(OrderLine.revenue, OrderLine.original_currency,
                                  OrderLine.original_revenue)).one() == (5.0, "USD", 10.0)


def test_an_unknown_currency_option_exits_two_with_a_message(runner, write_file):
    result = _invoke(runner, "orders", write_file(ORDERS), "--currency", "EURO")
    assert result.exit_code == 2
    assert "'EURO' is not an ISO 4217 currency code" in result.stderr
