"""Approval by what is offered: the structured offer and the one rule that reads it."""

import pytest

from abm.audit.models import AuditEvent
from abm.campaigns import services
from abm.campaigns.approval import reasons_for
from abm.campaigns.models import CampaignStatus
from abm.campaigns.offers import OfferTerms, offer_dict
from abm.campaigns.settings import CampaignSettings
from abm.settings.services import update_settings

KINDS = ["personal_offer", "promotion", "loyalty_invitation", "greeting", "win_back"]
ELEMENTS = {
    "volume_bonus": ({"bonus_percent": 10, "bonus_threshold": 50000},
                     {"percent": 10, "threshold": 50000}),
    "payment_terms": ({"payment_days": 90}, {"days": 90}),
    "free_terms": ({"terms": "Individual 90-day payment terms"}, {}),
    "discount": ({"discount_percent": 15}, {"percent": 15, "threshold": 10}),
}


def _campaign(session, kind="personal_offer", offer=None):
    return services.create_campaign(session, name="Test", kind=kind,
                                    offer={} if offer is None else offer)


@pytest.fixture
def threshold_10(session):
    update_settings(session, CampaignSettings, discount_approval_threshold=10)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("element", ELEMENTS)
def test_each_offer_element_needs_approval_whatever_the_kind(session, threshold_10, kind,
                                                             element):
    offer, params = ELEMENTS[element]
    campaign = _campaign(session, kind, offer)
    reasons = services.approval_reasons(session, campaign)
    assert [(r.code, r.params) for r in reasons] == [(element, params)]
    with pytest.raises(services.CampaignError, match="needs a manager's approval first"):
        services.schedule_campaign(session, campaign.id)


def test_a_plain_discount_below_the_threshold_needs_no_approval(session, threshold_10):
    campaign = _campaign(session, "personal_offer", {"title": "Spring", "discount_percent": 5,
                                                     "price_list": "Retail 2027"})
    assert services.approval_reasons(session, campaign) == []
    services.schedule_campaign(session, campaign.id)
    assert campaign.status == CampaignStatus.SCHEDULED


def test_a_discount_at_the_threshold_needs_no_approval():
    assert reasons_for("promotion", OfferTerms(discount_percent=10), 10) == []


def test_bonus_and_terms_kinds_still_wait_for_a_manager_before_their_offer_says_more(session):
    campaign = _campaign(session, "volume_bonus")
    assert [r.code for r in services.approval_reasons(session, campaign)] == ["kind"]


def test_the_personal_offer_of_the_issue_waits_for_approval(session, users):
    campaign = _campaign(session, "personal_offer", {
        "title": "Volume bonus: 10% rebate", "bonus_percent": 10, "bonus_threshold": 20000,
        "payment_days": 90, "terms": "Individual 90-day payment terms"})
    reasons = services.approval_reasons(session, campaign)
    assert [r.code for r in reasons] == ["volume_bonus", "payment_terms", "free_terms"]
    assert [r.text() for r in reasons] == [
        "a volume bonus of 10% of purchases above 20000",
        "individual payment terms of 90 days", "terms written out in the offer"]
    with pytest.raises(services.CampaignError, match="volume bonus of 10%"):
        services.schedule_campaign(session, campaign.id)
    services.request_approval(session, campaign.id, user_id=users["marketing"].id)
    services.decide(session, campaign.id, users["manager"].id, approve=True)
    services.schedule_campaign(session, campaign.id)
    assert campaign.status == CampaignStatus.SCHEDULED


def test_the_offer_keeps_its_economics_in_columns_and_the_rest_as_shown(session):
    campaign = _campaign(session, "personal_offer", {
        "title": "Deal", "discount_percent": 7.5, "bonus_percent": 3, "bonus_threshold": 1000,
        "payment_days": 45, "price_list": "Wholesale", "terms": " Net 45 ",
        "link": "https://shop.example/deal"})
    assert (campaign.discount_percent, campaign.bonus_percent, campaign.bonus_threshold,
            campaign.payment_days, campaign.price_list, campaign.terms) == (
        7.5, 3, 1000, 45, "Wholesale", "Net 45")
    assert campaign.offer == {"title": "Deal", "link": "https://shop.example/deal"}
    assert offer_dict(campaign) == {
        "title": "Deal", "link": "https://shop.example/deal", "discount_percent": 7.5,
        "bonus_percent": 3, "bonus_threshold": 1000, "payment_days": 45,
        "price_list": "Wholesale", "terms": "Net 45"}


@pytest.mark.parametrize(("offer", "message"), [
    ({"bonus_threshold": 1000}, "needs the bonus percentage"),
    ({"payment_days": 30.5}, "whole number of days"),
    ({"payment_days": -1}, "payment_days must be from 0"),
    ({"bonus_percent": "ten"}, "bonus_percent must be a number"),
    ({"discount_percent": True}, "discount_percent must be a number"),
    ({"link": "javascript:alert(1)"}, "link must be a web address"),
    ({"terms": 5}, "terms must be a text"),
    ([], "must be a JSON object"),
])
def test_an_invalid_offer_is_refused_with_what_is_wrong(session, offer, message):
    with pytest.raises(services.CampaignError, match=message):
        _campaign(session, "personal_offer", offer)


def test_an_unchanged_offer_keeps_the_approval(session, users):
    campaign = _campaign(session, "personal_offer", {"bonus_percent": 5})
    services.decide(session, campaign.id, users["manager"].id, approve=True)
    services.update_campaign(session, campaign.id, name="Renamed", offer={"bonus_percent": 5})
    assert campaign.status == CampaignStatus.APPROVED
    services.update_campaign(session, campaign.id, offer={"bonus_percent": 6})
    assert campaign.status == CampaignStatus.DRAFT


def _approval_events(session):
    return [e.details for e in session.query(AuditEvent).filter_by(action="campaign_approval")
            .order_by(AuditEvent.id)]


def test_every_step_of_an_approval_is_audited_with_who_and_what(session, users, make_accounts):
    make_accounts(2)
    campaign = _campaign(session, "personal_offer", {"title": "Deal", "bonus_percent": 4})
    services.request_approval(session, campaign.id, user_id=users["marketing"].id)
    services.decide(session, campaign.id, users["manager"].id, approve=False, reason="too much")
    services.update_campaign(session, campaign.id, offer={"title": "Deal", "bonus_percent": 2},
                             user_id=users["marketing"].id)
    services.request_approval(session, campaign.id, user_id=users["marketing"].id)
    services.decide(session, campaign.id, users["manager"].id, approve=True, reason="fine")
    services.update_campaign(session, campaign.id, offer={"title": "Deal", "bonus_percent": 3},
                             user_id=users["marketing"].id)
    events = session.query(AuditEvent).filter_by(action="campaign_approval") \
        .order_by(AuditEvent.id).all()
    assert [(e.details["event"], e.actor_id) for e in events] == [
        ("requested", users["marketing"].id), ("rejected", users["manager"].id),
        ("requested", users["marketing"].id), ("approved", users["manager"].id),
        ("withdrawn", users["marketing"].id)]
    assert all(e.target == f"campaign:{campaign.id}" and e.occurred_at for e in events)
    approved = events[3].details
    assert approved["reason"] == "fine"
    assert approved["offer"] == {"title": "Deal", "bonus_percent": 2}
    assert approved["reasons"] == [{"code": "volume_bonus",
                                    "params": {"percent": 2, "threshold": 0}}]
    assert (approved["stake"]["accounts"], approved["stake"]["recipients"]) == (2, 4)
    assert events[4].details == {"event": "withdrawn", "was": "approved", "changed": "offer"}
