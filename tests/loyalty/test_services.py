"""Loyalty programmes and memberships: the one write path of each change, and its audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.audit.services import NOBODY, Actor
from abm.loyalty import services
from abm.loyalty.services import LoyaltyError, TierInput


def _audited(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_programme_keeps_its_tiers_lowest_first_and_is_audited(session, programme):
    assert [(t.name, t.rank, t.min_revenue) for t in programme.tiers] == [
        ("silver", 0, 1000), ("gold", 1, 5000)]
    assert _audited(session, services.PROGRAMME_SAVED)[0].details["tiers"] == ["silver", "gold"]


def test_the_revenue_rule_needs_a_minimum_for_every_tier_in_order(session):
    with pytest.raises(LoyaltyError, match="minimum revenue"):
        services.save_programme(session, NOBODY, name="P", rule="revenue",
                                tiers=[TierInput("silver")])
    with pytest.raises(LoyaltyError, match="lowest"):
        services.save_programme(session, NOBODY, name="P", rule="revenue",
                                tiers=[TierInput("gold", 5000), TierInput("silver", 1000)])


def test_two_programmes_cannot_share_a_name(session, programme):
    with pytest.raises(LoyaltyError, match="exists already"):
        services.save_programme(session, NOBODY, name="Partners", rule="manual", tiers=[])


def test_a_tier_renamed_away_leaves_its_members_without_a_tier(session, programme,
                                                               make_accounts):
    account, = make_accounts(1)
    services.update_membership(session, NOBODY, account.id, programme.id, status="member",
                               tier="gold")
    services.save_programme(session, NOBODY, name="Partners", rule="revenue",
                            tiers=[TierInput("silver", 1000), TierInput("platinum", 9000)],
                            programme_id=programme.id)
    session.expire_all()
    assert services.memberships(session, account.id)[0].tier is None


def test_a_membership_tells_invited_accepted_and_left(session, programme, make_accounts):
    account, = make_accounts(1)
    invited = services.update_membership(session, NOBODY, account.id, programme.id)
    assert (invited.status, invited.invited_at is not None, invited.accepted_at) == (
        "invited", True, None)
    member = services.update_membership(session, NOBODY, account.id, programme.id,
                                        status="member", tier="silver")
    assert (member.status, member.tier, member.since is not None) == ("member", "silver", True)
    left = services.update_membership(session, NOBODY, account.id, programme.id, status="left")
    assert (left.status, left.tier, left.accepted_at) == ("left", "silver", member.accepted_at)
    events = _audited(session, services.MEMBERSHIP_CHANGED)
    assert [e.details["to"] for e in events] == [
        ["invited", None], ["member", "silver"], ["left", "silver"]]
    assert events[-1].target == f"account:{account.id}"


def test_an_unknown_tier_is_refused_and_changes_nothing(session, programme, make_accounts):
    account, = make_accounts(1)
    with pytest.raises(LoyaltyError, match="no tier named 'bronze'"):
        services.update_membership(session, NOBODY, account.id, programme.id, tier="bronze")


def test_accepting_twice_records_one_acceptance(session, programme, make_accounts):
    account, = make_accounts(1)
    services.invite(session, NOBODY, programme.id, [account.id])
    first = services.accept(session, Actor(via="accept link"), programme.id, account.id)
    again = services.accept(session, Actor(via="accept link"), programme.id, account.id)
    assert (first.already, again.already) == (False, True)
    assert len(_audited(session, services.ACCEPTED)) == 1
    assert services.memberships(session, account.id)[0].status == "member"


def test_an_invitation_leaves_members_as_they_are(session, programme, make_accounts):
    member, newcomer = make_accounts(2)
    services.update_membership(session, NOBODY, member.id, programme.id, status="member")
    assert services.invite(session, NOBODY, programme.id, [member.id, newcomer.id]) == 1
    assert services.memberships(session, member.id)[0].status == "member"
    assert services.memberships(session, newcomer.id)[0].status == "invited"


def test_inviting_again_invites_nobody_new_across_chunks(session, programme, make_accounts):
    accounts = make_accounts(services._CHUNK + 3, contacts=0)
    ids = [a.id for a in accounts]
    assert services.invite(session, NOBODY, programme.id, ids) == len(ids)
    assert services.invite(session, NOBODY, programme.id, ids) == 0  # every send job asks again
    assert {m.status for a in accounts[-3:] for m in services.memberships(session, a.id)} == {
        "invited"}


def test_an_unknown_programme_invites_nobody(session, make_accounts):
    account, = make_accounts(1)
    with pytest.raises(LoyaltyError):
        services.invite(session, NOBODY, 999_999, [account.id])


def test_the_status_selects_the_accounts_of_each_state(session, programme, make_accounts):
    invited, member, gone = make_accounts(3)
    for account, status in ((invited, "invited"), (member, "member"), (gone, "left")):
        services.update_membership(session, NOBODY, account.id, programme.id, status=status)
    for status, expected in (("invited", invited), ("member", member), ("left", gone)):
        assert list(session.scalars(services.account_ids_with_status(status))) == [expected.id]


def test_the_only_active_programme_is_the_default(session, programme):
    assert services.default_programme_id(session) == programme.id
    services.save_programme(session, NOBODY, name="Second", rule="manual", tiers=[])
    assert services.default_programme_id(session) is None
