import pytest

from abm.campaigns import plans, services


def test_an_account_plan_keeps_objectives_terms_notes_and_campaigns(session, make_accounts):
    account = make_accounts(1)[0]
    campaign = services.create_campaign(session, name="Bonus", kind="volume_bonus")
    plans.update_plan(session, account.id, objectives="Grow 20%", notes="Met the owner",
                      terms=[{"title": "2% volume bonus", "discount_percent": 2}])
    plans.link_campaign(session, account.id, campaign.id)
    plans.link_campaign(session, account.id, campaign.id)  # once only
    detail = plans.plan_detail(session, account.id)
    assert (detail["objectives"], detail["notes"]) == ("Grow 20%", "Met the owner")
    assert detail["terms"][0]["discount_percent"] == 2
    assert [c["id"] for c in detail["campaigns"]] == [campaign.id]


def test_terms_must_be_a_list_of_objects(session, make_accounts):
    account = make_accounts(1)[0]
    with pytest.raises(services.CampaignError):
        plans.update_plan(session, account.id, terms=["free shipping"])
