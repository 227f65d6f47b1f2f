"""The campaigns API: create, read, edit, preview, approve or reject, schedule, follow, measure."""

from __future__ import annotations

from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.campaigns.models import Campaign
from abm.delivery.models import OutboxMessage, OutboxState

TEMPLATE = {"subject": "Hello {{ account.name }}", "html": "<p>Dear {{ contact.name }}</p>",
            "text": "Dear {{ contact.name }}"}


def _create(api, who="marketing", **fields):
    body = {"name": "Spring offer", "kind": "personal_offer",
            "audience": {"account_ids": [fields.pop("account_id", 1)]},
            "templates": {"en": TEMPLATE}, **fields}
    return api.as_(who).post("/campaigns", json=body)


def _events(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                .order_by(AuditEvent.id)))


def test_marketing_creates_a_draft_that_reads_back(api, book):
    response = _create(api, account_id=book["own"].id, offer={"discount_percent": 5})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["offer"] == {"discount_percent": 5}
    assert body["templates"]["en"] == TEMPLATE
    assert "ru" in body["templates"]  # the shipped template for the other language
    read = api.as_("manager").get(f"/campaigns/{body['id']}").get_json()
    assert read["audience"] == {"account_ids": [book["own"].id]}


def test_sales_may_not_use_campaigns(api, book):
    assert _create(api, who="sales", account_id=book["own"].id).status_code == 403
    assert api.as_("sales").get("/campaigns").status_code == 403


def test_the_list_filters_and_pages(api, book):
    for name in ("A", "B", "C"):
        assert _create(api, name=name, account_id=book["own"].id).status_code == 201
    first = api.as_("marketing").get("/campaigns?limit=2").get_json()
    assert [c["name"] for c in first["items"]] == ["C", "B"]
    rest = api.as_("marketing").get(f"/campaigns?limit=2&cursor={first['next_cursor']}")
    assert [c["name"] for c in rest.get_json()["items"]] == ["A"]
    assert rest.get_json()["next_cursor"] is None
    none = api.as_("marketing").get("/campaigns?status=done").get_json()
    assert none["items"] == []


def test_an_unknown_audience_field_is_refused_with_its_name(api, book):
    response = _create(api, audience={"rules": [{"field": "planet", "op": "eq",
                                                 "value": "Mars"}]})
    assert response.status_code == 422
    [detail] = response.get_json()["details"]
    assert detail["field"] == "audience.rules.0" and "'planet'" in detail["message"]


def test_an_audience_value_of_the_wrong_type_is_refused_not_a_crash(api, book):
    response = _create(api, audience={"rules": [{"field": "p_alive", "op": "gt",
                                                 "value": "very"}]})
    assert response.status_code == 422
    [detail] = response.get_json()["details"]
    assert detail == {"field": "audience.rules.0.p_alive.value",
                      "message": "Value error, must be a JSON number"}


def test_editing_a_template_is_audited(api, session, book, users):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    edited = {**TEMPLATE, "subject": "New subject for {{ account.name }}"}
    response = api.as_("marketing").open("PUT", f"/campaigns/{campaign_id}/templates/en",
                                         json=edited)
    assert response.status_code == 200
    assert response.get_json()["templates"]["en"]["subject"] == edited["subject"]
    [event] = _events(session, "template_edited")
    assert event.actor_id == users["marketing"].id
    assert event.target == f"campaign:{campaign_id}" and event.details == {"language": "en"}


def test_a_template_of_an_unknown_language_is_not_found(api, book):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = api.as_("marketing").open("PUT", f"/campaigns/{campaign_id}/templates/fr",
                                         json=TEMPLATE)
    assert response.status_code == 404


