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


def _pending(session, users, name="Spring bonus"):
    from abm.campaigns import services as campaigns

    campaign = campaigns.create_campaign(session, name=name, kind="volume_bonus", offer={})
    campaigns.request_approval(session, campaign.id, user_id=users["marketing"].id)
    session.commit()
    return campaign


def test_an_approval_decided_by_another_manager_no_longer_waits_in_the_inbox(
        client, session, users, login):
    campaign = _pending(session, users)
    login("manager")
    client.post(f"/approvals/{campaign.id}", data={"decision": "approve"})
    client.post("/logout")
    login("admin")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "badge unread-count" not in page
    assert "is waiting for your approval" not in page
    assert "The campaign “Spring bonus” was approved by Manager" in page
    assert 'class="notification read resolved"' in page
    assert f'href="/campaigns/{campaign.id}"' in page  # it has left the approvals page
    assert "Mark read" not in page and "Mark all read" not in page


def test_a_rejection_by_another_manager_reads_in_the_readers_language(
        client, session, users, login):
    campaign = _pending(session, users)
    login("admin")
    client.post(f"/approvals/{campaign.id}", data={"decision": "reject", "reason": "Too much"})
    client.post("/logout")
    login("manager")
    client.post("/language", data={"lang": "ru", "next": "/notifications/"})
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Кампанию «Spring bonus» отклонил(а) Admin" in page
    assert "badge unread-count" not in page


def test_new_alerts_lead_to_the_open_alerts_of_the_readers_accounts(
        client, session, users, login):
    _tell(session, users["sales"], 3)
    login("sales")
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'href="/alerts/?mine=1"' in page
    assert 'href="/"' not in page.split('<table class="data notifications">')[1]


def _alerts(session, book):
    from abm.analytics.models import Alert, AlertKind, AlertStatus

    made = {}
    for name, account, status in (("own", book["own"], AlertStatus.OPEN),
                                  ("seen", book["own2"], AlertStatus.ACKNOWLEDGED),
                                  ("closed", book["own"], AlertStatus.RESOLVED),
                                  ("rival", book["rival"], AlertStatus.OPEN)):
        made[name] = Alert(account_id=account.id, kind=AlertKind.NO_SHIPMENTS,
                           cause=f"2026-10-{name}", details={"month": "2026-10"},
                           status=status, owner_id=account.owner_id)
    session.add_all(made.values())
    session.commit()
    return made


def _listed(page: str) -> set[int]:
    import re

    return {int(i) for i in re.findall(r'<li id="alert-(\d+)"', page)}


def test_the_alerts_page_lists_the_open_alerts_of_ones_own_accounts(
        client, session, users, book, login):
    alerts = _alerts(session, book)
    login("sales")
    response = client.get("/alerts/?mine=1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Open alerts on my accounts" in page
    assert _listed(page) == {alerts["own"].id, alerts["seen"].id}  # not resolved, not others'
    assert "Own Customer" in page and "Rival Customer" not in page
    assert 'name="next" value="/alerts/?mine=1"' in page  # working one returns to the list
    assert _listed(client.get("/alerts/").get_data(as_text=True)) == \
        {alerts["own"].id, alerts["seen"].id}  # a salesperson sees only their own anyway


def test_a_manager_sees_every_open_alert_or_those_of_their_own_accounts(
        client, session, users, book, login):
    alerts = _alerts(session, book)
    book["rival"].owner_id = users["manager"].id
    session.commit()
    login("manager")
    everything = client.get("/alerts/").get_data(as_text=True)
    assert _listed(everything) == {alerts["own"].id, alerts["seen"].id, alerts["rival"].id}
    assert 'href="/alerts/?mine=1"' in everything
    mine = client.get("/alerts/?mine=1").get_data(as_text=True)
    assert _listed(mine) == {alerts["rival"].id}


def test_the_alerts_page_says_when_there_are_none(client, users, login):
    login("marketing")
    page = client.get("/alerts/?mine=1").get_data(as_text=True)
    assert "No open alerts." in page
