"""The inbox page, the unread count in the header, marking read, the e-mail choices."""

from __future__ import annotations

from abm.notifications import services
from abm.notifications.models import NotificationKind


def _tell(session, user, count=2):
    services.notify(session, user.id, NotificationKind.ALERTS_RAISED, {"count": count})
    session.commit()


def test_the_header_shows_the_unread_count(client, session, users, login):
    _tell(session, users["sales"])
    _tell(session, users["sales"], 4)
    login("sales")
    page = client.get("/accounts/").get_data(as_text=True)
    assert 'class="badge unread-count"' in page and ">2</span>" in page


def test_the_inbox_lists_only_the_readers_notifications_in_their_language(
        client, session, users, login):
    _tell(session, users["sales"], 3)
    _tell(session, users["rival"], 9)
    login("sales")
    client.post("/language", data={"lang": "ru", "next": "/notifications/"})
    page = client.get("/notifications/").get_data(as_text=True)
    assert "3 новых сигнала по вашим клиентам" in page
    assert "9 " not in page


def test_mark_read_and_mark_all_read(client, session, users, login):
    for n in (1, 2, 3):
        _tell(session, users["sales"], n)
    first = services.inbox(session, users["sales"].id)[-1]
    login("sales")
    assert client.post("/notifications/read", data={"id": str(first.id)}).status_code == 302
    assert services.unread_count(session, users["sales"].id) == 2
    client.post("/notifications/read-all")
    assert services.unread_count(session, users["sales"].id) == 0
    page = client.get("/notifications/").get_data(as_text=True)
    assert "badge unread-count" not in page


def test_one_cannot_mark_another_users_notification_read(client, session, users, login):
    _tell(session, users["rival"])
    [theirs] = services.inbox(session, users["rival"].id)
    login("sales")
    client.post("/notifications/read", data={"id": str(theirs.id)})
    client.post("/notifications/read-all")
    assert services.unread_count(session, users["rival"].id) == 1


def test_marking_read_needs_the_csrf_token(app, client, session, users, login):
    _tell(session, users["sales"])
    login("sales")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/notifications/read-all").status_code == 400
    assert services.unread_count(session, users["sales"].id) == 1


def test_a_user_chooses_which_kinds_come_by_email(client, session, users, login):
    login("marketing")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "New alerts on my accounts" in page
    client.post("/notifications/settings", data={"email": ["task_due", "bogus"]})
    assert services.email_kinds(session, users["marketing"].id) == {"task_due"}


def test_a_notification_links_to_what_it_is_about(client, session, users, login, book):
    services.notify(session, users["sales"].id, NotificationKind.TASK_ASSIGNED,
                    {"task_id": 1, "title": "<b>Call</b>", "account_id": book["own"].id,
                     "account": "Own Customer", "by": "Manager"})
    session.commit()
    login("sales")
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/accounts/{book["own"].id}"' in page
    assert "&lt;b&gt;Call&lt;/b&gt;" in page  # escaped


def test_a_campaign_waiting_for_approval_leads_to_its_own_card(client, session, users, login):
    services.notify(session, users["manager"].id, NotificationKind.APPROVAL_WAITING,
                    {"campaign_id": 7, "name": "Spring bonus"})
    session.commit()
    login("manager")
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'href="/approvals/#campaign-7"' in page
