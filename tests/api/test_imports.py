"""Imports through the API: the file goes to a worker, the answer is the run to follow."""

from sqlalchemy import func, select

from abm.audit.models import AuditEvent
from abm.sales.models import OrderLine

ORDERS = "Документ;Дата;ИНН;Контрагент;Сумма\nD1;31.10.2026;7701;Ромашка;10\n"


def _upload(api, kind, content: bytes, mimetype="text/csv", query=""):
    return api.post(f"/imports/{kind}{query}", data=content, headers={"Content-Type": mimetype})


def test_order_lines_are_imported_in_bulk_by_a_worker(api, session, users, run_jobs):
    response = _upload(api.as_("manager"), "orders", ORDERS.encode())
    assert response.status_code == 202
    run_id = response.get_json()["run_id"]
    run_jobs(["imports"])
    run = api.as_("manager").get(f"/runs/{run_id}").get_json()
    assert run["status"] == "finished" and run["result"]["created"] == 1
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 1


def test_the_same_file_twice_changes_nothing(api, session, users, run_jobs):
    for _ in range(2):
        _upload(api.as_("manager"), "orders", ORDERS.encode())
        run_jobs(["imports"])
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 1


def test_an_import_is_audited(api, session, users):
    _upload(api.as_("manager"), "orders", ORDERS.encode())
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.details["kind"] == "orders" and event.actor_id == users["manager"].id


def test_sales_and_marketing_cannot_import(api, users):
    for role in ("sales", "marketing"):
        assert _upload(api.as_(role), "orders", ORDERS.encode()).status_code == 403


def test_an_unknown_kind_is_a_404(api, users):
    assert _upload(api.as_("manager"), "invoices", ORDERS.encode()).status_code == 404


def test_a_file_of_another_type_is_a_415(api, users):
    assert _upload(api.as_("manager"), "orders", b"{}", "application/json").status_code == 415


def test_an_empty_file_is_a_400_with_the_refusals_stable_code(api, users):
    response = _upload(api.as_("manager"), "orders", b"")
    assert response.status_code == 400
    body = response.get_json()
    assert (body["error"], body["message"]) == ("bad_request", "the file is empty")
    assert (body["error_code"], body["error_params"]) == ("empty", {})


def test_an_import_refused_at_once_says_its_code_and_parameters(api, users):
    unknown = _upload(api.as_("manager"), "orders", ORDERS.encode(), query="?encoding=rot13")
    assert unknown.get_json()["error_code"] == "unknown_encoding"
    assert unknown.get_json()["error_params"]["encoding"] == "rot13"
    assert "cp1251" in unknown.get_json()["error_params"]["choices"]
    kind = _upload(api.as_("manager"), "invoices", ORDERS.encode())
    assert (kind.status_code, kind.get_json()["error_code"]) == (404, "unknown_kind")


def test_other_errors_have_no_refusal_code(api, users):
    body = _upload(api.as_("sales"), "orders", ORDERS.encode()).get_json()
    assert body["status"] == 403 and "error_code" not in body


def test_the_document_describes_the_refusals_code(api):
    document = api.get("/openapi.json").get_json()
    error = document["components"]["schemas"]["Error"]["properties"]
    assert "failed import run" in error["error_code"]["description"]
    assert "error_params" in error
    start = document["paths"]["/api/v1/imports/{kind}"]["post"]["description"]
    assert "`error_code`" in start and "`empty`" in start


MIXED = ("Документ;Дата;ИНН;Контрагент;Сумма\n" + "".join(
    f"D{i};31.10.2026;77{i};Ромашка {i};10\n" for i in range(20))).encode("cp1251") + "".join(
    f"E{i};31.10.2026;88{i};Müller Straße {i};10\n" for i in range(20)).encode("latin_1")


def test_a_file_that_reads_implausibly_fails_its_run_with_the_reason(api, session, users,
                                                                    run_jobs):
    run_id = _upload(api.as_("manager"), "orders", MIXED).get_json()["run_id"]
    run_jobs(["imports"])
    run = api.as_("manager").get(f"/runs/{run_id}").get_json()
    assert run["status"] == "failed"
    assert "If that is right, confirm the encoding" in run["error"]
    # A stable code, and the parameters of its message (the reason: a code of its own).
    assert run["result"]["error_code"] == "encoding_implausible"
    assert run["result"]["error_params"]["reason"]["code"] in ("mixed_scripts", "mess")
    assert session.scalar(select(func.count()).select_from(OrderLine)) == 0


def test_the_encoding_given_is_read_and_reported(api, session, users, run_jobs):
    run_id = _upload(api.as_("manager"), "orders", MIXED,
                     query="?encoding=cp1251").get_json()["run_id"]
    run_jobs(["imports"])
    run = api.as_("manager").get(f"/runs/{run_id}").get_json()
    assert run["status"] == "finished", run
    assert (run["result"]["encoding"], run["result"]["encoding_detected"]) == ("cp1251", False)
    assert run["result"]["created"] == 40


def test_an_unknown_encoding_is_a_400(api, users):
    response = _upload(api.as_("manager"), "orders", ORDERS.encode(), query="?encoding=rot13")
    assert response.status_code == 400
    assert "unknown encoding 'rot13'" in response.get_json()["message"]
