"""One validator for every audience (web, API, CLI): unknown fields, operators and values are
refused with the rule and the reason, and nothing is stored; a stored audience that stopped
holding is refused at preview and scheduling, yet a worker never crashes on it."""

import re

import pytest
from sqlalchemy import func, select

from abm.campaigns import services
from abm.campaigns.audiences import (
    AudienceError,
    check_audience,
    normalise_audience,
    recipients,
)
from abm.campaigns.models import Campaign, CampaignStatus


def _rule(field, op, value):
    return {"rules": [{"field": "region", "op": "eq", "value": "North"},
                      {"field": field, "op": op, "value": value}]}


@pytest.mark.parametrize(("audience", "message"), [
    (_rule("shoe_size", "eq", 1), 'rule 2: there is no field "shoe_size"'),
    (_rule("region", "gt", "x"),
     'rule 2 (region): the operator "gt" does not apply; it takes eq, ne, in, not_in'),
    (_rule("churn_state", "in", ["at_risk", "lost2"]),
     'rule 2 (churn_state): "lost2" is not one of active, at_risk, lost'),
    (_rule("category", "in", ["loyal", "rich"]),
     'rule 2 (category): "rich" is not one of breadwinner, prospective, image, demanding, '
     "innovator, loyal"),
    (_rule("kind", "eq", "partner"), 'rule 2 (kind): "partner" is not one of customer, prospect'),
    (_rule("abc_xyz", "in", ["AX", "DZ"]), 'rule 2 (abc_xyz): "DZ" is not one of AX, AY, AZ, '
     "BX, BY, BZ, CX, CY, CZ"),
    (_rule("country", "eq", "Iceland"), 'rule 2 (country): "ICELAND" is not a country code'),
    (_rule("p_alive", "gt", "very"), 'rule 2 (p_alive): "very" is not a number'),
    (_rule("p_alive", "gt", 1.5), "rule 2 (p_alive): 1.5 is not between 0.0 and 1.0"),
    (_rule("key", "eq", "yes"), 'rule 2 (key): "yes" is not yes or no'),
    (_rule("owner", "in", ["Ann"]), 'rule 2 (owner): "Ann" is not a whole number'),
    (_rule("kind", "eq", ["customer", "prospect"]),
     "rule 2 (kind): this operator takes one value, not a list"),
    (_rule("city", "in", []), "rule 2 (city): a value is needed"),
    ({"match": "some"}, 'accounts must match "all" or "any" of the rules, not "some"'),
    ({"rule": []}, 'there is no audience setting "rule"; the settings are match, rules, '
     "account_ids, contact_roles, reachable_only, occasion"),
    ({"contact_roles": ["ceo"]}, '"ceo" is not a contact role; the roles are owner, '
     "purchasing, warehouse, logistics, accounting, technical, other"),
    ({"rules": [{"field": "region", "values": ["North"]}]},
     "rule 1 needs a field, an operator and a value, and nothing else"),
])
def test_a_wrong_rule_is_refused_naming_the_rule_and_the_reason(session, audience, message):
    with pytest.raises(AudienceError) as refused:
        check_audience(session, audience)
    assert str(refused.value) == message


def test_values_that_name_rows_must_exist(session, users, make_accounts, resegmented):
    [account] = make_accounts(1)
    steady = resegmented["steady"].id
    assert check_audience(session, _rule("segment", "eq", steady))
    assert check_audience(session, _rule("owner", "in", [users["sales"].id]))
    for audience, message in [
        (_rule("segment", "in", [steady, 999]),
         "rule 2 (segment): segment 999 is not in the latest segmentation; choose the "
         "segment again"),
        (_rule("owner", "eq", 999), "rule 2 (owner): there is no user 999"),
        (_rule("account", "in", [account.id, 999]), "rule 2 (account): there is no account 999"),
        ({"account_ids": [account.id, 999, 998]},
         "no account with the id or external id 998, 999"),
    ]:
        with pytest.raises(AudienceError) as refused:
            check_audience(session, audience)
        assert str(refused.value) == message


def test_codes_are_stored_in_their_canonical_form(session):
    audience = normalise_audience({"rules": [
        {"field": "country", "op": "in", "value": "is"},
        {"field": "abc_xyz", "op": "in", "value": ["ax", "AX", "cz"]}]})
    assert audience == {"rules": [{"field": "country", "op": "in", "value": ["IS"]},
                                  {"field": "abc_xyz", "op": "in", "value": ["AX", "CZ"]}]}


def test_a_refused_audience_stores_nothing(session):
    with pytest.raises(AudienceError):
        services.create_campaign(session, name="Lost", kind="win_back",
                                 audience=_rule("churn_state", "eq", "lost2"))
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0
    campaign = services.create_campaign(session, name="Lost", kind="win_back",
                                        audience=_rule("churn_state", "eq", "lost"))
    with pytest.raises(AudienceError):
        services.update_campaign(session, campaign.id, audience=_rule("kind", "eq", "x"))
    assert campaign.audience == _rule("churn_state", "eq", "lost")


def test_a_stored_audience_whose_segment_left_is_refused_at_preview_and_scheduling(
        session, resegmented):
    campaign = services.create_campaign(
        session, name="Steady", kind="promotion",
        audience={"rules": [{"field": "segment", "op": "eq",
                             "value": resegmented["steady"].id}]})
    resegmented["resegment"]()
    message = (f"rule 1 (segment): segment {resegmented['steady'].id} is not in the latest "
               "segmentation; choose the segment again")
    with pytest.raises(AudienceError, match=re.escape(message)):
        services.preview_campaign(session, campaign.id)
    with pytest.raises(AudienceError, match=re.escape(message)):
        services.schedule_campaign(session, campaign.id)
    assert campaign.status == CampaignStatus.DRAFT
    # A worker that meets it (scheduled before the segment left) finds nobody, and does not fail.
    assert recipients(session, campaign.audience) == []
