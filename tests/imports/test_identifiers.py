"""Files as people have them: one account column, an identifier that is the account's code
and its name at once."""

from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from abm.accounts.models import Account, Contact
from abm.imports import orders, reading
from abm.imports.columns import detect_mapping
from abm.sales.models import OrderLine, Receivable


def _accounts(session) -> list[tuple]:
    return session.execute(select(Account.external_id, Account.name).order_by(Account.id)).all()


@pytest.mark.parametrize("header", ["Контрагент", "Клиент", "Покупатель", "КОНТРАГЕНТ",
                                    "account", "Customer", "client", "Buyer"])
def test_an_identifier_that_is_the_only_account_column_is_code_and_name(header):
    mapping = detect_mapping("orders", ["Дата", header, "Сумма"])
    assert (mapping["account"], mapping["account_name"]) == (1, 1)


def test_a_file_with_both_a_code_and_a_name_keeps_them_apart():
    mapping = detect_mapping("orders", ["Дата", "ИНН", "Контрагент", "Сумма"])
    assert (mapping["account"], mapping["account_name"]) == (1, 2)


def test_a_name_only_header_stays_a_name():
    mapping = detect_mapping("orders", ["Дата", "Наименование контрагента", "Сумма"])
    assert "account" not in mapping and mapping["account_name"] == 1


def test_a_1c_export_with_one_counterparty_column_imports_as_is_and_again_the_same(
        session, write_file, do_import):
    text = ("Документ;Дата;Контрагент;Сумма\n"
            "Реализация 1;01.03.2026;ООО Ромашка;1 000,50\n"
            "Реализация 2;02.03.2026;ИП Лютик;200\n"
            "Реализация 3;03.03.2026;ООО Ромашка;300\n")
    path = write_file(text, encoding="cp1251")
    first = do_import(path)
    assert (first.created, first.accounts_created, first.error_count) == (3, 2, 0)
    assert _accounts(session) == [("ООО Ромашка", "ООО Ромашка"), ("ИП Лютик", "ИП Лютик")]
    again = do_import(path)
    assert (again.unchanged, again.accounts_created) == (3, 0)
    assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_an_english_customer_column_imports_as_is(session, write_file, do_import):
    path = write_file("Date,Customer,Amount\n2026-03-01,Acme Ltd,10\n2026-03-02,Acme Ltd,5\n")
    assert do_import(path).created == 2
    assert _accounts(session) == [("Acme Ltd", "Acme Ltd")]
    assert do_import(path).unchanged == 2


def test_an_xlsx_with_one_buyer_column_imports_as_is(session, tmp_path, do_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Документ", "Дата", "Покупатель", "Сумма"])
    sheet.append(["D1", date(2026, 3, 1), "ООО Василёк", 12.5])
    sheet.append(["D2", date(2026, 3, 2), "ООО Василёк", 7])
    path = tmp_path / "sales.xlsx"
    workbook.save(path)
    assert do_import(path).created == 2
    assert do_import(path).unchanged == 2
    assert _accounts(session) == [("ООО Василёк", "ООО Василёк")]


def test_the_identifier_finds_an_account_by_its_code_or_else_by_its_name(
        session, accounts, write_file, do_import):
    result = do_import(write_file("Дата;Клиент;Сумма\n01.03.2026;C1;1\n02.03.2026;Beta;2\n"
                                  "03.03.2026;Gamma;3\n"))
    assert (result.created, result.accounts_created) == (3, 1)
    by_account = dict(session.execute(
        select(Account.name, func.sum(OrderLine.revenue)).join(OrderLine.account)
        .group_by(Account.name)).all())
    assert by_account == {"Alpha": 1.0, "Beta": 2.0, "Gamma": 3.0}
    assert ("Gamma", "Gamma") in _accounts(session)


def test_a_big_file_read_in_a_child_process_finds_the_same_accounts(
        session, accounts, write_file, do_import, monkeypatch):
    monkeypatch.setattr(reading, "CHILD_MIN_BYTES", 0)
    monkeypatch.setattr(orders, "BATCH", 2)
    path = write_file("Дата;Контрагент;Сумма\n01.03.2026;Beta;1\n02.03.2026;New one;2\n"
                      "03.03.2026;New one;3\n04.03.2026;C1;4\n")
    assert (do_import(path).created, session.scalar(select(func.count())
                                                     .select_from(Account))) == (4, 3)
    assert do_import(path).unchanged == 4
    assert _accounts(session)[-1] == ("New one", "New one")


def test_contacts_find_their_account_by_the_identifier_and_never_create_one(
        session, accounts, write_file, do_import):
    result = do_import(write_file("ФИО;Клиент;E-mail\nОльга;Beta;olga@x.io\nИван;C1;ivan@x.io\n"
                                  "Пётр;Nobody;petr@x.io\n"), kind="contacts")
    assert result.created == 2
    assert [(e["line"], e["column"], e["reason"]) for e in result.errors] == [
        (4, "Клиент", "unknown account")]
    owners = dict(session.execute(select(Contact.email, Contact.account_id)).all())
    assert owners == {"olga@x.io": accounts["C2"], "ivan@x.io": accounts["C1"]}
    assert session.scalar(select(func.count()).select_from(Account)) == 2


def test_receivables_with_one_customer_column_import_as_is(session, accounts, write_file,
                                                           do_import):
    path = write_file("Customer;Invoice;Due date;Amount\nBeta;INV-1;31.03.2026;100\n"
                      "Delta;INV-2;31.03.2026;50\n")
    assert do_import(path, kind="receivables").created == 2
    assert do_import(path, kind="receivables").unchanged == 2
    assert ("Delta", "Delta") in _accounts(session)
    assert session.scalar(select(Receivable.account_id).where(
        Receivable.document == "INV-1")) == accounts["C2"]
