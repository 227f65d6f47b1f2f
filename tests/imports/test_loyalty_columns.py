"""The loyalty columns of an accounts file: programme, status and tier of each account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.audit.models import AuditEvent
from abm.audit.services import NOBODY
from abm.loyalty import services


@pytest.fixture
def programme(session):
    made = services.save_programme(session, NOBODY, name="Partners", rule="manual",
                                   tiers=[services.TierInput("silver"),
                                          services.TierInput("gold")])
    session.commit()
    return made


def _membership(session, code: str):
    account_id = session.scalar(select(Account.id).where(Account.external_id == code))
    found = services.memberships(session, account_id)
    return (found[0].status, found[0].tier) if found else None


def test_an_accounts_file_records_memberships(session, write_file, do_import, programme):
    result = do_import(write_file("ИНН;Наименование;Уровень лояльности;Лояльность\n"
                                  "7701;ООО Ромашка;gold;\n"
                                  "7702;ИП Иванов;;приглашён\n"
                                  "7703;ЗАО Вектор;;\n"), kind="accounts")
    assert (result.created, result.errors) == (3, [])
    assert _membership(session, "7701") == ("member", "gold")
    assert _membership(session, "7702") == ("invited", None)
    assert _membership(session, "7703") is None


def test_a_row_naming_an_unknown_tier_is_refused_whole(session, write_file, do_import,
                                                       programme):
    result = do_import(write_file("external_id,name,loyalty_tier\nC1,Acme,platinum\n"
                                  "C2,Beta,silver\n"), kind="accounts")
    assert [(e["line"], e["column"], e["reason"]) for e in result.errors] == [
        (2, "loyalty_tier", "not a tier of Partners")]
    assert session.scalar(select(Account.id).where(Account.external_id == "C1")) is None
    assert _membership(session, "C2") == ("member", "silver")


def test_an_unknown_status_word_is_reported(session, write_file, do_import, programme):
    result = do_import(write_file("external_id,name,loyalty\nC1,Acme,perhaps\n"),
                       kind="accounts")
    assert [(e["column"], e["reason"]) for e in result.errors] == [
        ("loyalty", "not member, invited or left")]


def test_importing_the_same_file_twice_records_each_change_once(session, write_file, do_import,
                                                                programme):
    path = write_file("external_id,name,loyalty_tier\nC1,Acme,gold\n")
    do_import(path, kind="accounts")
    do_import(path, kind="accounts")
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == services.MEMBERSHIP_CHANGED)).all()
    assert len(events) == 1 and events[0].details["via"] == "import"
