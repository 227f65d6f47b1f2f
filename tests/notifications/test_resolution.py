"""A request settled by someone else: it says how, stays in the inbox and is no longer unread."""

from __future__ import annotations

from sqlalchemy import select

from abm.campaigns import services as campaigns
from abm.notifications import services
from abm.notifications.models import Notification, NotificationKind
from abm.notifications.texts import render, translations_for
from abm.users.services import create_user


def _requested(session, users, name="Bonus Q1"):
    campaign = campaigns.create_campaign(session, name=name, kind="volume_bonus", offer={})
    campaigns.request_approval(session, campaign.id, user_id=users["marketing"].id)
    return campaign


def _waiting(session, user):
    return [n for n in services.inbox(session, user.id) if n.kind == "approval_waiting"]


def test_a_decision_settles_the_request_in_every_approvers_inbox(session, users):
    other = create_user(session, email="second@n.test", name="Second", role="manager",
                        password="secret-password")
    campaign = _requested(session, users)
    campaigns.decide(session, campaign.id, users["manager"].id, approve=True)
    for approver in (users["admin"], other, users["manager"]):
        assert services.unread_count(session, approver.id) == 0
        [n] = _waiting(session, approver)
        assert n.read and n.resolved_at is not None
        assert n.params == {"campaign_id": campaign.id, "name": "Bonus Q1"}  # as it was told
        assert n.resolution == {"code": "approved", "by": "Manager",
                                "by_id": users["manager"].id}
    assert services.inbox(session, other.id, unread_only=True) == []


def test_a_settled_request_keeps_its_history(session, users):
    campaign = _requested(session, users)
    [read_first] = _waiting(session, users["manager"])
    services.mark_read(session, users["manager"].id, [read_first.id])
    campaigns.decide(session, campaign.id, users["admin"].id, approve=False, reason="Too much")
    rows = {n.user_id: n for n in session.scalars(select(Notification).where(
        Notification.kind == NotificationKind.APPROVAL_WAITING))}
    assert set(rows) == {users["manager"].id, users["admin"].id}  # nothing deleted
    assert rows[users["manager"].id].read_at is not None  # what the user did stays
    assert rows[users["admin"].id].read_at is None  # and what they did not, too
    assert all(r.resolution["code"] == "rejected" and r.resolved_at for r in rows.values())
    assert services.mark_read(session, users["admin"].id) == 0  # nothing left to read


def test_a_new_request_after_a_rejection_waits_again(session, users):
    campaign = _requested(session, users)
    campaigns.decide(session, campaign.id, users["manager"].id, approve=False, reason="No")
    campaigns.request_approval(session, campaign.id, user_id=users["marketing"].id)
    assert services.unread_count(session, users["admin"].id) == 1
    newest, settled = _waiting(session, users["admin"])
    assert (newest.resolution, settled.resolution["code"]) == (None, "rejected")


def test_a_change_or_a_cancellation_settles_a_pending_request(session, users):
    changed = _requested(session, users, "Changed")
    campaigns.update_campaign(session, changed.id, user_id=users["marketing"].id,
                              offer={"bonus_percent": 4, "bonus_threshold": 1000})
    cancelled = _requested(session, users, "Cancelled")
    campaigns.cancel_campaign(session, cancelled.id, user_id=users["admin"].id)
    assert services.unread_count(session, users["manager"].id) == 0
    codes = {n.params["name"]: (n.resolution["code"], n.resolution["by"])
             for n in _waiting(session, users["manager"])}
    assert codes == {"Changed": ("withdrawn", "Marketing"), "Cancelled": ("cancelled", "Admin")}


def test_a_decision_settles_only_its_own_campaigns_request(session, users):
    decided = _requested(session, users, "Decided")
    _requested(session, users, "Still waiting")
    campaigns.decide(session, decided.id, users["manager"].id, approve=True)
    [unread] = services.inbox(session, users["admin"].id, unread_only=True)
    assert (unread.kind, unread.params["name"]) == ("approval_waiting", "Still waiting")
    assert services.unread_count(session, users["admin"].id) == 1


def test_a_settled_request_says_how_and_by_whom_in_the_readers_language():
    params = {"campaign_id": 1, "name": "Bonus"}
    en, ru = translations_for("en"), translations_for("ru")
    approved = {"code": "approved", "by": "Anna", "by_id": 2}
    assert render(en, "approval_waiting", params, approved) == \
        "The campaign “Bonus” was approved by Anna"
    assert render(ru, "approval_waiting", params, approved) == "Кампанию «Bonus» одобрил(а) Anna"
    assert render(ru, "approval_waiting", params, {"code": "rejected", "by": "Anna"}) == \
        "Кампанию «Bonus» отклонил(а) Anna"
    assert render(en, "approval_waiting", params, {"code": "withdrawn", "by": "Olga"}) == \
        "The campaign “Bonus” was changed by Olga and no longer waits for approval"
    assert render(en, "approval_waiting", params, {"code": "closed", "by": None}) == \
        "The campaign “Bonus” no longer waits for approval"
    assert render(en, "approval_waiting", params) == \
        "The campaign “Bonus” is waiting for your approval"
