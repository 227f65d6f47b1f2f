"""A service's refusal: English for the API, the reader's language for pages and commands."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from abm.loyalty.services import LoyaltyError, TierInput, save_programme
from abm.sales.prices import PriceError
from abm.workspace.refusals import Refusal
from abm.workspace.wording import refusal_text


def test_a_refusal_is_english_by_itself_and_keeps_its_template_and_parameters():
    refused = PriceError.worded("no product %(id)s", id=7)
    assert str(refused) == "no product 7"
    assert (refused.template, refused.params) == ("no product %(id)s", {"id": 7})
    assert isinstance(refused, ValueError)


def test_a_refusal_is_worded_in_the_readers_language(app, session):
    from abm.audit.services import COMMAND_LINE

    with pytest.raises(LoyaltyError) as refused:
        save_programme(session, COMMAND_LINE, name="Club", rule="revenue",
                       tiers=[TierInput("gold", 500), TierInput("silver", 100)])
    assert str(refused.value) == "list the tiers from the lowest minimum revenue to the highest"
    with app.test_request_context("/"), force_locale("ru"):
        assert refusal_text(refused.value) == \
            "перечислите уровни от наименьшей минимальной выручки к наибольшей"


def test_the_same_refusal_carried_by_another_domain_keeps_its_wording(app):
    from abm.campaigns.services import CampaignError

    carried = CampaignError.of(PriceError.worded("no promotion %(id)s", id=3))
    with app.test_request_context("/"), force_locale("ru"):
        assert refusal_text(carried) == "нет акции 3"
    assert str(carried) == "no promotion 3"


def test_an_error_without_a_template_is_shown_as_it_came(app):
    with app.test_request_context("/"), force_locale("ru"):
        assert refusal_text(ValueError("as it came")) == "as it came"
        assert refusal_text(Refusal("no template")) == "no template"
