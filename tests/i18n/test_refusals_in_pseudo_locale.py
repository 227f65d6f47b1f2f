"""The services' refusals on the pages, in the pseudo-locale: worded by the catalogue.

A loyalty programme with a bad tier rule, a bad price or promotion, a notice of a
promotion that does not exist, a decision on a proposal that does not exist, a month
that is not one: each page says why, and says it through the catalogue (see
:mod:`tests.i18n.pseudo`); none of them writes anything.
"""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from abm.db import get_session
from abm.loyalty.models import LoyaltyProgramme
from abm.sales.models import Product
from tests.i18n.pseudo import page_texts, unmarked_words, without_texts
from tests.i18n.test_pages_in_pseudo_locale import _log_in


def _findings(html: str, words: frozenset[str], texts: frozenset[str]) -> list[str]:
    return [text for text in page_texts(html) if unmarked_words(without_texts(text, texts), words)]


def _said(response, words, texts, refusal: str) -> None:
    """The page shows the refusal (marked: from the catalogue) and nothing unmarked."""
    html = response.get_data(as_text=True)
    found = _findings(html, words, texts)
    assert found == [], "\n".join(found)
    assert refusal in unescape(html)


@pytest.fixture
def manager(pseudo_app):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    return client


@pytest.fixture
def product(pseudo_app) -> Product:
    with pseudo_app.app_context():
        found = get_session().scalars(select(Product).order_by(Product.id)).first()
        get_session().close()
    return found


TIERS = [
    ("gold: 500\nsilver: 100", "⟦перечислите уровни от наименьшей минимальной выручки к"),
    ("silver: 100\nSilver: 500", "⟦у двух уровней одинаковое название⟧"),
    ("silver\ngold: 500", "⟦для правила по выручке у каждого уровня должна быть"),
]


@pytest.mark.parametrize(("tiers", "refusal"), TIERS, ids=["order", "twice", "no minimum"])
def test_a_programme_whose_tiers_the_rule_cannot_use_is_refused_in_the_catalogue(
        manager, demo_words, demo_texts, tiers, refusal):
    response = manager.post("/loyalty/programmes", data={
        "name": "Pseudo club", "rule": "revenue", "period_months": "12", "tiers": tiers,
        "active": "y"})
    assert response.status_code == 422
    _said(response, demo_words, demo_texts, refusal)


def test_a_decision_on_a_proposal_that_does_not_exist_is_refused_in_the_catalogue(
        manager, demo_words, demo_texts):
    response = manager.post("/loyalty/proposals/999999", data={"decision": "confirm"},
                            follow_redirects=True)
    _said(response, demo_words, demo_texts, "⟦такого предложения нет⟧")


def test_a_membership_in_a_tier_the_programme_lacks_is_refused_in_the_catalogue(
        pseudo_app, manager, demo_words, demo_texts):
    with pseudo_app.app_context():
        programme = get_session().scalars(select(LoyaltyProgramme)).first()
        get_session().close()
    from tests.i18n.test_pages_in_pseudo_locale import _ids

    account = _ids(pseudo_app)["account_id"]
    response = manager.post(f"/loyalty/accounts/{account}", data={
        "programme_id": programme.id, "status": "member", "tier": "42"}, follow_redirects=True)
    _said(response, demo_words, demo_texts, "⟦в программе нет уровня ⟧'42'")


PRICES = [
    ({"price": "100000000000000", "valid_from": "2030-01-01"}, "⟦цена: ⟧"),
    ({"price": "10", "valid_from": "2030-02-01", "valid_to": "2030-01-01"},
     "⟦действует до: ⟧2030-01-01⟦ раньше даты начала ⟧2030-02-01"),
]


@pytest.mark.parametrize(("entered", "refusal"), PRICES, ids=["too large", "ends first"])
def test_a_price_the_list_cannot_take_is_refused_in_the_catalogue(
        manager, product, demo_words, demo_texts, entered, refusal):
    response = manager.post(f"/products/{product.id}", data={"currency": "EUR", **entered})
    assert response.status_code == 422
    _said(response, demo_words, demo_texts, refusal)


def test_a_promotion_that_ends_before_it_starts_is_refused_in_the_catalogue(
        manager, product, demo_words, demo_texts):
    response = manager.post("/promotions/", data={
        "name": "Pseudo sale", "skus": product.sku, "discount_percent": "10",
        "starts_on": "2030-02-01", "ends_on": "2030-01-01"})
    assert response.status_code == 422
    _said(response, demo_words, demo_texts, "⟦окончание: ⟧2030-01-01⟦ раньше начала ⟧2030-02-01")


def test_a_notice_of_a_promotion_that_does_not_exist_is_refused_in_the_catalogue(
        manager, demo_words, demo_texts):
    manager.post("/promotions/999999/notice", data={"language": "ru"})
    response = manager.get("/promotions/")
    _said(response, demo_words, demo_texts,
          "⟦Уведомление не создано: ⟧⟦нет акции ⟧999999")


def test_a_calendar_month_that_is_not_one_is_refused_in_the_catalogue(
        manager, demo_words, demo_texts):
    response = manager.get("/campaigns/calendar?month=2026-13")
    assert response.status_code == 400
    _said(response, demo_words, demo_texts, "'2026-13'⟦ — не месяц вида 2026-05⟧")
