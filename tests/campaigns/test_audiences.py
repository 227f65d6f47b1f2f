from datetime import UTC, datetime

import pytest

from abm.accounts.models import AccountKind, Category
from abm.campaigns.audiences import (
    AudienceError,
    describe_fields,
    preview_audience,
    recipients,
    target_account_ids,
)


def test_rules_combine_with_all(session, make_accounts):
    north = make_accounts(2, region="North", categories=[Category.LOYAL])
    make_accounts(2, region="South", categories=[Category.LOYAL])
    make_accounts(1, region="North")
    audience = {"rules": [{"field": "region", "op": "eq", "value": "North"},
                          {"field": "category", "op": "in", "value": ["loyal"]}]}
    assert target_account_ids(session, audience) == [a.id for a in north]


def test_rules_combine_with_any(session, make_accounts):
    a = make_accounts(1, region="North")
    b = make_accounts(1, kind=AccountKind.PROSPECT)
    make_accounts(1, region="South")
    audience = {"match": "any", "rules": [{"field": "region", "op": "eq", "value": "North"},
                                          {"field": "kind", "op": "eq", "value": "prospect"}]}
    assert target_account_ids(session, audience) == [a[0].id, b[0].id]


def test_hand_picked_accounts_are_added(session, make_accounts):
    accounts = make_accounts(3)
    assert target_account_ids(session, {"account_ids": [accounts[1].id]}) == [accounts[1].id]


def test_contact_roles_choose_who_receives_it(session, make_accounts):
    account = make_accounts(1, contacts=2)[0]
    found = recipients(session, {"contact_roles": ["purchasing"]})
    assert found == [(account.id, account.contacts[1].id)]


def test_unreachable_contacts_are_left_out(session, make_accounts):
    account = make_accounts(1, contacts=2)[0]
    account.contacts[0].unsubscribed_at = datetime.now(UTC)
    account.contacts[1].marketing_consent = False
    session.flush()
    assert recipients(session, {}) == []
    assert len(recipients(session, {"reachable_only": False})) == 2


def test_preview_counts_accounts_contacts_and_roles(session, make_accounts):
    make_accounts(3, contacts=2, region="North")
    make_accounts(1, contacts=0, region="North")
    preview = preview_audience(session, {"rules": [{"field": "region", "op": "eq",
                                                    "value": "North"}]})
    assert preview["accounts"] == 4
    assert preview["accounts_with_recipients"] == 3
    assert preview["contacts"] == 6
    assert preview["by_role"] == {"owner": 3, "purchasing": 3}


@pytest.mark.parametrize("audience", [
    {"rules": [{"field": "shoe_size", "op": "eq", "value": 1}]},
    {"rules": [{"field": "region", "op": "gt", "value": "x"}]},
    {"match": "some"},
    {"contact_roles": ["ceo"]},
])
def test_a_bad_audience_is_refused_with_a_message(session, audience):
    with pytest.raises(AudienceError):
        recipients(session, audience)


def test_analytics_and_segment_fields_are_offered():
    names = {f["name"] for f in describe_fields()}
    assert {"key", "near_key", "dependency", "abc_xyz", "churn_state", "p_alive",
            "segment"} <= names


def test_churn_state_from_analytics_selects_accounts(session, make_accounts):
    from datetime import date

    from abm.analytics.models import ChurnState

    at_risk, active = make_accounts(2)
    for account, state in ((at_risk, "at_risk"), (active, "active")):
        session.add(ChurnState(account_id=account.id, state=state, since=date(2026, 1, 1),
                               last_purchase_on=date(2025, 12, 1), rhythm_days=30,
                               silence_days=60, revenue_at_stake=0, reasons=[]))
    session.flush()
    audience = {"rules": [{"field": "churn_state", "op": "in", "value": ["at_risk", "lost"]}]}
    assert target_account_ids(session, audience) == [at_risk.id]


def test_contact_rules_combine_with_contact_roles(session, make_accounts):
    account = make_accounts(1, contacts=2)[0]
    make_accounts(1, contacts=1)  # an owner only: no purchasing contact
    audience = {"rules": [{"field": "has_reachable_contact", "op": "eq", "value": True},
                          {"field": "contact_role", "op": "in", "value": ["purchasing"]}],
                "contact_roles": ["purchasing"]}
    assert recipients(session, audience) == [(account.id, account.contacts[1].id)]
    assert preview_audience(session, audience)["contacts"] == 1


def test_unreachable_contacts_are_counted_by_each_reason(session, make_accounts):
    from datetime import UTC, datetime

    from abm.campaigns.audiences import preview_audience

    account = make_accounts(1, contacts=5)[0]
    ok, no_consent, gone, bounced, nothing = account.contacts
    no_consent.marketing_consent = False
    gone.unsubscribed_at = datetime(2026, 1, 1, tzinfo=UTC)
    bounced.bounced_at = datetime(2026, 1, 1, tzinfo=UTC)
    bounced.marketing_consent = False
    nothing.email = None
    session.flush()
    counts = preview_audience(session, {"account_ids": [account.id]})
    assert counts["contacts"] == 1
    assert counts["unreachable"] == {"total": 4, "no_consent": 2, "unsubscribed": 1,
                                     "bounced": 1, "invalid_address": 1}
    owners = preview_audience(session, {"account_ids": [account.id], "contact_roles": ["owner"]})
    assert owners["unreachable"]["total"] == 0  # only the first contact is an owner
