"""Greetings on the holidays of each account's country and on the workspace's own dates."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Contact, Gender
from abm.accounts.settings import ContactSettings
from abm.audit.services import NOBODY
from abm.campaigns import greeting_dates, services, triggers
from abm.campaigns.audience_errors import AudienceError
from abm.campaigns.audiences import check_audience
from abm.campaigns.models import Campaign
from abm.campaigns.occasions import OccasionNames, OccasionRule, country_holidays, holidays_on
from abm.delivery.models import OutboxMessage
from abm.settings.services import update_settings


def _holiday_campaign(session, occasion=None, **audience):
    if occasion is not None:
        audience["occasion"] = occasion
    campaign = services.create_campaign(session, name="holiday", kind="greeting",
                                        holdout_share=0, audience=audience)
    services.schedule_campaign(session, campaign.id, mode="trigger", trigger="holiday")
    return campaign


def _greeted(session, campaign) -> set[int]:
    return set(session.scalars(select(OutboxMessage.contact_id)
                               .where(OutboxMessage.campaign_id == campaign.id)))


def _contacts(account) -> set[int]:
    return {c.id for c in account.contacts}


def test_new_year_greets_each_country_on_its_own_calendar(session, make_accounts):
    ru, iceland = make_accounts(1, country="RU")[0], make_accounts(1, country="IS")[0]
    campaign = _holiday_campaign(session)
    triggers.scan_greetings(session, date(2027, 1, 1))
    assert _greeted(session, campaign) == _contacts(ru) | _contacts(iceland)
    # Russia's New Year holidays last until 8 January: greeted once, on the first day.
    assert triggers.scan_greetings(session, date(2027, 1, 2)) == {campaign.id: 0}


def test_23_february_and_9_may_are_greeted_in_russia_not_in_iceland(session, make_accounts):
    ru, iceland = make_accounts(1, country="RU")[0], make_accounts(1, country="IS")[0]
    campaign = _holiday_campaign(session)
    for day in (date(2026, 2, 23), date(2026, 5, 9)):
        assert triggers.scan_greetings(session, day) == {campaign.id: len(_contacts(ru))}
    assert _greeted(session, campaign) == _contacts(ru)
    assert not _greeted(session, campaign) & _contacts(iceland)
    # An observed day off (11 May 2026) is no second Victory Day.
    assert triggers.scan_greetings(session, date(2026, 5, 11)) == {campaign.id: 0}


def test_8_march_is_sent_only_by_a_campaign_that_chooses_it(session, make_accounts):
    make_accounts(1, country="RU")
    every = _holiday_campaign(session)
    chosen = _holiday_campaign(session, {"holidays": ["International Women's Day"]})
    added = triggers.scan_greetings(session, date(2026, 3, 8))
    assert added[every.id] == 0
    assert added[chosen.id] == 2


def test_with_gender_targeting_8_march_goes_to_women_and_23_february_to_men(
        session, make_accounts):
    account = make_accounts(1, contacts=3, country="RU")[0]
    woman, man, unknown = account.contacts
    woman.gender, man.gender = Gender.FEMALE, Gender.MALE
    update_settings(session, ContactSettings, greetings_by_gender=True)
    campaign = _holiday_campaign(session, {"holidays": ["*", "International Women's Day"]})
    triggers.scan_greetings(session, date(2026, 3, 8))
    assert _greeted(session, campaign) == {woman.id}
    triggers.scan_greetings(session, date(2026, 2, 23))
    assert _greeted(session, campaign) == {woman.id, man.id}
    triggers.scan_greetings(session, date(2026, 5, 9))  # not gendered: everyone
    assert unknown.id in _greeted(session, campaign)


def test_gender_is_refused_in_an_audience_until_the_workspace_targets_on_it(session):
    with pytest.raises(AudienceError) as caught:
        check_audience(session, {"occasion": {"gender": "female"}})
    assert caught.value.code == "gender_off"
    update_settings(session, ContactSettings, greetings_by_gender=True)
    assert check_audience(session, {"occasion": {"gender": "female"}})["occasion"]["gender"] \
        == "female"


@pytest.mark.parametrize("occasion", [{"holidays": "all"}, {"countries": ["Russia"]},
                                      {"dates": ["x"]}, {"when": 1}, {"gender": "other"}])
def test_a_malformed_occasion_is_refused(occasion):
    with pytest.raises(AudienceError):
        OccasionRule.parse(occasion)


def test_a_campaign_greets_only_its_countries(session, make_accounts):
    ru, by = make_accounts(1, country="RU")[0], make_accounts(1, country="BY")[0]
    campaign = _holiday_campaign(session, {"countries": ["by"]})
    triggers.scan_greetings(session, date(2026, 5, 9))
    assert _greeted(session, campaign) == _contacts(by)
    assert not _greeted(session, campaign) & _contacts(ru)


def test_workspace_and_account_anniversaries(session, make_accounts):
    first, second = make_accounts(2, country="IS")
    ours = greeting_dates.save_date(session, {"name": "Our anniversary", "name_ru": "Наш юбилей",
                                              "month": 6, "day": 2, "since_year": 2001}, NOBODY)
    theirs = greeting_dates.save_date(session, {"name": "Ten years together", "month": 6,
                                                "day": 3, "account_id": first.id}, NOBODY)
    campaign = _holiday_campaign(session, {"holidays": [], "dates": [ours.id, theirs.id]})
    triggers.scan_greetings(session, date(2026, 6, 2))
    assert _greeted(session, campaign) == _contacts(first) | _contacts(second)
    triggers.scan_greetings(session, date(2026, 6, 3))
    assert triggers.scan_greetings(session, date(2026, 6, 3)) == {campaign.id: 0}
    names = OccasionNames.of(session, session.get(Campaign, campaign.id))
    assert names.name(20260602, "IS", second.id, "ru") == "Наш юбилей"
    assert names.name(20260602, "IS", second.id, "en") == "Our anniversary"
    assert names.name(20260603, "IS", first.id, "en") == "Ten years together"
    assert names.name(20260603, "IS", second.id, "en") is None


def test_a_date_that_is_not_a_day_of_the_year_is_refused(session):
    with pytest.raises(greeting_dates.GreetingDateError) as caught:
        greeting_dates.save_date(session, {"name": "Never", "month": 2, "day": 30}, NOBODY)
    assert caught.value.field == "day"
    assert greeting_dates.list_dates(session) == []


def test_the_holiday_name_follows_the_day_country_and_language():
    names = OccasionNames(OccasionRule(), [])
    assert names.name(20260509, "RU", 1, "ru") == "День Победы"
    assert names.name(20260509, "RU", 1, "en") == "Victory Day"
    assert names.name(20260509, "IS", 1, "en") is None
    assert names.name(20261225, "IS", 1, "en") == "Christmas Day"
    assert names.name(20260308, "RU", 1, "ru") is None  # not chosen: opt-in


def test_country_calendars_skip_days_off_and_unknown_countries():
    keys = [h.key for h in country_holidays("RU", 2026)]
    assert "New Year Holidays" in keys and not any("observed" in k for k in keys)
    assert country_holidays("XX", 2026) == () and country_holidays(None, 2026) == ()
    assert [h.key for h in holidays_on("RU", date(2026, 1, 2))] == []


def test_contact_gender_is_kept(session, make_accounts):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    contact.gender = Gender.FEMALE
    session.flush()
    assert session.scalar(select(Contact.gender).where(Contact.id == contact.id)) == Gender.FEMALE
