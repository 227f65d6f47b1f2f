"""Alerts and churn reasons are codes with figures, worded in the reader's language."""

from pathlib import Path

import pytest
from babel.support import Translations

import abm
from abm.analytics.wording import Words, alert_text, churn_reason_text


@pytest.fixture(scope="module")
def russian() -> Words:
    return Words(Translations.load(str(Path(abm.__file__).parent / "translations"), ["ru"]),
                 "ru")


@pytest.mark.parametrize(("days", "expected"), [
    (21, "Нет личного визита 21 день"), (33, "Нет личного визита 33 дня"),
    (45, "Нет личного визита 45 дней"), (111, "Нет личного визита 111 дней")])
def test_the_visit_alert_takes_the_russian_plural_of_its_days(russian, days, expected):
    text = alert_text("no_visit", {"last_visit": "2026-10-01", "days": days}, russian)
    assert text.startswith(expected)
    assert "1 окт. 2026" in text


def test_an_alert_stored_before_the_change_is_worded_from_its_details(russian):
    details = {"document": "INV-7", "due_on": "2026-10-01", "days_overdue": 2,
               "outstanding": 1234.5, "currency": "EUR"}
    assert alert_text("overdue_receivable", details) == (
        "Invoice INV-7 overdue by 2 days: 1,234.50 EUR outstanding")
    assert alert_text("overdue_receivable", details, russian) == (
        "Счёт INV-7 просрочен на 2 дня: не оплачено 1\xa0234,50 EUR")


def test_a_month_is_named_in_the_readers_language(russian):
    assert alert_text("no_shipments", {"month": "2026-09"}, russian) == (
        "Нет отгрузок за сентябрь 2026")


def test_details_of_an_unknown_shape_fall_back_to_the_kind():
    assert alert_text("no_visit", {"unexpected": 1}) == "No personal visit to this key " \
        "account on record"
    assert alert_text("overdue_receivable", {}) == "overdue receivable"


def test_churn_signals_are_named_with_their_plurals_in_russian(russian):
    reason = {"code": "signals", "params": {
        "complaints": 3, "refusals": 1, "lost_tenders": 0, "before": 1, "direction": "rising",
        "days": 90, "last_on": "2026-11-02", "threshold": 2}}
    text = churn_reason_text(reason, russian)
    assert text.startswith("3 жалобы, 1 отказ за последние 90 дней")
    assert "угроза ухода начиная с 2" in text


def test_a_churn_reason_stored_as_a_sentence_is_shown_as_it_is(russian):
    assert churn_reason_text("silent 41 days", russian) == "silent 41 days"
