"""Numbers and dates in the forms accounting systems write them."""

from datetime import date

import pytest

from abm.imports.parsing import ValueProblem, parse_bool, parse_date, parse_int, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("1234.5", 1234.5),
    ("1234,5", 1234.5),
    ("1 234,50", 1234.5),
    ("1\u00a0234,50", 1234.5),
    ("1\u202f234,50", 1234.5),
    ("1,234,567.25", 1234567.25),
    ("1.234.567,25", 1234567.25),
    ("1.234.567", 1234567.0),
    ("1,234,567", 1234567.0),
    ("€1,234.50", 1234.5),
    ("1 234,50 ₽", 1234.5),
    ("1234,50 руб.", 1234.5),
    ("$ 99.99", 99.99),
    ("USD 12.5", 12.5),
    ("(150,00)", -150.0),
    ("-42", -42.0),
    ("42-", -42.0),
    ("  7  ", 7.0),
    ("1e3", 1000.0),
    (".5", 0.5),
])
def test_numbers_in_every_human_form(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(("text", "reason"), [
    ("abc", "not a number"),
    ("12abc", "not a number"),
    ("1,2,3.4.5", "not a number"),
    ("nan", "not a finite number"),
    ("inf", "not a finite number"),
    ("1e20", "number too large"),
    ("", "missing value"),
])
def test_what_is_not_a_number_says_why(text, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_number(text)


@pytest.mark.parametrize("text", [
    "2026-10-31", "2026-10-31 00:00:00", "2026-10-31T12:30", "2026-10-31T12:30:00Z",
    "2026-10-31 12:30:00+03:00", "20261031", "20261031T123000", "31.10.2026",
    "31.10.2026 0:00:00", "31.10.2026 12:30", "31/10/2026", "31/10/2026 23:59:59", " 31.10.2026 ",
])
def test_dates_in_every_accepted_form(text):
    assert parse_date(text) == date(2026, 10, 31)


def test_single_digit_day_and_month_are_read():
    assert parse_date("1.2.2026") == date(2026, 2, 1)


@pytest.mark.parametrize(("text", "reason"), [
    ("31.02.2026", "no such day"),
    ("2026-13-01", "no such day"),
    ("yesterday", "not a date"),
    ("10/31/26", "not a date"),
    ("", "missing value"),
])
def test_what_is_not_a_date_says_why(text, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_date(text)


def test_whole_numbers_accept_a_zero_fraction_but_not_more():
    assert parse_int("3") == 3
    assert parse_int("3.0") == 3
    assert parse_int("1 200") == 1200
    with pytest.raises(ValueProblem, match="not a whole number"):
        parse_int("2.5")


@pytest.mark.parametrize(("text", "value"), [
    ("yes", True), ("Да", True), ("x", True), ("1", True), ("no", False), ("нет", False),
    ("", False), ("0", False),
])
def test_booleans_in_english_and_russian(text, value):
    assert parse_bool(text) is value


def test_an_unknown_boolean_is_refused():
    with pytest.raises(ValueProblem, match="not yes or no"):
        parse_bool("maybe")
