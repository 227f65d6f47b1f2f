"""The daily digest: one mail per user and day, of the kinds they chose, in their language."""

from __future__ import annotations

import email
from datetime import date
from email import policy

import pytest

from abm.delivery.jobs import send_notification_digests
from abm.notifications import services
from abm.notifications.models import NotificationKind
from tests.delivery.conftest import smtp_server  # noqa: F401 - the loopback SMTP server

DAY = date(2026, 12, 7)


def _outbox(app):
    return sorted((app.extensions["abm.settings"].outbox_path / "digests").glob("*.eml"))


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


@pytest.fixture
def chosen(session, users):
    services.set_email_kinds(session, users["sales"].id, ["alerts_raised", "task_due"])
    services.notify(session, users["sales"].id, NotificationKind.ALERTS_RAISED, {"count": 3})
    services.notify(session, users["sales"].id, NotificationKind.APPROVAL_WAITING,
                    {"campaign_id": 1, "name": "Not chosen"})
    services.notify(session, users["rival"].id, NotificationKind.ALERTS_RAISED, {"count": 1})
    session.commit()


def test_the_digest_mails_the_chosen_kinds_once_a_day(app, session, users, chosen):
    assert send_notification_digests(DAY) == {"sent": 1, "failed": 0}
    assert send_notification_digests(DAY) == {"sent": 0, "failed": 0}
    [path] = _outbox(app)
    message = _read(path)
    assert message["To"] == "sales@n.test"
    text = message.get_body(("plain",)).get_content()
    assert "3 new alerts on your accounts" in text
    assert "Not chosen" not in text  # not a kind the user chose
    assert "/notifications/" in text


def test_the_next_days_digest_holds_only_what_came_since(app, session, users, chosen):
    send_notification_digests(DAY)
    assert send_notification_digests(date(2026, 12, 8)) == {"sent": 0, "failed": 0}
    services.notify(session, users["sales"].id, NotificationKind.ALERTS_RAISED, {"count": 7})
    session.commit()
    assert send_notification_digests(date(2026, 12, 8))["sent"] == 1
    newest = _read(_outbox(app)[-1]).get_body(("plain",)).get_content()
    assert "7 new alerts" in newest and "3 new alerts" not in newest


def test_a_digest_goes_in_the_readers_language(app, session, users, chosen):
    users["sales"].language = "ru"
    session.commit()
    send_notification_digests(DAY)
    message = _read(_outbox(app)[0])
    assert message["Subject"].replace("\u202f", " ") == "Ваши уведомления за 7 декабря 2026 г."
    assert "3 новых сигнала по вашим клиентам" in message.get_body(("plain",)).get_content()


def test_the_digest_goes_through_the_smtp_server(app, session, users, chosen,
                                                 smtp_server):  # noqa: F811
    app.extensions["abm.settings"].smtp_url = smtp_server.url
    assert send_notification_digests(DAY)["sent"] == 1
    [(to, data)] = smtp_server.messages
    assert to == "sales@n.test"
    assert "3 new alerts" in _read_bytes(data)


def test_a_refused_digest_is_not_recorded_and_goes_next_time(app, session, users, chosen,
                                                             smtp_server):  # noqa: F811
    app.extensions["abm.settings"].smtp_url = smtp_server.url
    smtp_server.replies["sales@n.test"] = ["451 try later"]
    assert send_notification_digests(DAY) == {"sent": 0, "failed": 1}
    assert send_notification_digests(DAY) == {"sent": 1, "failed": 0}


def _read_bytes(data: bytes) -> str:
    return email.message_from_bytes(data, policy=policy.default).get_body(
        ("plain",)).get_content()


def test_a_request_decided_before_the_digest_is_not_mailed_as_waiting(app, session, users):
    from abm.campaigns import services as campaigns

    services.set_email_kinds(session, users["admin"].id, ["approval_waiting"])
    made = {name: campaigns.create_campaign(session, name=name, kind="volume_bonus", offer={})
            for name in ("Decided", "Still waiting")}
    for campaign in made.values():
        campaigns.request_approval(session, campaign.id, user_id=users["marketing"].id)
    campaigns.decide(session, made["Decided"].id, users["manager"].id, approve=True)
    session.commit()
    assert send_notification_digests(DAY)["sent"] == 1
    text = _read(_outbox(app)[0]).get_body(("plain",)).get_content()
    assert "“Still waiting” is waiting for your approval" in text
    assert "Decided" not in text
