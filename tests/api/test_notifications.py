"""GET /notifications and POST /notifications/read: the token user's own, worded for them."""

from __future__ import annotations

from abm.notifications import services
from abm.notifications.models import NotificationKind


def test_the_api_lists_the_token_users_notifications(api, session, users):
    services.notify(session, users["sales"].id, NotificationKind.ALERTS_RAISED, {"count": 1})
    services.notify(session, users["rival"].id, NotificationKind.ALERTS_RAISED, {"count": 5})
    session.commit()
    body = api.as_("sales").get("/notifications").get_json()
    assert body["unread"] == 1
    [item] = body["items"]
    assert (item["kind"], item["params"], item["read"]) == ("alerts_raised", {"count": 1}, False)
    assert item["text"] == "1 new alert on your accounts"


def test_the_api_marks_read_some_or_all(api, session, users):
    for n in (1, 2, 3):
        services.notify(session, users["sales"].id, NotificationKind.ALERTS_RAISED, {"count": n})
    services.notify(session, users["rival"].id, NotificationKind.ALERTS_RAISED, {"count": 1})
    session.commit()
    [theirs] = services.inbox(session, users["rival"].id)
    mine = [n.id for n in services.inbox(session, users["sales"].id)]
    answer = api.as_("sales").post("/notifications/read", json={"ids": [mine[0], theirs.id]})
    assert answer.get_json() == {"marked": 1, "unread": 2}
    assert api.as_("sales").post("/notifications/read", json={}).get_json() == \
        {"marked": 2, "unread": 0}
    assert services.unread_count(session, users["rival"].id) == 1
    assert api.as_("sales").get("/notifications?unread=true").get_json()["items"] == []


def test_the_api_tells_a_request_settled_by_another_manager(api, session, users):
    from abm.campaigns import services as campaigns

    made = campaigns.create_campaign(session, name="Bonus", kind="volume_bonus", offer={})
    campaigns.request_approval(session, made.id, user_id=users["marketing"].id)
    campaigns.decide(session, made.id, users["admin"].id, approve=True)
    session.commit()
    body = api.as_("manager").get("/notifications").get_json()
    [item] = body["items"]
    assert (body["unread"], item["kind"], item["read"]) == (0, "approval_waiting", True)
    assert item["resolved_at"] is not None
    assert item["text"] == "The campaign “Bonus” was approved by Admin"
    assert api.as_("manager").get("/notifications?unread=true").get_json()["items"] == []


def test_the_api_refuses_unknown_fields(api, users):
    assert api.as_("sales").post("/notifications/read", json={"all": True}).status_code == 422


def test_a_kam_reads_their_own_report_and_a_manager_anyones(api, users):
    own = api.as_("sales").get(f"/reports/kam/{users['sales'].id}?today=2026-11-15")
    assert own.status_code == 200
    body = own.get_json()
    assert (body["kam_id"], body["month"]) == (users["sales"].id, "2026-10-01")
    assert isinstance(body["accounts"], list)
    assert api.as_("sales").get(f"/reports/kam/{users['rival'].id}").status_code == 404
    assert api.as_("manager").get(f"/reports/kam/{users['rival'].id}").status_code == 200
    assert api.as_("manager").get("/reports/kam/999999").status_code == 404
