"""The workspace's own dates worth a greeting: managers edit them, marketing reads them, and a
greeting campaign's audience page offers them with the holidays and countries."""

from sqlalchemy import select

from abm.audit.models import AuditEvent
from abm.campaigns.models import GreetingDate


def test_a_manager_adds_and_deletes_a_date_and_each_change_is_audited(client, login, session):
    login("manager")
    response = client.post("/campaigns/dates/", data={"name": "Our anniversary",
                                                      "name_ru": "Наш юбилей", "day": "2",
                                                      "month": "6", "since_year": "2001"})
    assert response.status_code == 302
    [saved] = session.scalars(select(GreetingDate))
    assert (saved.name_ru, saved.day, saved.month, saved.since_year) == ("Наш юбилей", 2, 6, 2001)
    page = client.get("/campaigns/dates/").get_data(as_text=True)
    assert "Our anniversary" in page and "02.06" in page
    assert client.post(f"/campaigns/dates/{saved.id}/delete").status_code == 302
    assert session.scalars(select(GreetingDate)).all() == []
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == "greeting_date")).all()
    assert len(actions) == 2


def test_a_day_that_is_not_one_is_refused_in_the_users_language(client, login, session):
    login("manager")
    response = client.post("/campaigns/dates/", data={"name": "Never", "day": "30",
                                                      "month": "2"},
                           headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert session.scalars(select(GreetingDate)).all() == []


def test_marketing_reads_the_dates_but_may_not_change_them(client, login):
    login("marketing")
    assert client.get("/campaigns/dates/").status_code == 200
    assert client.post("/campaigns/dates/", data={"name": "X", "day": "1",
                                                  "month": "1"}).status_code == 403


def _greeting(session, users, book):
    from abm.campaigns.services import create_campaign

    made = create_campaign(session, name="Holidays", kind="greeting", holdout_share=0,
                           audience={"account_ids": [book["own"].id]},
                           user_id=users["marketing"].id)
    session.commit()
    return made


def test_a_greeting_audience_chooses_its_holidays_countries_and_dates(client, login, session,
                                                                     users, book):
    campaign = _greeting(session, users, book)
    ours = GreetingDate(name="Our anniversary", month=6, day=2)
    session.add(ours)
    session.commit()
    login("marketing")
    page = client.get(f"/campaigns/{campaign.id}/audience").get_data(as_text=True)
    assert 'id="occasion"' in page and "Our anniversary" in page
    response = client.post(f"/campaigns/{campaign.id}/audience", data={
        "match": "all", "picked": "C1", "reachable_only": "on", "occasion-shown": "1",
        "occasion-holidays": ["Victory Day", "International Women's Day"],
        "occasion-countries": ["RU"], "occasion-dates": [str(ours.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.audience["occasion"] == {
        "holidays": ["Victory Day", "International Women's Day"], "countries": ["RU"],
        "dates": [ours.id], "gender": None}


def test_a_greeting_is_scheduled_on_its_trigger_from_the_page(client, login, session, users,
                                                             book):
    campaign = _greeting(session, users, book)
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={
        "mode": "trigger", "trigger": "birthday"})
    assert response.status_code == 302
    session.refresh(campaign)
    assert (campaign.status.value, campaign.schedule_mode.value, campaign.trigger.value) == (
        "scheduled", "trigger", "birthday")
