"""The monthly tier proposals of the revenue rule and a manager's decision on them."""

from __future__ import annotations

from datetime import date

import pytest

from abm.audit.services import NOBODY, Actor
from abm.loyalty import services
from abm.loyalty.proposals import decide_proposal, pending_proposals, propose_tier_changes
from abm.loyalty.services import LoyaltyError

TODAY = date(2026, 6, 15)


@pytest.fixture
def member(session, programme, make_accounts, sales):
    account, = make_accounts(1)
    services.update_membership(session, NOBODY, account.id, programme.id, status="member",
                               tier="silver")
    return account


def test_revenue_over_the_period_proposes_the_tier_it_reaches(session, member, sales):
    sales(member, {"A": 3000}, date(2026, 1, 1))
    sales(member, {"A": 3000}, date(2026, 5, 1))
    sales(member, {"A": 90000}, date(2026, 6, 1))  # this month: not a full month yet
    assert propose_tier_changes(session, TODAY) == 1
    proposal, = pending_proposals(session)
    assert (proposal.from_tier, proposal.to_tier, proposal.revenue, proposal.month) == (
        "silver", "gold", 6000, date(2026, 6, 1))


def test_a_member_whose_tier_holds_gets_no_proposal(session, member, sales):
    sales(member, {"A": 1500}, date(2026, 3, 1))
    assert propose_tier_changes(session, TODAY) == 0


def test_proposing_twice_in_a_month_adds_nothing(session, member, sales):
    sales(member, {"A": 6000}, date(2026, 3, 1))
    assert propose_tier_changes(session, TODAY) == 1
    assert propose_tier_changes(session, date(2026, 6, 30)) == 0


def test_the_rule_never_moves_a_member_by_itself(session, member, sales):
    sales(member, {"A": 6000}, date(2026, 3, 1))
    propose_tier_changes(session, TODAY)
    assert services.memberships(session, member.id)[0].tier == "silver"


def test_a_confirmed_proposal_moves_the_member_and_is_audited(session, member, sales, users):
    sales(member, {"A": 6000}, date(2026, 3, 1))
    propose_tier_changes(session, TODAY)
    proposal, = pending_proposals(session)
    decided = decide_proposal(session, Actor(users["manager"].id), proposal.id, True)
    assert decided.status == "confirmed"
    assert services.memberships(session, member.id)[0].tier == "gold"
    assert pending_proposals(session) == []
    with pytest.raises(LoyaltyError, match="decided already"):
        decide_proposal(session, Actor(users["manager"].id), proposal.id, False)


def test_a_rejected_proposal_keeps_the_tier(session, member, sales, users):
    sales(member, {"A": 6000}, date(2026, 3, 1))
    propose_tier_changes(session, TODAY)
    proposal, = pending_proposals(session)
    decide_proposal(session, Actor(users["manager"].id), proposal.id, False)
    assert services.memberships(session, member.id)[0].tier == "silver"


def test_the_command_proposes(session, member, sales, runner):
    from abm.cli import cli

    sales(member, {"A": 6000}, date(2026, 3, 1))
    session.commit()
    result = runner.invoke(cli, args=["loyalty", "propose", "--today", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "1 tier change proposed" in result.output