def test_preview_renders_the_message_of_an_account_escaped(api, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = api.as_("marketing").get(
        f"/campaigns/{campaign_id}/preview?account_id={book['own'].id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["subject"] == "Hello Own Customer"
    assert body["html"] == "<p>Dear Mia &lt;b&gt;Mail&lt;/b&gt;</p>"
    assert body["contact_id"] == reachable.id


def test_preview_refuses_a_contact_of_another_account(api, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = api.as_("marketing").get(
        f"/campaigns/{campaign_id}/preview?account_id={book['own'].id}"
        f"&contact_id={book['rival_contact'].id}")
    assert response.status_code == 404


def test_the_audience_preview_counts_recipients(api, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    body = api.as_("marketing").get(f"/campaigns/{campaign_id}/audience").get_json()
    assert body["accounts"] == 1 and body["contacts"] == 1


def test_a_big_discount_waits_for_a_manager(api, session, book, users):
    campaign_id = _create(api, account_id=book["own"].id,
                          offer={"discount_percent": 40}).get_json()["id"]
    refused = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule", json={})
    assert refused.status_code == 409
    assert "approval" in refused.get_json()["message"]
    assert api.as_("marketing").post(f"/campaigns/{campaign_id}/submit").status_code == 200
    assert api.as_("marketing").post(f"/campaigns/{campaign_id}/approve",
                                     json={}).status_code == 403
    approved = api.as_("manager").post(f"/campaigns/{campaign_id}/approve",
                                       json={"reason": "key account"})
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved"
    assert body["approvals"][0]["user_id"] == users["manager"].id
    requested, event = _events(session, "campaign_approval")
    assert (requested.actor_id, requested.details["event"]) == (users["marketing"].id,
                                                                "requested")
    assert event.actor_id == users["manager"].id
    assert (event.details["decision"], event.details["reason"]) == ("approved", "key account")
    assert event.details["offer"] == {"discount_percent": 40}
    assert event.details["reasons"] == [{"code": "discount",
                                         "params": {"percent": 40, "threshold": 0}}]


def test_a_rejection_needs_a_reason_and_is_audited(api, session, book, users):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    api.as_("marketing").post(f"/campaigns/{campaign_id}/submit")
    assert api.as_("manager").post(f"/campaigns/{campaign_id}/reject",
                                   json={}).status_code == 422
    rejected = api.as_("manager").post(f"/campaigns/{campaign_id}/reject",
                                       json={"reason": "too generous"})
    assert rejected.get_json()["status"] == "rejected"
    event = _events(session, "campaign_approval")[-1]
    assert (event.details["decision"], event.details["reason"]) == ("rejected", "too generous")


def test_schedule_sends_and_reports_progress_and_results(api, session, book, reachable, users,
                                                         run_jobs, app):
    campaign_id = _create(api, account_id=book["own"].id, holdout_share=0).get_json()["id"]
    response = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule", json={})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["campaign"]["status"] == "scheduled"
    assert body["status_url"] == f"/api/v1/runs/{body['run_id']}"
    run_jobs()
    status = api.as_("marketing").get(f"/campaigns/{campaign_id}/status").get_json()
    assert status["status"] == "done"
    assert status["outbox"]["sent"] == 1 and status["percent"] == 100
    results = api.as_("marketing").get(f"/campaigns/{campaign_id}/results").get_json()
    assert results["states"]["sent"] == 1
    assert results["accounts"][0]["account_id"] == book["own"].id
    sends = _events(session, "campaign_send")
    assert [e.details["event"] for e in sends] == ["scheduled", "sent"]
    assert sends[0].actor_id == users["marketing"].id and sends[1].details["sent"] == 1


def test_a_scheduled_campaign_can_no_longer_change(api, book, reachable):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule",
                              json={"mode": "trigger", "trigger": "birthday"})
    changed = api.as_("marketing").patch(f"/campaigns/{campaign_id}", json={"name": "Other"})
    assert changed.status_code == 409
    template = api.as_("marketing").open("PUT", f"/campaigns/{campaign_id}/templates/en",
                                         json=TEMPLATE)
    assert template.status_code == 409


def test_schedule_at_needs_a_time(api, book):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule",
                                         json={"mode": "at"})
    assert response.status_code == 422


def test_cancel_stops_a_campaign(api, session, book):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    assert api.as_("manager").post(f"/campaigns/{campaign_id}/cancel").get_json()[
        "status"] == "cancelled"
    assert api.as_("manager").post(f"/campaigns/{campaign_id}/cancel").status_code == 409
    assert session.get(Campaign, campaign_id).status.value == "cancelled"
    assert session.scalar(select(OutboxMessage).where(
        OutboxMessage.state == OutboxState.SENT)) is None


def _segmentation(session, segments: dict[str, list]) -> dict[str, int]:
    """A new segmentation run with named segments holding accounts: {name: segment id}."""
    from datetime import date

    from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun

    run = SegmentationRun(as_of=date(2026, 10, 1), k=len(segments), k_chosen_by="fixed",
                          n_accounts=1, settings={}, metrics={}, feature_names=[])
    session.add(run)
    session.flush()
    ids = {}
    for label, (name, accounts) in enumerate(segments.items()):
        segment = Segment(name=name, first_run_id=run.id, last_run_id=run.id)
        session.add(segment)
        session.flush()
        session.add(RunSegment(run_id=run.id, segment_id=segment.id, label=label, name=name,
                               size=len(accounts), centroid={}, scaled_centroid=[],
                               explanation={}))
        session.add_all(AccountSegment(run_id=run.id, account_id=a.id, segment_id=segment.id,
                                       distance=0.1) for a in accounts)
        ids[name] = segment.id
    session.commit()
    return ids


def test_an_unknown_segment_is_refused_at_save_and_nothing_is_stored(api, session, book):
    steady = _segmentation(session, {"Steady": [book["own"]]})["Steady"]
    response = _create(api, audience={"rules": [{"field": "segment", "op": "in",
                                                 "value": [steady, steady + 1]}]})
    assert response.status_code == 422
    assert response.get_json()["message"] == (
        f"the audience is not valid: rule 1 (segment): segment {steady + 1} is not in the "
        "latest segmentation; choose the segment again")
    assert session.scalars(select(Campaign)).all() == []


def test_a_campaign_whose_segment_left_says_why_at_preview_and_scheduling(api, session, book,
                                                                         reachable):
    steady = _segmentation(session, {"Steady": [book["own"]]})["Steady"]
    campaign_id = _create(api, audience={"rules": [{"field": "segment", "op": "eq",
                                                    "value": steady}]}).get_json()["id"]
    _segmentation(session, {"Sleepers": [book["own"]]})
    why = (f"the audience is not valid: rule 1 (segment): segment {steady} is not in the "
           "latest segmentation; choose the segment again")
    assert api.as_("marketing").get(f"/campaigns/{campaign_id}").status_code == 200
    preview = api.as_("marketing").get(f"/campaigns/{campaign_id}/audience")
    assert (preview.status_code, preview.get_json()["message"]) == (422, why)
    scheduled = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule", json={})
    assert (scheduled.status_code, scheduled.get_json()["message"]) == (422, why)
    assert session.get(Campaign, campaign_id).status.value == "draft"


def test_a_trigger_schedule_needs_its_trigger(api, book):
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    response = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule",
                                         json={"mode": "trigger"})
    assert response.status_code == 422
    assert response.get_json()["details"] == [
        {"field": "body", "message": "Value error, mode 'trigger' needs the trigger in 'trigger'"}]


def test_the_document_states_the_rule_fields_operators_and_the_trigger_it_requires(api):
    schemas = api.get("/openapi.json").get_json()["components"]["schemas"]
    rules = schemas["Audience"]["properties"]["rules"]["items"]
    assert set(rules["discriminator"]["mapping"]) >= {"churn_state", "segment", "country",
                                                     "kind", "category", "p_alive"}
    churn = schemas["ChurnStateRule"]["properties"]
    assert churn["op"]["enum"] == ["eq", "in", "not_in"]
    assert churn["value"]["anyOf"][0]["enum"] == ["active", "at_risk", "lost"]
    assert schemas["PAliveRule"]["properties"]["value"]["maximum"] == 1.0
    needs = {c["if"]["properties"]["mode"]["const"]: c["then"]["required"]
             for c in schemas["ScheduleRequest"]["allOf"]}
    assert needs == {"at": ["at"], "trigger": ["trigger"]}


def test_the_audience_preview_says_how_many_contacts_are_unreachable_and_why(
        api, session, book, reachable):
    from datetime import UTC, datetime

    reachable.bounced_at = datetime(2026, 1, 1, tzinfo=UTC)
    session.commit()
    campaign_id = _create(api, account_id=book["own"].id).get_json()["id"]
    body = api.as_("marketing").get(f"/campaigns/{campaign_id}/audience").get_json()
    assert body["contacts"] == 0
    assert body["unreachable"]["total"] >= 1 and body["unreachable"]["bounced"] == 1
