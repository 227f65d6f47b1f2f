"""Hostile campaign templates through the API: refused with 422 and the reason, never a 500,
never stored and never sent.

The corpus is the renderer's own (see tests/campaigns/test_rendering.py) plus reaches for
the application's config, the request and the environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from abm.campaigns.models import Campaign, CampaignTemplate
from abm.delivery.models import OutboxMessage, OutboxState
from tests.campaigns.test_rendering import HOSTILE as RENDERER_CORPUS

CORPUS = {
    # Except the one whose size depends on the letters of the account's name.
    **{name: source for name, source in RENDERER_CORPUS.items() if name != "replace blow-up"},
    "replace blow-up": "{{ 'xx'|replace('x', 'x' * 5000)|replace('x', 'x' * 5000) }}",
    "config": "{{ config.SECRET_KEY }}",
    "config items": "{{ config.items() }}",
    "request": "{{ request.environ }}",
    "environment": "{{ environment }}",
    "os environ": "{{ cycler.__init__.__globals__.os.environ }}",
    "joiner globals": "{{ joiner.__init__.__globals__ }}",
    "context": "{{ self._TemplateReference__context }}",
    "loop walk": "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "nested loops": "{% for a in range(9999) %}{% for b in range(9999) %}{% for c in "
                    "range(9999) %}{{ a }}{% endfor %}{% endfor %}{% endfor %}",
    "getattr filter chain": "{{ account|attr('__class__')|attr('__mro__') }}",
    "format of dict": "{{ '{0[account]}'.format(account) }}",
}
# Fine for the sample context every saved template is checked with; hostile for a real account.
LATENT = {name: "{% if account.id %}" + CORPUS[name] + "{% endif %}" for name in (
    "dunder class", "mro", "subclasses", "globals", "attr filter", "format", "format_map",
    "config", "request", "os environ", "huge range", "nested loops")}


def _template(html: str) -> dict:
    return {"subject": "Offer", "html": html, "text": "plain"}


def _create(api, book, html: str):
    return api.as_("marketing").post("/campaigns", json={
        "name": "Hostile", "kind": "promotion", "audience": {"account_ids": [book["own"].id]},
        "templates": {"en": _template(html)}, "holdout_share": 0})


def _refused(response) -> str:
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True))
    message = response.get_json()["message"]
    assert message and "Traceback" not in message
    return message


@pytest.mark.parametrize("html", CORPUS.values(), ids=CORPUS.keys())
def test_creating_a_campaign_with_a_hostile_template_is_refused(api, session, book, html):
    assert _refused(_create(api, book, html)).startswith("the template cannot be used")
    assert session.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize("html", CORPUS.values(), ids=CORPUS.keys())
def test_saving_a_hostile_template_is_refused_and_keeps_the_old_one(api, session, book, html):
    campaign_id = _create(api, book, "<p>{{ account.name }}</p>").get_json()["id"]
    _refused(api.as_("marketing").open("PUT", f"/campaigns/{campaign_id}/templates/en",
                                       json=_template(html)))
    stored = session.scalar(select(CampaignTemplate.html).where(
        CampaignTemplate.campaign_id == campaign_id, CampaignTemplate.language == "en"))
    assert stored == "<p>{{ account.name }}</p>"


@pytest.mark.parametrize("html", CORPUS.values(), ids=CORPUS.keys())
def test_previewing_a_hostile_draft_is_refused(api, book, reachable, html):
    campaign_id = _create(api, book, "<p>{{ account.name }}</p>").get_json()["id"]
    _refused(api.as_("marketing").post(f"/campaigns/{campaign_id}/preview", json={
        "account_id": book["own"].id, "template": _template(html)}))


def test_a_hostile_template_never_shows_the_secret_key(api, app, book, reachable):
    campaign_id = _create(api, book, "<p>{{ account.name }}</p>").get_json()["id"]
    response = api.as_("marketing").post(f"/campaigns/{campaign_id}/preview", json={
        "account_id": book["own"].id, "template": _template("{{ config }}{{ request }}")})
    assert app.config["SECRET_KEY"] not in response.get_data(as_text=True)


@pytest.mark.parametrize("html", LATENT.values(), ids=LATENT.keys())
def test_a_template_hostile_only_for_real_accounts_is_never_sent(api, app, session, book,
                                                                  reachable, run_jobs, html):
    created = _create(api, book, html)
    assert created.status_code == 201  # harmless for the sample context it is checked with
    campaign_id = created.get_json()["id"]
    _refused(api.as_("marketing").get(
        f"/campaigns/{campaign_id}/preview?account_id={book['own'].id}"))
    scheduled = api.as_("marketing").post(f"/campaigns/{campaign_id}/schedule", json={})
    assert scheduled.status_code == 200
    run_jobs()
    states = list(session.scalars(select(OutboxMessage.state).where(
        OutboxMessage.campaign_id == campaign_id)))
    assert states == [OutboxState.INVALID]
    outbox = Path(app.extensions["abm.settings"].outbox_path)
    assert not outbox.exists() or not any(outbox.iterdir())
    status = api.as_("marketing").get(f"/campaigns/{campaign_id}/status").get_json()
    assert status["outbox"]["sent"] == 0 and status["outbox"]["invalid"] == 1
