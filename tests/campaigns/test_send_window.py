"""Send windows: working hours and days in the recipient's country, its holidays skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from abm.campaigns.send_window import (
    SendWindow,
    WindowError,
    WindowGate,
    country_zone,
    public_holidays,
)

MOSCOW = ZoneInfo("Europe/Moscow")
WORKING = SendWindow.from_json({"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5]})


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("country", "zone"), [
    ("RU", "Europe/Moscow"), ("us", "America/New_York"), ("IS", "Atlantic/Reykjavik"),
    ("FI", "Europe/Helsinki"), ("KZ", "Asia/Almaty"), ("DE", "Europe/Berlin"),
])
def test_a_country_has_its_capitals_time_zone(country, zone):
    assert country_zone(country) == ZoneInfo(zone)


@pytest.mark.parametrize("country", [None, "", "XX", "Russia", "ZZ"])
def test_an_unknown_country_has_no_time_zone(country):
    assert country_zone(country) is None


def test_holidays_come_from_the_holidays_package_and_unknown_countries_have_none():
    assert datetime(2026, 1, 7).date() in public_holidays("RU", 2026)  # Orthodox Christmas
    assert datetime(2026, 6, 17).date() in public_holidays("IS", 2026)  # National Day
    assert public_holidays("XX", 2026) == frozenset()


def test_inside_the_hours_of_a_working_day_it_is_open():
    # Tuesday 2026-03-10, 10:00 in Moscow (07:00 UTC).
    assert WORKING.next_opening(utc(2026, 3, 10, 7, 0), MOSCOW, "RU") is None


def test_before_the_hours_it_opens_the_same_morning_local_time():
    # Tuesday 05:00 in Moscow: opens at 09:00 Moscow, 06:00 UTC.
    assert WORKING.next_opening(utc(2026, 3, 10, 2, 0), MOSCOW, "RU") == utc(2026, 3, 10, 6, 0)


def test_the_end_is_excluded_and_the_next_working_day_follows():
    # Friday 18:00 in Moscow: closed until Monday 09:00.
    assert WORKING.next_opening(utc(2026, 3, 13, 15, 0), MOSCOW, "RU") == utc(2026, 3, 16, 6, 0)


def test_public_holidays_of_the_country_are_skipped():
    # 31 December 2025, evening: Russia rests until 11 January 2026 (a Sunday), so Monday 12th.
    opening = WORKING.next_opening(utc(2025, 12, 31, 16, 0), MOSCOW, "RU")
    assert opening == utc(2026, 1, 12, 6, 0)
    without = SendWindow.from_json({**WORKING.to_json(), "holidays": False})
    assert without.next_opening(utc(2025, 12, 31, 16, 0), MOSCOW, "RU") == utc(2026, 1, 1, 6, 0)


def test_the_same_moment_is_open_in_one_country_and_closed_in_another():
    gate = WindowGate(WORKING, ZoneInfo("UTC"), utc(2026, 3, 10, 14, 30))  # a Tuesday
    assert gate.wait_until("RU") is None  # 17:30 in Moscow
    assert gate.wait_until("US") is None  # 10:30 in New York
    assert gate.wait_until("JP") == utc(2026, 3, 11, 0, 0)  # 23:30 in Tokyo: 09:00 tomorrow


def test_recipients_of_no_known_country_follow_the_workspace_zone():
    gate = WindowGate(WORKING, MOSCOW, utc(2026, 3, 10, 16, 0))  # 19:00 in Moscow
    assert gate.wait_until(None) == utc(2026, 3, 11, 6, 0)


def test_without_a_window_every_message_may_go():
    assert WindowGate(None, MOSCOW, utc(2026, 3, 15, 3, 0)).wait_until("RU") is None


def test_a_window_round_trips_through_its_stored_form():
    data = {"start": "08:30", "end": "17:00", "days": [5, 1, 1], "holidays": False}
    assert SendWindow.from_json(data).to_json() == {"start": "08:30", "end": "17:00",
                                                    "days": [1, 5], "holidays": False}
    assert SendWindow.from_json(None) is None and SendWindow.from_json({}) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"start": "9 am"}, "not a time such as 09:00"),
    ({"start": "18:00", "end": "09:00"}, "must end after it starts"),
    ({"days": []}, "at least one"),
    ({"days": [0, 8]}, "from 1 (Monday) to 7"),
    ({"days": [True]}, "from 1 (Monday) to 7"),
    ("weekdays", "must be an object"),
])
def test_a_window_that_cannot_be_is_refused_with_the_reason(data, message):
    with pytest.raises(WindowError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SendWindow.from_json(data)
