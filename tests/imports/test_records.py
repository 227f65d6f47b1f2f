"""Accounts, contacts, products and receivables: upserts on their natural keys."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Account, AccountKind, Contact
from abm.sales.models import Product, Receivable


def test_accounts_are_created_then_updated_on_their_external_id(session, write_file, do_import):
    first = do_import(write_file("ИНН;Наименование;Город;Сотрудники;Тип\n"
                                 "7701;ООО Ромашка;Москва;120;клиент\n"
                                 "7702;ИП Иванов;Тверь;;lead\n"),
                      kind="accounts")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = do_import(write_file("ИНН;Наименование;Город;Сотрудники;Тип\n"
                                 "7701;ООО Ромашка;Москва;130;клиент\n"
                                 "7702;ИП Иванов;Тверь;;lead\n"),
                      kind="accounts")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    romashka = session.scalar(select(Account).filter_by(external_id="7701"))
    assert (romashka.name, romashka.city, romashka.employees) == ("ООО Ромашка", "Москва", 130)
    ivanov = session.scalar(select(Account).filter_by(external_id="7702"))
    assert ivanov.kind == AccountKind.PROSPECT


def test_account_rows_with_bad_values_are_reported(session, write_file, do_import):
    result = do_import(write_file("external_id,name,kind,country,employees\n"
                                  "C1,Acme,partner,DE,1\nC2,Beta,customer,Germany,1\n"
                                  "C3,,customer,DE,1\nC4,Delta,customer,DE,-3\n"
                                  "C5,Eps,customer,de,2\nC5,Eps again,customer,DE,2\n"),
                       kind="accounts")
    assert result.created == 1
    assert [(e["line"], e["column"], e["reason"]) for e in result.errors] == [
        (2, "kind", "not customer or prospect"),
        (3, "country", "longer than 2 characters"),
        (4, "name", "missing value"),
        (5, "employees", "negative value not allowed"),
        (7, "external_id", "duplicate key in the file"),
    ]
    assert session.scalar(select(Account.country).filter_by(external_id="C5")) == "DE"


def test_contacts_are_keyed_by_external_id_or_by_account_and_email(
        session, accounts, write_file, do_import):
    path = write_file("Контакт;ИНН;E-mail;Должность;Дата рождения;Код контакта\n"
                      "Ольга;C1;Olga@X.io;Закупки;08.03.1990;\n"
                      "Иван;C2;;Склад;;K-7\n")
    assert do_import(path, kind="contacts").created == 2
    result = do_import(write_file("Контакт;ИНН;E-mail;Должность;Дата рождения;Код контакта\n"
                                  "Ольга;C1;olga@x.io;Директор;08.03.1990;\n"
                                  "Иван;C2;;Склад;;K-7\n"), kind="contacts")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    olga = session.scalar(select(Contact).filter_by(email="olga@x.io"))
    assert (olga.position, olga.birthday) == ("Директор", date(1990, 3, 8))


def test_a_contact_without_external_id_or_email_is_reported(
        session, accounts, write_file, do_import):
    result = do_import(write_file("name;account;email\nOlga;C1;\nIvan;C9;i@x.io\nPetr;C1;nope\n"),
                       kind="contacts")
    assert [(e["line"], e["column"], e["reason"]) for e in result.errors] == [
        (2, "email", "a contact needs an external id or an email"),
        (3, "account", "unknown account"),
        (4, "email", "not a valid email address: An email address must have an @-sign."),
    ]


def test_contact_addresses_are_validated_and_stored_normalised_on_import(
        session, accounts, write_file, do_import):
    result = do_import(write_file(
        "name;account;email\nMikko;C1;Mikko.Müller.55@Example.COM\nИван;C1;иван@ПРИМЕР.РФ\n"
        "Dot;C1;a..b@x.io\nLocal;C1;x@printer.local\n"), kind="contacts")
    assert result.created == 2
    assert [(e["line"], e["column"], e["value"]) for e in result.errors] == [
        (4, "email", "a..b@x.io"), (5, "email", "x@printer.local")]
    assert all(e["reason"].startswith("not a valid email address: ") for e in result.errors)
    stored = set(session.scalars(select(Contact.email).where(Contact.name.in_(["Mikko", "Иван"]))))
    assert stored == {"mikko.müller.55@example.com", "иван@пример.рф"}


def test_products_are_upserted_on_their_sku(session, write_file, do_import):
    path = write_file("Артикул;Номенклатура;Группа;Цена;Топ\nA1;Гвозди;Крепёж;1 200,50;да\n")
    assert do_import(path, kind="products").created == 1
    assert do_import(path, kind="products").unchanged == 1
    changed = do_import(write_file("Артикул;Номенклатура;Группа;Цена;Топ\n"
                                   "A1;Гвозди;Крепёж;1 300;нет\n"), kind="products")
    assert changed.updated == 1
    product = session.scalar(select(Product).filter_by(sku="A1"))
    assert (product.price, product.top_assortment, product.category) == (1300.0, False, "Крепёж")


def test_receivables_are_upserted_on_account_and_document(session, accounts, write_file,
                                                          do_import):
    header = "account;document;issued;due date;amount;paid\n"
    assert do_import(write_file(header + "C1;INV-1;01.10.2026;31.10.2026;1 000,00;0\n"),
                     kind="receivables").created == 1
    result = do_import(write_file(header + "C1;INV-1;01.10.2026;31.10.2026;1 000,00;400\n"
                                           "C2;INV-1;01.10.2026;31.10.2026;50;\n"),
                       kind="receivables")
    assert (result.created, result.updated) == (1, 1)
    first = session.scalar(select(Receivable).filter_by(account_id=accounts["C1"]))
    assert (first.amount, first.paid_amount, first.outstanding) == (1000.0, 400.0, 600.0)
    second = session.scalar(select(Receivable).filter_by(account_id=accounts["C2"]))
    assert second.paid_amount == 0


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("C1;INV-2;;31.10.2026;-5;", "amount", "negative value not allowed"),
    ("C1;INV-2;;;5;", "due date", "missing value"),
    ("C9;INV-2;;31.10.2026;5;", "account code",
     "unknown account and no account name to create it"),
    ("C1;;;31.10.2026;5;", "document", "missing value"),
])
def test_bad_receivables_are_reported(session, accounts, write_file, do_import, row, column,
                                      reason):
    result = do_import(write_file("account code;document;issued;due date;amount;paid\n" + row
                                  + "\n"), kind="receivables")
    assert result.errors == [{"line": 2, "column": column, "value": row.split(";")[
        {"amount": 4, "due date": 3, "account code": 0, "document": 1}[column]],
        "reason": reason}]


def test_accounts_import_the_competitor_its_key_client_mark_and_the_plan(
        session, write_file, do_import):
    result = do_import(write_file(
        "external_id,name,kind,current supplier,competitor key client,win plan\n"
        "P1,Lead One,prospect,Rival Ltd,yes,Trial order in spring\n"
        "P2,Lead Two,prospect,,no,\n"), kind="accounts")
    assert result.created == 2 and result.errors == []
    one = session.scalar(select(Account).filter_by(external_id="P1"))
    assert (one.current_supplier, one.competitor_key_client, one.win_plan) == (
        "Rival Ltd", True, "Trial order in spring")
    two = session.scalar(select(Account).filter_by(external_id="P2"))
    assert (two.current_supplier, two.competitor_key_client, two.win_plan) == (None, False, None)
