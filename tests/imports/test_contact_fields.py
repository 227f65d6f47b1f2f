"""A contacts file carries what campaigns need: role, consent, language, birthday, phone."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Contact, ContactRole, Gender
from abm.accounts.settings import ContactSettings
from abm.settings.services import update_settings

ENGLISH = ("name;account;email;role;consent;consent source;consent date;language;birthday;"
           "phone\n")
RUSSIAN = ("ФИО;ИНН;E-mail;Роль в закупке;Согласие на рассылку;Источник согласия;"
           "Дата согласия;Язык;Дата рождения;Телефон\n")


def _by_email(session) -> dict[str, Contact]:
    return {c.email: c for c in session.scalars(select(Contact))}


def test_english_headers_fill_every_field(session, accounts, write_file, do_import):
    result = do_import(write_file(
        ENGLISH + "Olga;C1;olga@x.io;Purchasing;yes;web form;2026-01-15;ru;1990-03-08;"
                  "+7 (495) 123-45-67\n"
                  "John;C2;john@x.io;technical expert;no;;;English;;\n"), kind="contacts")
    assert (result.created, result.errors) == (2, [])
    olga, john = _by_email(session)["olga@x.io"], _by_email(session)["john@x.io"]
    assert (olga.role, olga.marketing_consent, olga.consent_source, olga.consent_on) == (
        ContactRole.PURCHASING, True, "web form", date(2026, 1, 15))
    assert (olga.language, olga.birthday, olga.phone) == ("ru", date(1990, 3, 8),
                                                          "+7 (495) 123-45-67")
    assert olga.reachable and not john.reachable
    assert (john.role, john.language) == (ContactRole.TECHNICAL, "en")


def test_russian_headers_and_values(session, accounts, write_file, do_import):
    result = do_import(write_file(
        RUSSIAN + "Ольга;C1;olga@x.io;Закупки;да;выставка;15.01.2026;русский;08.03.1990;"
                  "8 495 123 45 67\n"), kind="contacts")
    assert (result.created, result.errors) == (1, [])
    olga = _by_email(session)["olga@x.io"]
    assert (olga.role, olga.marketing_consent, olga.consent_source, olga.language) == (
        ContactRole.PURCHASING, True, "выставка", "ru")


def test_each_bad_value_is_a_row_error_naming_line_and_column(
        session, accounts, write_file, do_import):
    result = do_import(write_file(
        RUSSIAN
        + "A;C1;a@x.io;Космонавт;да;;;ru;;\n"
        + "B;C1;b@x.io;Закупки;может быть;;;ru;;\n"
        + "C;C1;c@x.io;Закупки;да;;31.12.2999;ru;;\n"
        + "D;C1;d@x.io;Закупки;да;;;klingon;;\n"
        + "E;C1;e@x.io;Закупки;да;;;ru;32.01.1990;\n"
        + "F;C1;f@x.io;Закупки;да;;;ru;;call me\n"
        + "G;C1;g@x.io;Закупки;да;;;ru;01.01.2990;\n"
        + "H;C1;h@x.io;Закупки;да;;;ru;;+7 495 1234567\n"), kind="contacts")
    assert result.created == 1
    assert [(e["line"], e["column"]) for e in result.errors] == [
        (2, "Роль в закупке"), (3, "Согласие на рассылку"), (4, "Дата согласия"), (5, "Язык"),
        (6, "Дата рождения"), (7, "Телефон"), (8, "Дата рождения")]
    assert "decision-making unit" in result.errors[0]["reason"]
    assert set(_by_email(session)) == {"h@x.io"}


def test_gender_is_imported_only_where_the_workspace_keeps_it(
        session, accounts, write_file, do_import):
    path = write_file("name;account;email;gender\nOlga;C1;olga@x.io;Ж\nIvan;C1;ivan@x.io;\n")
    result = do_import(path, kind="contacts")
    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "gender")]
    assert "does not keep" in result.errors[0]["reason"]
    assert set(_by_email(session)) == {"ivan@x.io"}
    update_settings(session, ContactSettings, greetings_by_gender=True)
    session.commit()
    result = do_import(path, kind="contacts")
    assert result.errors == []
    assert _by_email(session)["olga@x.io"].gender == Gender.FEMALE


@pytest.mark.parametrize("value", ["unknown", "x"])
def test_a_gender_that_is_not_one_is_refused(session, accounts, write_file, do_import, value):
    update_settings(session, ContactSettings, greetings_by_gender=True)
    session.commit()
    result = do_import(write_file(f"name;account;email;пол\nA;C1;a@x.io;{value}\n"),
                       kind="contacts")
    assert [(e["line"], e["column"], e["reason"]) for e in result.errors] == [
        (2, "пол", "not female or male")]
