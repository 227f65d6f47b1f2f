"""Every sensitive action leaves an audit event: who, what, on what, from where.

Approvals, template edits and sends through the API are checked in
tests/api/test_campaigns.py; here the web pages, exports and imports.
"""

from __future__ import annotations

from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.campaigns.services import create_campaign, request_approval

from .conftest import PASSWORD

ORDERS = "Документ;Дата;ИНН;Контрагент;Сумма\nD1;31.10.2026;7701;Ромашка;10\nD2;bad;7701;X;1\n"


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def _login(client, role: str) -> None:
    client.post("/login", data={"email": f"{role}@test.local", "password": PASSWORD})


def test_an_account_export_is_audited_with_its_filters(client, session, users, book):
    _login(client, "sales")
    response = client.get("/accounts/export.csv?region=North")
    assert response.status_code == 200
    response.close()
    [event] = _events(session, "export")
    assert event.actor_id == users["sales"].id
    assert event.target.startswith("file:accounts-") and event.target.endswith(".csv")
    assert event.details == {"path": "/accounts/export.csv", "query": "region=North"}
    assert event.address == "127.0.0.1"


def test_a_finished_import_is_audited_with_its_file_and_counts(api, session, users, run_jobs):
    response = api.as_("manager").post("/imports/orders", data=ORDERS.encode(),
                                       headers={"Content-Type": "text/csv"})
    run_id = response.get_json()["run_id"]
    run_jobs(["imports"])
    started, finished = _events(session, "import")
    assert started.details["event"] == "started"
    assert finished.actor_id == users["manager"].id
    assert finished.target.startswith("file:") and finished.target.endswith(".csv")
    assert finished.details == {"event": "finished", "run": run_id, "kind": "orders",
                                "rows": 2, "created": 1, "updated": 0, "unchanged": 0,
                                "error_count": 1}


def test_an_import_error_report_download_is_an_audited_export(client, api, session, users,
                                                              run_jobs):
    run_id = api.as_("manager").post("/imports/orders", data=ORDERS.encode(),
                                     headers={"Content-Type": "text/csv"}).get_json()["run_id"]
    run_jobs(["imports"])
    _login(client, "manager")
    response = client.get(f"/imports/runs/{run_id}/errors.csv")
    assert response.status_code == 200
    response.close()
    [event] = _events(session, "export")
    assert event.target == f"file:import-errors-{run_id[:8]}.csv"


def test_an_approval_on_the_web_page_is_audited(client, session, users):
    campaign = create_campaign(session, name="Bonus", kind="volume_bonus")
    request_approval(session, campaign.id)
    session.commit()
    _login(client, "manager")
    client.post(f"/approvals/{campaign.id}", data={"decision": "reject", "reason": "not now"})
    requested, event = _events(session, "campaign_approval")
    assert requested.details["event"] == "requested"
    assert event.actor_id == users["manager"].id and event.target == f"campaign:{campaign.id}"
    assert (event.details["decision"], event.details["reason"]) == ("rejected", "not now")
    assert event.details["reasons"] == [{"code": "kind", "params": {"kind": "volume_bonus"}}]


def test_creating_and_revoking_a_token_on_the_web_page_is_audited(client, session, users):
    _login(client, "marketing")
    client.post("/tokens/", data={"name": "crm"})
    [created] = _events(session, "api_token_created")
    assert created.actor_id == users["marketing"].id and created.details == {"name": "crm"}
    token_id = int(created.target.removeprefix("api_token:"))
    client.post(f"/tokens/{token_id}/revoke")
    [revoked] = _events(session, "api_token_revoked")
    assert revoked.target == created.target
