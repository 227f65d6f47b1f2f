"""The workspace currency on the pages, its setting, and the exchange rates page."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.currencies.models import ExchangeRate
from abm.currencies.services import save_rate
from abm.currencies.settings import CurrencySettings
from abm.sales.models import OrderLine
from abm.settings.services import set_settings
from abm.workspace.services import settings_of

from .test_settings_page import _form


def test_amounts_are_shown_in_the_workspace_currency(client, login, session, book):
    set_settings(session, {"workspace.currency": "RUB"}, user_id=None)
    session.commit()
    login("manager")
    english = client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    assert "RUB\u00a055,000" in english and "€" not in english
    client.post("/language", data={"lang": "ru"})
    russian = client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    assert "55\u00a0000\u00a0₽" in russian


def test_a_changed_currency_shows_on_the_next_request(client, login, session, book):
    login("manager")
    assert "€55,000" in client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    set_settings(session, {"workspace.currency": "USD"}, user_id=None)
    session.commit()
    assert "$55,000" in client.get("/accounts/?q=Own Customer").get_data(as_text=True)


def test_the_currency_setting_takes_an_iso_code_in_any_case(client, login, session):
    login("admin")
    response = client.post("/admin/settings/", data=_form(**{"workspace.currency": "rub"}))
    assert response.status_code == 302
    session.expire_all()
    assert settings_of(session, CurrencySettings).currency == "RUB"


@pytest.mark.parametrize("value", ["XYZ", "EURO", "", "€"])
def test_the_currency_setting_refuses_what_is_not_an_iso_code(client, login, session, value):
    login("admin")
    response = client.post("/admin/settings/", data=_form(**{"workspace.currency": value}))
    assert response.status_code == 422
    assert "is not an ISO 4217 currency code (such as EUR, RUB, USD)" in response.get_data(
        as_text=True)
    assert settings_of(session, CurrencySettings).currency == "EUR"


def test_the_currency_cannot_change_while_order_lines_hold_amounts(client, login, session,
                                                                   book):
    session.add(OrderLine(account_id=book["own"].id, document="D1", date=date(2026, 3, 1),
                          month=date(2026, 3, 1), revenue=10, currency="EUR"))
    session.commit()
    login("admin")
    client.post("/language", data={"lang": "ru"})
    response = client.post("/admin/settings/", data=_form(**{"workspace.currency": "RUB"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Валюту нельзя сменить с EUR на RUB: 1 строка продаж хранит суммы в EUR" in page
    assert settings_of(session, CurrencySettings).currency == "EUR"


def test_an_admin_adds_changes_and_deletes_a_rate_each_audited(client, login, session):
    login("admin")
    response = client.post("/admin/rates/", data={"currency": "USD", "rate": "0,92",
                                                  "valid_from": "2026-01-01"})
    assert response.status_code == 302
    rate = session.scalar(select(ExchangeRate))
    assert (rate.currency, rate.base, rate.rate, rate.valid_from) == (
        "USD", "EUR", 0.92, date(2026, 1, 1))
    page = client.get("/admin/rates/").get_data(as_text=True)
    assert "1 USD = 0.92 EUR" in page
    assert client.post(f"/admin/rates/{rate.id}", data={
        "rate": "0.95", "valid_from": "2026-02-01"}).status_code == 302
    session.expire_all()
    assert (rate.rate, rate.valid_from) == (0.95, date(2026, 2, 1))
    assert client.post(f"/admin/rates/{rate.id}/delete").status_code == 302
    assert session.scalar(select(ExchangeRate)) is None
    events = session.scalars(select(AuditEvent.details).where(
        AuditEvent.action == "exchange_rate").order_by(AuditEvent.id)).all()
    assert [e["event"] for e in events] == ["added", "changed", "deleted"]


def test_a_second_rate_of_a_currency_from_the_same_day_is_refused_in_russian(client, login,
                                                                          session):
    save_rate(session, currency="USD", rate=0.9, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    login("admin")
    client.post("/language", data={"lang": "ru"})
    response = client.post("/admin/rates/", data={"currency": "USD", "rate": "0.95",
                                                  "valid_from": "2026-01-01"})
    assert response.status_code == 422
    assert "Курс USD→EUR с 2026-01-01 уже есть" in response.get_data(as_text=True)


@pytest.mark.parametrize("rate", ["0", "-1", "abc", ""])
def test_a_rate_that_is_not_positive_is_refused(client, login, session, rate):
    login("admin")
    response = client.post("/admin/rates/", data={"currency": "USD", "rate": rate,
                                                  "valid_from": "2026-01-01"})
    assert response.status_code == 422
    assert session.scalar(select(ExchangeRate)) is None


@pytest.mark.parametrize("role", ["manager", "marketing", "sales"])
def test_only_admins_see_or_keep_the_rates(client, login, session, role):
    save_rate(session, currency="USD", rate=0.9, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    rate_id = session.scalar(select(ExchangeRate.id))
    login(role)
    assert client.get("/admin/rates/").status_code == 403
    assert client.post("/admin/rates/", data={"currency": "GBP", "rate": "1.2",
                                              "valid_from": "2026-01-01"}).status_code == 403
    assert client.post(f"/admin/rates/{rate_id}", data={
        "rate": "5", "valid_from": "2026-01-01"}).status_code == 403
    assert client.post(f"/admin/rates/{rate_id}/delete").status_code == 403
    session.expire_all()
    assert session.scalar(select(ExchangeRate.rate)) == 0.9
