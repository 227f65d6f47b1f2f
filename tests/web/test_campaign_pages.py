"""The campaign pages: create, audience with live counts, template with live preview, approval,
schedule, delivery by a real worker, results; and who may do what."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from abm.accounts.models import Account, Contact, ContactRole
from abm.campaigns.models import Campaign, CampaignStatus
from abm.campaigns.offers import offer_dict
from abm.campaigns.services import create_campaign, request_approval

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def campaign(session, users):
    made = create_campaign(session, name="Win them back", kind="win_back",
                           user_id=users["marketing"].id)
    session.commit()
    return made


@pytest.fixture
def reachable(session, book):
    """A second contact of "Own Customer" who may receive marketing mail."""
    contact = Contact(account_id=book["own"].id, name="Ivan Owner", role=ContactRole.OWNER,
                      email="ivan@own.test", marketing_consent=True)
    session.add(contact)
    session.commit()
    return contact


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_marketing_creates_a_campaign_from_a_kind_with_copies_of_the_default_templates(
        client, login, session):
    login("marketing")
    response = client.post("/campaigns/new", data={"name": "Autumn win-back", "kind": "win_back",
                                                   "language": "en"})
    assert response.status_code == 302
    campaign = session.query(Campaign).filter_by(name="Autumn win-back").one()
    assert response.location == f"/campaigns/{campaign.id}/audience"
    assert campaign.status == CampaignStatus.DRAFT
    assert {t.language for t in campaign.templates} == {"en", "ru"}


def test_a_new_campaign_without_a_name_shows_the_validation_message(client, login):
    login("marketing")
    response = client.post("/campaigns/new", data={"name": "", "kind": "win_back",
                                                   "language": "en"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_the_list_shows_status_kind_and_escapes_hostile_names(client, login, session, users):
    create_campaign(session, name=HOSTILE, kind="promotion")
    session.commit()
    login("manager")
    page = _page(client, "/campaigns/")
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert "Promotion" in page and "Draft" in page


def test_the_audience_is_saved_from_rules_roles_and_hand_picked_accounts(
        client, login, session, campaign, book):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/audience", data={
        "match": "all", "op-region": "in", "value-region": "North, East",
        "picked": "C2", "roles": ["purchasing"], "reachable_only": "on"})
    assert response.status_code == 302
    session.refresh(campaign)
    assert campaign.audience == {
        "match": "all", "rules": [{"field": "region", "op": "in", "value": ["North", "East"]}],
        "account_ids": [book["own2"].id], "contact_roles": ["purchasing"],
        "reachable_only": True}
    page = _page(client, f"/campaigns/{campaign.id}/audience")
    assert 'value="North, East"' in page and "C2" in page


def test_live_counts_follow_the_rules_without_saving_them(client, login, session, campaign,
                                                         book, reachable):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/audience/count", data={
        "match": "all", "op-region": "eq", "value-region": "North", "picked": "",
        "reachable_only": "on"})
    counts = response.get_json()
    assert counts["accounts"] == 2  # Own Customer and Rival Customer
    assert counts["contacts"] == 1 and counts["by_role"] == {"owner": 1}
    assert [s["name"] for s in counts["sample"]] == ["Own Customer"]
    session.refresh(campaign)
    assert campaign.audience == {}
    everyone = client.post(f"/campaigns/{campaign.id}/audience/count", data={
        "match": "all", "op-region": "eq", "value-region": "North"}).get_json()
    # Without "only reachable", Olga and Rita (no consent) count too.
    assert everyone["contacts"] == 3


@pytest.mark.parametrize(("data", "message"), [
    ({"op-p_alive": "lt", "value-p_alive": "half"},
     'Probability of being active, latest fit (segmentation): "half" is not a number'),
    ({"op-region": "in", "value-region": ""}, "Region: a value is needed"),
    ({"picked": "NOPE-1"}, "no account with the id or external id NOPE-1"),
    ({"op-kind": "gt", "value-kind": "customer"},
     'Customer or prospect: the operator "above" does not apply; it takes is, is not, '
     "is one of, is none of"),
    ({"op-churn_state": "in", "value-churn_state": "lost2"},
     'Churn state (analytics): "lost2" is not one of Active, At risk, Lost'),
    ({"op-segment": "eq", "value-segment": "77"},
     "Segment in the latest run (segmentation): segment 77 is not in the latest segmentation"),
    ({"op-country": "in", "value-country": ["DE", "QQ"]},
     'Country: "QQ" is not a country code'),
    ({"value-city": "Reykjavik"}, "City: choose an operator, or leave the value empty"),
])
def test_a_wrong_rule_is_answered_with_a_message_not_an_error(client, login, campaign, book,
                                                              data, message):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/audience/count", data=data)
    assert response.status_code == 200
    assert message in response.get_json()["error"]
    saved = client.post(f"/campaigns/{campaign.id}/audience", data=data)
    assert saved.status_code == 422
    assert escape(message) in saved.get_data(as_text=True)


def test_the_template_preview_renders_the_unsaved_template_for_the_chosen_account(
        client, login, session, campaign, book):
    book["own"].name = HOSTILE
    session.commit()
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/template/preview", data={
        "lang": "en", "account": "C1", "subject": "Hello {{ account.name }}",
        "html": "<p>{{ account.name }} / {{ contact.name }}</p>", "text": "Hi {{ account.name }}"})
    preview = response.get_json()
    assert preview["subject"] == f"Hello {HOSTILE}"
    assert "&lt;script&gt;" in preview["html"] and "Olga Buyer" in preview["html"]
    assert preview["text"] == f"Hi {HOSTILE}"
    session.refresh(campaign)
    assert "Hello" not in campaign.templates[0].subject  # nothing was saved


@pytest.mark.parametrize(("html", "message"), [
    ("{{ account.__class__ }}", "not allowed"),
    ("{% if %}", "html (line 1)"),
    ("{{ nobody.name }}", "'nobody' is undefined"),
    ("{{ 'x' * 10000000 }}", "repetition is limited"),
])
def test_template_errors_from_the_sandbox_are_shown_clearly(client, login, campaign, book,
                                                            html, message):
    login("marketing")
    data = {"lang": "en", "account": "C1", "subject": "S", "html": html, "text": "T"}
    preview = client.post(f"/campaigns/{campaign.id}/template/preview", data=data)
    assert preview.status_code == 200 and message in preview.get_json()["error"]
    page = client.post(f"/campaigns/{campaign.id}/template", data={**data, "action": "preview"})
    assert page.status_code == 200 and escape(message) in page.get_data(as_text=True)
    saved = client.post(f"/campaigns/{campaign.id}/template", data={**data, "action": "save"})
    assert saved.status_code == 422 and escape(message) in saved.get_data(as_text=True)


def test_a_valid_template_is_saved_and_the_default_can_be_restored(client, login, session,
                                                                  campaign, book):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/template", data={
        "lang": "ru", "action": "save", "subject": "Привет, {{ account.name }}",
        "html": "<p>{{ offer.title|default('') }}</p>", "text": "Текст"})
    assert response.status_code == 302
    session.expire_all()
    ru = next(t for t in session.get(Campaign, campaign.id).templates if t.language == "ru")
    assert ru.subject == "Привет, {{ account.name }}"
    client.post(f"/campaigns/{campaign.id}/template/reset", data={"lang": "ru"})
    session.expire_all()
    ru = next(t for t in session.get(Campaign, campaign.id).templates if t.language == "ru")
    assert ru.subject != "Привет, {{ account.name }}" and "{{" in ru.html


def test_the_offer_is_validated_and_saved(client, login, session, campaign):
    login("marketing")
    bad = client.post(f"/campaigns/{campaign.id}/offer", data={
        "name": "Win them back", "default_language": "en", "holdout_percent": "10",
        "discount_percent": "150"})
    assert bad.status_code == 422
    assert "Number must be between 0 and 100." in bad.get_data(as_text=True)
    good = client.post(f"/campaigns/{campaign.id}/offer", data={
        "name": "Win them back", "default_language": "en", "holdout_percent": "20",
        "title": "A gift", "discount_percent": "5", "terms": "Until spring",
        "valid_until": "2027-03-01"})
    assert good.status_code == 302
    session.refresh(campaign)
    assert offer_dict(campaign) == {"title": "A gift", "discount_percent": 5,
                                    "terms": "Until spring", "valid_until": "2027-03-01"}
    assert campaign.holdout_share == pytest.approx(0.2)


def test_sent_for_approval_it_appears_in_the_managers_inbox(client, login, session, campaign):
    login("marketing")
    assert client.post(f"/campaigns/{campaign.id}/submit").status_code == 302
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.PENDING_APPROVAL
    client.post("/logout")
    login("manager")
    assert "Win them back" in _page(client, "/approvals/")


def test_a_volume_bonus_cannot_be_scheduled_before_approval(client, login, session, users):
    bonus = create_campaign(session, name="Bonus", kind="volume_bonus")
    session.commit()
    login("manager")
    response = client.post(f"/campaigns/{bonus.id}/schedule", data={"mode": "now"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "needs a manager" in page
    session.refresh(bonus)
    assert bonus.status == CampaignStatus.DRAFT


def test_scheduling_at_a_time_needs_the_time(client, login, campaign):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={"mode": "at", "at": ""})
    assert response.status_code == 422
    assert "Choose the time to send at." in response.get_data(as_text=True)


def test_a_scheduled_campaign_is_delivered_by_a_worker_and_its_results_read(
        client, login, session, campaign, book, reachable, run_jobs):
    login("marketing")
    client.post(f"/campaigns/{campaign.id}/audience", data={
        "match": "all", "picked": "C1", "reachable_only": "on", "roles": []})
    client.post(f"/campaigns/{campaign.id}/offer", data={
        "name": "Win them back", "default_language": "en", "holdout_percent": "0"})
    response = client.post(f"/campaigns/{campaign.id}/schedule", data={"mode": "now"})
    assert response.status_code == 302
    assert 'http-equiv="refresh"' in client.get(f"/campaigns/{campaign.id}").get_data(
        as_text=True)
    run_jobs()
    session.expire_all()
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DONE
    page = _page(client, f"/campaigns/{campaign.id}")
    assert "1 of 1 messages handled" in page and 'http-equiv="refresh"' not in page
    results = _page(client, f"/campaigns/{campaign.id}/results")
    assert '<span class="figure" id="r-sent">1</span>' in results
    assert "Own Customer" in results
    client.post("/logout")
    login("sales")
    account = _page(client, f"/accounts/{book['own'].id}")
    assert "Win them back" in account and "Sent" in account


def test_a_hostile_campaign_name_is_escaped_on_every_page(client, login, session, users, book):
    hostile = create_campaign(session, name=HOSTILE, kind="promotion")
    request_approval(session, hostile.id)
    session.commit()
    login("admin")
    for url in (f"/campaigns/{hostile.id}", f"/campaigns/{hostile.id}/audience",
                f"/campaigns/{hostile.id}/template", f"/campaigns/{hostile.id}/results",
                "/approvals/"):
        page = _page(client, url)
        assert HOSTILE not in page and "&lt;script&gt;" in page, url


PAGES = ["", "/audience", "/template", "/results"]
ALLOWED = {"": {"admin", "manager", "marketing"}, "/audience": {"admin", "marketing"},
           "/template": {"admin", "marketing"}, "/results": {"admin", "manager", "marketing"}}


@pytest.mark.parametrize("role", ["admin", "manager", "marketing", "sales"])
@pytest.mark.parametrize("page", PAGES)
def test_each_campaign_page_admits_only_its_roles(client, login, campaign, page, role):
    login(role)
    response = client.get(f"/campaigns/{campaign.id}{page}")
    assert response.status_code == (200 if role in ALLOWED[page] else 403)


@pytest.mark.parametrize(("role", "action", "allowed"), [
    ("sales", "submit", False), ("manager", "submit", False), ("marketing", "submit", True),
    ("sales", "schedule", False), ("sales", "cancel", False), ("manager", "cancel", True),
    ("manager", "offer", False), ("manager", "template/preview", False),
    ("manager", "audience/count", False), ("sales", "template/reset", False),
])
def test_campaign_actions_check_the_role(client, login, campaign, role, action, allowed):
    login(role)
    response = client.post(f"/campaigns/{campaign.id}/{action}", data={"mode": "now"})
    assert (response.status_code != 403) == allowed


def test_an_unknown_campaign_is_not_found(client, login):
    login("marketing")
    assert client.get("/campaigns/999999").status_code == 404
    assert client.post("/campaigns/999999/audience/count").status_code == 404


def test_the_campaign_pages_speak_russian(client, login, campaign):
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    page = _page(client, f"/campaigns/{campaign.id}")
    assert "Аудитория" in page and "Отправить на согласование" in page and "Черновик" in page
    assert "Кого охватит" in _page(client, f"/campaigns/{campaign.id}/audience")


def test_the_template_of_a_cancelled_campaign_cannot_be_changed(client, login, session,
                                                                campaign):
    campaign.status = CampaignStatus.CANCELLED
    session.commit()
    before = {t.language: t.subject for t in campaign.templates}
    login("marketing")
    saved = client.post(f"/campaigns/{campaign.id}/template", data={
        "lang": "en", "action": "save", "subject": "New", "html": "<p>x</p>", "text": "x"},
        follow_redirects=True)
    assert "A cancelled campaign cannot be edited." in saved.get_data(as_text=True)
    client.post(f"/campaigns/{campaign.id}/template/reset", data={"lang": "en"})
    session.expire_all()
    assert {t.language: t.subject for t in session.get(Campaign, campaign.id).templates} == before


def test_the_dashboard_shows_a_sending_campaigns_progress(client, login, session, campaign,
                                                          book, reachable):
    from abm.delivery.models import OutboxMessage, OutboxState

    campaign.status = CampaignStatus.SENDING
    for step, state in enumerate([OutboxState.SENT, OutboxState.SENT, OutboxState.SENT,
                                  OutboxState.PENDING]):
        session.add(OutboxMessage(campaign_id=campaign.id, contact_id=reachable.id,
                                  account_id=book["own"].id, step=step, state=state))
    session.commit()
    login("manager")
    page = _page(client, "/")
    section = page[page.index('id="campaigns"'):]
    assert "Win them back" in section and "sent 3" in section
    assert '<progress max="100" value="75">' in section


def test_the_audience_editor_offers_closed_sets_by_name(client, login, session, campaign, book,
                                                        segmented):
    book["own"].country = "IS"
    session.commit()
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    page = _page(client, f"/campaigns/{campaign.id}/audience")
    assert f'value="{segmented.id}" > Steady buyers' in page
    for value, name in (("at_risk", "Под угрозой"), ("prospect", "Потенциальный клиент"),
                        ("loyal", "Понимающий / лояльный")):
        assert f'value="{value}" > {name}' in page
    ours = page.index('<optgroup label="У ваших клиентов">')
    others = page.index('<optgroup label="Другие страны">')
    assert ours < page.index('value="IS" >Исландия') < others < page.index(
        'value="DE" >Германия')
    assert page.count('value="IS" ') == 1  # offered once, among the accounts' countries


def test_picked_options_are_saved_and_shown_picked(client, login, session, campaign, book,
                                                   segmented):
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/audience", data={
        "match": "all", "op-churn_state": "in", "value-churn_state": ["at_risk", "lost"],
        "op-segment": "eq", "value-segment": str(segmented.id),
        "op-country": "in", "value-country": ["IS", "NO"], "reachable_only": "on"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.audience["rules"] == [
        {"field": "churn_state", "op": "in", "value": ["at_risk", "lost"]},
        {"field": "country", "op": "in", "value": ["IS", "NO"]},
        {"field": "segment", "op": "eq", "value": segmented.id}]
    page = _page(client, f"/campaigns/{campaign.id}/audience")
    assert 'value="lost" checked' in page and 'value="active" >' in page
    assert f'value="{segmented.id}" checked' in page
    assert 'value="NO" selected' in page


def test_a_wrong_value_is_refused_at_save_in_russian(client, login, session, campaign):
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    response = client.post(f"/campaigns/{campaign.id}/audience", data={
        "op-churn_state": "in", "value-churn_state": ["lost", "lost2"]})
    assert response.status_code == 422
    assert escape("Состояние оттока (аналитика): «lost2» — нет среди допустимых значений: "
                  "Активен, Под угрозой, Ушёл") in response.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.audience == {}


def _resegment(session, book, segment) -> None:
    """A later segmentation in which the segment no longer exists."""
    from datetime import date

    from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun

    run = SegmentationRun(as_of=date(2026, 11, 1), k=1, k_chosen_by="fixed", n_accounts=1,
                          settings={}, metrics={}, feature_names=[])
    session.add(run)
    session.flush()
    other = Segment(name="Sleepers", first_run_id=run.id, last_run_id=run.id)
    session.add(other)
    session.flush()
    session.add(RunSegment(run_id=run.id, segment_id=other.id, label=0, name="Sleepers", size=1,
                           centroid={}, scaled_centroid=[], explanation={}))
    session.add(AccountSegment(run_id=run.id, account_id=book["own"].id, segment_id=other.id,
                               distance=0.1))
    session.commit()


@pytest.mark.parametrize(("lang", "why"), [
    ("en", "Segment in the latest run (segmentation): segment {id} is not in the latest "
           "segmentation; choose the segment again"),
    ("ru", "Сегмент в последнем расчёте (сегментация): сегмента {id} нет в последнем расчёте "
           "сегментов; выберите сегмент заново"),
])
def test_a_campaign_whose_segment_left_shows_why_and_cannot_be_scheduled(
        client, login, session, campaign, book, segmented, lang, why):
    login("marketing")
    client.post("/language", data={"lang": lang})
    client.post(f"/campaigns/{campaign.id}/audience", data={
        "op-segment": "eq", "value-segment": str(segmented.id)})
    _resegment(session, book, segmented)
    why = str(escape(why.format(id=segmented.id)))
    assert why in _page(client, f"/campaigns/{campaign.id}")
    assert why in _page(client, f"/campaigns/{campaign.id}/audience")
    scheduled = client.post(f"/campaigns/{campaign.id}/schedule", data={"mode": "now"},
                            follow_redirects=True)
    assert scheduled.status_code == 200 and why in scheduled.get_data(as_text=True)
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.DRAFT


@pytest.mark.parametrize("stored", [
    {"rules": [{"field": "churn_state", "op": "in", "value": ["lost2"]}]},
    {"rules": [{"field": "p_alive", "op": "gt", "value": "very"}]},
    {"rules": [{"field": "planet", "op": "eq", "value": "Mars"}], "contact_roles": "owner"},
    {"rules": "everyone", "account_ids": [None]},
    ["not", "an", "object"],
])
def test_a_stored_audience_that_does_not_hold_is_shown_not_a_server_error(
        client, login, session, campaign, stored):
    campaign.audience = stored
    session.commit()
    login("marketing")
    for url in (f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/audience",
                f"/campaigns/{campaign.id}/template"):
        page = _page(client, url)
        assert 'class="error"' in page, url


def test_the_audience_page_counts_who_cannot_be_reached_and_why(client, login, campaign, book,
                                                                reachable, session):
    login("marketing")
    counts = client.post(f"/campaigns/{campaign.id}/audience/count", data={
        "match": "all", "op-region": "eq", "value-region": "North",
        "reachable_only": "on"}).get_json()
    # The book's contacts in the North without consent, and nobody unreachable otherwise.
    silent = session.scalar(select(func.count()).select_from(Contact).join(Account).where(
        Account.region == "North", Contact.marketing_consent.is_(False)))
    assert silent >= 1
    assert counts["unreachable"] == {"total": silent, "no_consent": silent, "unsubscribed": 0,
                                     "bounced": 0, "invalid_address": 0}
    page = client.get(f"/campaigns/{campaign.id}/audience").get_data(as_text=True)
    assert 'id="live-unreachable-no_consent"' in page and "No consent" in page
