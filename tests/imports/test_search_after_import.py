"""Accounts an import creates or renames are found by part of their name, in any case."""

from abm.accounts.services import Viewer
from abm.analytics.account_list import AccountFilters, list_accounts

EVERYONE = Viewer(user_id=0, role="manager")


def _found(session, q: str) -> list[str]:
    return [r.name for r in list_accounts(session, EVERYONE, AccountFilters(q=q)).rows]


def test_accounts_an_accounts_file_creates_and_renames_are_searchable(
        session, write_file, do_import):
    do_import(write_file("ИНН;Наименование\n7701;ООО Ромашка\n7702;Hauptstraße GmbH\n"),
              kind="accounts")
    assert _found(session, "ромашка") == ["ООО Ромашка"]
    assert _found(session, "STRASSE") == ["Hauptstraße GmbH"]
    do_import(write_file("ИНН;Наименование\n7701;ООО Василёк\n7702;Hauptstraße GmbH\n"),
              kind="accounts")
    assert _found(session, "василёк") == ["ООО Василёк"]
    assert _found(session, "ромашка") == []


def test_accounts_an_orders_file_creates_by_name_are_searchable(session, write_file, do_import):
    result = do_import(write_file("Документ;Дата;Контрагент;Сумма\n"
                                  "Д1;2026-10-05;ЗАО ÞÓRSMÖRK;100,00\n"))
    assert not result.errors
    assert _found(session, "þórsmörk") == ["ЗАО ÞÓRSMÖRK"]
    assert _found(session, "зао") == ["ЗАО ÞÓRSMÖRK"]
