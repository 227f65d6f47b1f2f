"""What the campaign commands say when they succeed, with ``ABM_LANGUAGE=ru``, in the
pseudo-locale.

One campaign is taken through the commands (created with a volume bonus and payment
terms, previewed, its stake read, listed, approved, scheduled, sent, measured) and a
second is scheduled now and cancelled. As for the main commands (see
:mod:`tests.i18n.test_commands_in_pseudo_locale`), a finding is a Latin word outside the
catalogue's markers and outside the data; the codes the options take (kinds, statuses,
triggers) and the workspace's time zone are data here too.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from abm.campaigns.models import Campaign, CampaignKind, CampaignStatus, ScheduleMode, Trigger
from abm.cli import cli
from abm.db import get_session
from abm.workspace.services import workspace_zone
from tests.i18n.pseudo import data_words, unmarked_words
from tests.i18n.test_pages_in_pseudo_locale import _ids

CODES = data_words([*CampaignKind, *CampaignStatus, *ScheduleMode, *Trigger])
# Each step: its name, the command after ``abm campaign`` ({id}: the campaign's) and the
# exit code it ends with.
JOURNEY = [
    ("create", ["create", "--kind", "personal_offer", "--name", "Pseudo offer", "--audience",
                "{audience}", "--bonus", "5", "--bonus-threshold", "100000",
                "--payment-days", "45", "--user", "marketing@abm.local"], 0),
    ("preview", ["preview", "{id}"], 0),
    ("stake", ["stake", "{id}"], 0),
    ("list", ["list"], 0),
    ("approve", ["approve", "{id}", "--user", "manager@abm.local"], 0),
    ("schedule", ["schedule", "{id}", "--at", "2999-01-04T09:00"], 0),
    ("send", ["send", "{id}"], 0),
    ("results", ["results", "{id}"], 0),
]
AGAIN = [
    ("create again", ["create", "--kind", "promotion", "--name", "Pseudo notice",
                      "--audience", "{audience}"], 0),
    ("schedule now", ["schedule", "{id}"], 0),
    ("cancel", ["cancel", "{id}"], 0),
    ("send cancelled", ["send", "{id}"], 2),
]


def _journey(app, steps, audience: str, name: str) -> dict:
    said = {}
    for step, args, code in steps:
        with app.app_context():
            found = get_session().scalar(select(Campaign.id).where(Campaign.name == name))
            get_session().close()
        args = [a.format(audience=audience, id=found) for a in args]
        result = app.test_cli_runner().invoke(cli, ["campaign", *args],
                                              env={"ABM_LANGUAGE": "ru"})
        said[step] = (code, result)
    return said


@pytest.fixture(scope="module")
def said(pseudo_app) -> dict:
    audience = json.dumps({"match": "all", "rules": [],
                           "account_ids": [_ids(pseudo_app)["account_id"]]})
    return {**_journey(pseudo_app, JOURNEY, audience, "Pseudo offer"),
            **_journey(pseudo_app, AGAIN, audience, "Pseudo notice")}


@pytest.fixture
def words(pseudo_app, demo_words) -> frozenset[str]:
    with pseudo_app.app_context():
        zone = workspace_zone(get_session()).key
        get_session().close()
    return demo_words | CODES | data_words([zone.replace("/", " ")])


@pytest.mark.parametrize("step", [s[0] for s in JOURNEY + AGAIN])
def test_the_campaign_commands_speak_the_catalogue(said, words, step):
    code, result = said[step]
    assert result.exit_code == code, result.output
    assert "⟦" in result.output
    found = [line for line in result.output.splitlines() if unmarked_words(line, words)]
    assert found == [], "\n".join(found)


def test_a_campaign_awaiting_approval_says_why_in_the_catalogue(said):
    _, created = said["create"]
    assert "⟦нужно согласование: ⟧⟦бонус за объём ⟧5%⟦ от закупок сверх ⟧100" in created.output
    assert "⟦индивидуальная отсрочка платежа ⟧45⟦ дней⟧" in created.output


def test_the_approved_campaign_is_scheduled_and_the_other_cancelled(pseudo_app, said):
    _, approved = said["approve"]
    _, cancelled = said["cancel"]
    assert approved.output.startswith("⟦кампания ⟧") and "⟦ одобрена⟧" in approved.output
    assert "⟦ отменена⟧" in cancelled.output
    with pseudo_app.app_context():
        statuses = dict(get_session().execute(select(Campaign.name, Campaign.status).where(
            Campaign.name.in_(["Pseudo offer", "Pseudo notice"]))).all())
        get_session().close()
    assert statuses["Pseudo notice"] == CampaignStatus.CANCELLED
    assert statuses["Pseudo offer"] != CampaignStatus.DRAFT
