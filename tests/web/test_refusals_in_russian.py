"""Refusals of the campaign rules read in the reader's language, statuses by their names."""

from __future__ import annotations

from abm.accounts.models import Contact
from abm.campaigns.services import create_campaign, request_approval


def _campaign(session, book, **kwargs):
    session.add(Contact(account_id=book["own"].id, name="Ivan Owner", email="ivan@own.test",
                        marketing_consent=True))
    made = create_campaign(session, name="Autumn bonus", holdout_share=0,
                           audience={"account_ids": [book["own"].id]}, **kwargs)
    session.commit()
    return made


def test_a_campaign_awaiting_approval_cannot_be_scheduled_said_in_russian(
        client, login, session, book):
    campaign = _campaign(session, book, kind="promotion")
    request_approval(session, campaign.id)
    session.commit()
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    page = client.post(f"/campaigns/{campaign.id}/schedule", data={"mode": "now"},
                       follow_redirects=True).get_data(as_text=True)
    assert "кампанию в состоянии «Ждёт согласования» нельзя запланировать" in page
    assert ">pending_approval" not in page and " pending_approval " not in page


def test_the_approval_a_draft_needs_is_said_in_russian_and_in_english(app, session, book):
    import pytest
    from flask_babel import force_locale

    from abm.campaigns.services import CampaignError, schedule_campaign
    from abm.web.audience_text import error_text

    campaign = _campaign(session, book, kind="individual_terms", offer={"payment_days": 90})
    with pytest.raises(CampaignError) as refused:
        schedule_campaign(session, campaign.id)
    assert str(refused.value).startswith("needs a manager's approval first: individual terms")
    with app.test_request_context("/"):
        with force_locale("ru"):
            said = error_text(refused.value)
            assert said.startswith("сначала нужно согласование руководителя: ")
            assert said.endswith("; индивидуальная отсрочка платежа 90 дней")
        with force_locale("en"):
            said = error_text(refused.value)
            assert said.startswith("needs a manager's approval first: ")
            assert said.endswith("; individual payment terms of 90 days")


def test_an_alert_acknowledged_twice_is_refused_in_russian_with_its_status_named(
        client, login, session, book):
    from abm.analytics.models import Alert, AlertKind

    alert = Alert(account_id=book["own"].id, kind=AlertKind.NO_SHIPMENTS, cause="2026-10",
                  details={"month": "2026-10"})
    session.add(alert)
    session.commit()
    login("sales")
    client.post("/language", data={"lang": "ru"})
    client.post(f"/alerts/{alert.id}/acknowledge")
    page = client.post(f"/alerts/{alert.id}/acknowledge", follow_redirects=True
                       ).get_data(as_text=True)
    assert f"Не выполнено: сигнал {alert.id} уже не открыт (В работе)" in page


def test_a_send_window_that_ends_before_it_starts_is_refused_in_russian(app, session, book):
    import pytest
    from flask_babel import force_locale

    from abm.campaigns.services import ScheduleError
    from abm.web.audience_text import error_text

    with pytest.raises(ScheduleError) as refused:
        _campaign(session, book, kind="promotion",
                  send_window={"start": "18:00", "end": "09:00", "days": [1]})
    assert str(refused.value) == "the window must end after it starts (18:00 - 09:00)"
    with app.test_request_context("/"), force_locale("ru"):
        assert error_text(refused.value) == \
            "окно должно заканчиваться позже, чем начинается (18:00 - 09:00)"
