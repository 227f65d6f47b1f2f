"""Send windows: working hours and working days in each recipient's own country.

A campaign may be limited to sending within working hours on working days,
in the recipient's own time and calendar: the time zone of the account's
country (the capital's, for a country of several zones) and its public
holidays (the ``holidays`` package). A message outside the window is not
failed: it waits for the window's next opening. Accounts without a known
country follow the workspace time zone, without holidays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from babel.core import get_global

from abm.workspace.refusals import N_, Refusal

# The capital's zone of each country that spans several (Babel lists them all,
# in no useful order); a country of one zone takes it from Babel.
CAPITAL_ZONES = {
    "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney", "BR": "America/Sao_Paulo",
    "CA": "America/Toronto", "CD": "Africa/Kinshasa", "CL": "America/Santiago",
    "CN": "Asia/Shanghai", "CY": "Asia/Nicosia", "DE": "Europe/Berlin",
    "EC": "America/Guayaquil", "ES": "Europe/Madrid", "FM": "Pacific/Pohnpei",
    "GL": "America/Nuuk", "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa", "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro", "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland", "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby", "PS": "Asia/Hebron", "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow", "UA": "Europe/Kyiv", "UM": "Pacific/Wake",
    "US": "America/New_York", "UZ": "Asia/Tashkent",
}
WEEKDAYS = (1, 2, 3, 4, 5)  # ISO: Monday is 1
SEARCH_DAYS = 60  # the longest run of holidays and days off a window looks past
CLOCK_REFUSALS = {"start": N_("the start time %(value)s is not a time such as 09:00"),
                  "end": N_("the end time %(value)s is not a time such as 09:00")}


class WindowError(Refusal):
    """A send window that cannot be: the message says which part and why."""


@functools.cache
def country_zone(country: str | None) -> ZoneInfo | None:
    """The time zone of an ISO 3166 country code (its capital's), or None if unknown."""
    code = (country or "").strip().upper()
    name = CAPITAL_ZONES.get(code)
    if name is None:
        zones = get_global("territory_zones").get(code) if len(code) == 2 else None
        if not zones or len(zones) != 1:
            return None
        name = zones[0]
    return ZoneInfo(name)


@functools.lru_cache(maxsize=1024)
def public_holidays(country: str | None, year: int) -> frozenset[date]:
    """The public holidays (and the days off moved onto them) of a country in a year."""
    code = (country or "").strip().upper()
    if len(code) != 2:
        return frozenset()
    try:
        return frozenset(holiday_calendars.country_holidays(code, years=year))
    except NotImplementedError:  # a country the package has no calendar for
        return frozenset()


def _clock(value: object, what: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise WindowError.worded(CLOCK_REFUSALS[what], value=repr(value)) from None


@dataclass(frozen=True)
class SendWindow:
    """Hours (local, start included, end excluded) and ISO weekdays a campaign may send in."""

    start: time = time(9)
    end: time = time(18)
    days: tuple[int, ...] = WEEKDAYS
    holidays: bool = True

    @classmethod
    def from_json(cls, data: dict | None) -> SendWindow | None:
        """A window from its stored form (or a user's), checked; None for no window.

        Raises:
            WindowError: a time that is not one, an end not after the start, no days.
        """
        if not data:
            return None
        if not isinstance(data, dict):
            raise WindowError.worded(N_("the send window must be an object with start, end "
                                        "and days"))
        start = _clock(data.get("start", "09:00"), "start")
        end = _clock(data.get("end", "18:00"), "end")
        if end <= start:
            raise WindowError.worded(N_("the window must end after it starts (%(start)s - "
                                        "%(end)s)"), start=f"{start:%H:%M}", end=f"{end:%H:%M}")
        days = data.get("days", list(WEEKDAYS))
        if (not isinstance(days, list | tuple) or not days
                or any(isinstance(d, bool) or d not in range(1, 8) for d in days)):
            raise WindowError.worded(N_("the window's days must be weekdays from 1 (Monday) to "
                                        "7 (Sunday), at least one"))
        return cls(start, end, tuple(sorted(set(days))), bool(data.get("holidays", True)))

    def to_json(self) -> dict:
        return {"start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}",
                "days": list(self.days), "holidays": self.holidays}

    def next_opening(self, now: datetime, zone: ZoneInfo, country: str | None = None
                     ) -> datetime | None:
        """None when ``now`` is inside the window in ``zone``; else when it next opens (UTC).

        Args:
            country: whose public holidays are closed days (when the window skips them).
        """
        local = now.astimezone(zone)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if day.isoweekday() not in self.days or (
                    self.holidays and day in public_holidays(country, day.year)):
                continue
            opens = datetime.combine(day, self.start, zone)
            if local < opens:
                return opens.astimezone(UTC)
            if local < datetime.combine(day, self.end, zone):
                return None
        return None  # nothing open for two months: better sent than held for ever


class WindowGate:
    """When each recipient's window opens, computed once per country for one batch.

    A batch of a hundred messages takes about a second: a window that closes
    during it lets that batch finish.
    """

    def __init__(self, window: SendWindow | None, default_zone: ZoneInfo,
                 now: datetime) -> None:
        self._window = window
        self._default_zone = default_zone
        self._now = now
        self._openings: dict[str | None, datetime | None] = {}

    def wait_until(self, country: str | None) -> datetime | None:
        """None if a message to ``country`` may go now; else the UTC time it may."""
        if self._window is None:
            return None
        if country not in self._openings:
            zone = country_zone(country) or self._default_zone
            self._openings[country] = self._window.next_opening(self._now, zone, country)
        return self._openings[country]
