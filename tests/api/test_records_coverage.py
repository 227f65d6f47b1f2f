"""Order lines, receivables, tenders, account plans and settings through the API."""

from __future__ import annotations

from datetime import date

import pytest

from abm.sales.models import OrderLine, Receivable


@pytest.fixture
def sales_data(session, book):
    own, rival = book["own"], book["rival"]
    session.add_all([
        OrderLine(account_id=own.id, product_id=book["product"].id, document="D1",
                  date=date(2026, 3, 2), month=date(2026, 3, 1), quantity=2, revenue=100),
        OrderLine(account_id=own.id, document="D2", date=date(2026, 4, 9),
                  month=date(2026, 4, 1), quantity=1, revenue=50),
        OrderLine(account_id=rival.id, document="D3", date=date(2026, 3, 5),
                  month=date(2026, 3, 1), quantity=1, revenue=70),
        Receivable(account_id=own.id, document="INV-1", due_on=date(2026, 2, 1), amount=100,
                   paid_amount=20),
        Receivable(account_id=own.id, document="INV-2", due_on=date(2026, 9, 1), amount=80),
        Receivable(account_id=rival.id, document="INV-3", due_on=date(2026, 1, 1), amount=10),
    ])
    session.commit()


def test_order_lines_follow_the_visibility_rule_and_the_dates(api, book, sales_data):
    lines = api.as_("sales").get("/order-lines").get_json()["items"]
    assert sorted(line["document"] for line in lines) == ["D1", "D2"]
    april = api.as_("manager").get("/order-lines?since=2026-04-01").get_json()["items"]
    assert [line["document"] for line in april] == ["D2"]
    rival_line = api.as_("manager").get(f"/order-lines?account_id={book['rival'].id}")
    line_id = rival_line.get_json()["items"][0]["id"]
    assert api.as_("sales").get(f"/order-lines/{line_id}").status_code == 404
    assert api.as_("manager").get(f"/order-lines/{line_id}").get_json()["revenue"] == 70


def test_overdue_receivables_are_those_due_and_not_paid(api, book, sales_data):
    overdue = api.as_("sales").get("/receivables?overdue_on=2026-06-01").get_json()["items"]
    assert [(r["document"], r["paid_amount"]) for r in overdue] == [("INV-1", 20)]
    every = api.as_("manager").get("/receivables").get_json()["items"]
    assert len(every) == 3


def test_a_tender_is_recorded_changed_and_deleted_by_the_owner(api, book):
    path = f"/accounts/{book['own'].id}/tenders"
    created = api.as_("sales").post(path, json={"title": "Warehouse racks", "outcome": "lost",
                                                "reason": "price", "amount": 12000})
    assert created.status_code == 201, created.get_json()
    tender_id = created.get_json()["id"]
    changed = api.as_("manager").open("PUT", f"{path}/{tender_id}", json={
        "title": "Warehouse racks", "outcome": "won"})
    assert changed.get_json()["outcome"] == "won"
    assert [t["title"] for t in api.as_("marketing").get(path).get_json()["items"]] == [
        "Warehouse racks"]
    assert api.as_("sales").delete(f"{path}/{tender_id}").status_code == 204
    assert api.as_("sales").get(path).get_json()["items"] == []


def test_tenders_of_another_owners_account_are_out_of_reach(api, book):
    path = f"/accounts/{book['rival'].id}/tenders"
    assert api.as_("sales").get(path).status_code == 404
    assert api.as_("sales").post(path, json={"title": "X"}).status_code == 404
    assert api.as_("marketing").post(path, json={"title": "X"}).status_code == 403


def test_the_plan_is_read_and_changed_as_on_its_page(api, book):
    path = f"/accounts/{book['own'].id}/plan"
    assert api.as_("sales").get(path).get_json()["objectives"] == ""
    changed = api.as_("marketing").patch(path, json={
        "objectives": "Double the share", "terms": [
            {"title": "Spring rebate", "discount_percent": 5, "valid_until": "2026-05-31"}]})
    assert changed.status_code == 200, changed.get_json()
    body = api.as_("sales").get(path).get_json()
    assert body["objectives"] == "Double the share"
    assert body["terms"] == [{"title": "Spring rebate", "discount_percent": 5.0,
                              "valid_until": "2026-05-31"}]
    assert api.as_("sales").patch(f"/accounts/{book['rival'].id}/plan",
                                  json={"notes": "x"}).status_code == 404


def test_settings_are_read_and_changed_by_admins_only(api, session):
    assert api.as_("manager").get("/settings").status_code == 403
    keys = {s["key"]: s for s in api.as_("admin").get("/settings").get_json()["items"]}
    assert keys["analytics.key_share"]["value"] == 0.1
    changed = api.as_("admin").patch("/settings", json={"values": {"analytics.key_share": 0.15}})
    assert changed.status_code == 200
    after = {s["key"]: s for s in changed.get_json()["items"]}
    assert (after["analytics.key_share"]["value"], after["analytics.key_share"]["changed"]) == (
        0.15, True)
    assert api.as_("manager").patch("/settings", json={"values": {}}).status_code == 403


def test_a_refused_setting_changes_nothing_and_says_which(api):
    refused = api.as_("admin").patch("/settings", json={"values": {
        "analytics.top_n": 30, "analytics.key_share": 7}})
    assert refused.status_code == 422
    assert refused.get_json()["details"][0]["field"] == "analytics.key_share"
    keys = {s["key"]: s for s in api.as_("admin").get("/settings").get_json()["items"]}
    assert keys["analytics.top_n"]["value"] == 20
