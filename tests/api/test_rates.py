"""Exchange rates through the API: read by everyone, kept by administrators, audited."""

from datetime import date

from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.currencies.models import ExchangeRate
from abm.currencies.services import save_rate
from abm.sales.models import OrderLine

USD = {"currency": "USD", "rate": 0.92, "valid_from": "2026-01-01"}


def test_an_admin_adds_a_rate_to_the_workspace_currency_and_it_is_audited(api, session, users):
    response = api.as_("admin").post("/rates", json=USD)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() | {"id": 0} == {"id": 0, "currency": "USD", "base": "EUR",
                                               "rate": 0.92, "valid_from": "2026-01-01"}
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "exchange_rate"))
    assert (event.actor_id, event.details["event"]) == (users["admin"].id, "added")


def test_everyone_reads_the_rates_and_only_admins_change_them(api, session, users):
    save_rate(session, currency="USD", rate=0.9, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    listed = api.as_("sales").get("/rates").get_json()
    assert listed["workspace_currency"] == "EUR"
    assert [(r["currency"], r["rate"]) for r in listed["items"]] == [("USD", 0.9)]
    rate_id = listed["items"][0]["id"]
    for role in ("manager", "marketing", "sales"):
        assert api.as_(role).post("/rates", json=USD).status_code == 403
        assert api.as_(role).delete(f"/rates/{rate_id}").status_code == 403


def test_a_second_rate_of_a_currency_on_the_same_day_is_a_conflict(api, users):
    assert api.as_("admin").post("/rates", json=USD).status_code == 201
    response = api.as_("admin").post("/rates", json=USD | {"rate": 0.95})
    assert response.status_code == 409
    assert "a rate USD→EUR from 2026-01-01 exists already" in response.get_json()["message"]


def test_a_rate_of_an_unknown_currency_or_not_positive_is_refused(api, users):
    for body in (USD | {"currency": "XYZ"}, USD | {"currency": "usd"}, USD | {"rate": 0},
                 USD | {"rate": -1}):
        assert api.as_("admin").post("/rates", json=body).status_code == 422, body


def test_a_rate_is_deleted_once(api, session, users):
    rate_id = api.as_("admin").post("/rates", json=USD).get_json()["id"]
    assert api.as_("admin").delete(f"/rates/{rate_id}").status_code == 204
    assert session.scalar(select(ExchangeRate.id)) is None
    assert api.as_("admin").delete(f"/rates/{rate_id}").status_code == 404


def test_an_import_in_another_currency_is_converted(api, session, users, run_jobs):
    save_rate(session, currency="USD", rate=0.5, valid_from=date(2026, 1, 1), user_id=None)
    session.commit()
    body = "Документ;Дата;ИНН;Контрагент;Сумма\nD1;31.10.2026;7701;Ромашка;10\n".encode()
    response = api.as_("manager").post("/imports/orders?currency=USD", data=body,
                                       headers={"Content-Type": "text/csv"})
    assert response.status_code == 202
    run_jobs(["imports"])
    assert session.execute(select(OrderLine.revenue, OrderLine.currency,
                                  OrderLine.original_revenue)).one() == (5.0, "EUR", 10.0)


def test_an_import_in_an_unknown_currency_is_refused(api, users):
    response = api.as_("manager").post("/imports/orders?currency=EURO", data=b"a;b\n1;2\n",
                                       headers={"Content-Type": "text/csv"})
    assert response.status_code == 422
