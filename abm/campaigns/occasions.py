"""Dates worth a greeting: each country's public holidays, and the workspace's own dates.

The holidays come from the ``holidays`` package, per country and year, with
their names in English (the key an audience chooses them by) and, where the
package has them, in Russian. A holiday of several days (Russia's New Year
holidays) is greeted on its first day; observed and substituted days off are
not occasions. The workspace adds dates of its own (:class:`GreetingDate`):
its anniversary, greeted to every target account, or an account's, greeted to
that account only.

A holiday greeting campaign keeps its occasion in its audience::

    "occasion": {"holidays": ["New Year's Day", "Victory Day"],  # or ["*"]: every one
                 "countries": ["RU", "BY"],                      # empty: every country
                 "dates": [3],                                   # GreetingDate ids
                 "gender": "female"}                             # only where targeted

International Women's Day is opt-in: "*" leaves it out, so 8 March is not sent
to everyone unless a campaign chooses it. Where the workspace targets on gender
(``greetings_by_gender``), a gendered holiday goes only to the contacts it is
for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date

import holidays as holiday_calendars
from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.models import Gender
from abm.accounts.settings import ContactSettings
from abm.campaigns.audience_errors import AudienceError
from abm.campaigns.models import Campaign, GreetingDate
from abm.workspace.services import settings_of

EVERY = "*"
OPT_IN = ("women's day",)  # parts of names a campaign must choose by name
GENDERED = {"women's day": Gender.FEMALE, "defender of the fatherland": Gender.MALE}
_NOT_OCCASIONS = ("(observed)", "day off", "substituted")
OCCASION_KEYS = ("holidays", "countries", "dates", "gender")


@dataclass(frozen=True)
class Holiday:
    """A public holiday of a country: its English name (the key), its first day, its names."""

    key: str
    day: date
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.key

    @property
    def opt_in(self) -> bool:
        return any(part in self.key.casefold() for part in OPT_IN)

    @property
    def gender(self) -> Gender | None:
        folded = self.key.casefold()
        return next((g for part, g in GENDERED.items() if part in folded), None)


def _calendar(country: str, year: int, language: str) -> dict[date, str]:
    try:
        return dict(holiday_calendars.country_holidays(country, years=year, language=language))
    except NotImplementedError:  # a country the package has no calendar for
        return {}


@functools.lru_cache(maxsize=1024)
def country_holidays(country: str | None, year: int) -> tuple[Holiday, ...]:
    """The holidays of a country in a year, each on its first day, days off left out."""
    code = (country or "").strip().upper()
    if len(code) != 2:
        return ()
    english, russian = _calendar(code, year, "en_US"), _calendar(code, year, "ru")
    found: dict[str, Holiday] = {}
    for day, names in sorted(english.items()):
        local = russian.get(day, "").split("; ")
        for n, key in enumerate(names.split("; ")):
            if key in found or any(w in key.casefold() for w in _NOT_OCCASIONS):
                continue
            ru = local[n] if n < len(local) and local[n] != key else None
            found[key] = Holiday(key, day, {"en": key, **({"ru": ru} if ru else {})})
    return tuple(found.values())


def holidays_on(country: str | None, day: date) -> list[Holiday]:
    """The holidays of a country that begin on ``day``."""
    return [h for h in country_holidays(country, day.year) if h.day == day]


def holiday_choices(countries: list[str], year: int) -> list[str]:
    """The holiday keys of these countries in a year, by date: what an audience picks from."""
    seen: dict[str, date] = {}
    for country in countries:
        for h in country_holidays(country, year):
            seen.setdefault(h.key, h.day)
    return sorted(seen, key=lambda k: (seen[k], k))


@dataclass(frozen=True)
class OccasionRule:
    """What a holiday greeting campaign greets on, and whom (see the module's docstring)."""

    holidays: tuple[str, ...] = (EVERY,)
    countries: tuple[str, ...] = ()
    dates: tuple[int, ...] = ()
    gender: Gender | None = None

    @classmethod
    def of(cls, audience: dict | None) -> OccasionRule:
        return cls.parse((audience or {}).get("occasion"))

    @classmethod
    def parse(cls, value: object) -> OccasionRule:
        """The rule of an audience's "occasion" value (None: every holiday, everywhere).

        Raises:
            AudienceError: a value of the wrong shape.
        """
        if value is None:
            return cls()
        if not isinstance(value, dict) or any(k not in OCCASION_KEYS for k in value):
            raise AudienceError("bad_occasion", allowed=list(OCCASION_KEYS))
        keys = value.get("holidays", [EVERY])
        countries = value.get("countries") or []
        dates = value.get("dates") or []
        if (not _strings(keys) or not _strings(countries)
                or any(len(c.strip()) != 2 for c in countries)
                or not isinstance(dates, list)
                or any(not isinstance(d, int) or isinstance(d, bool) for d in dates)):
            raise AudienceError("bad_occasion", allowed=list(OCCASION_KEYS))
        gender = value.get("gender") or None
        if gender is not None and gender not in {g.value for g in Gender}:
            raise AudienceError("bad_occasion", allowed=list(OCCASION_KEYS))
        return cls(tuple(k.strip() for k in keys if k.strip()),
                   tuple(sorted({c.strip().upper() for c in countries})),
                   tuple(dict.fromkeys(dates)), Gender(gender) if gender else None)

    def to_dict(self) -> dict:
        return {"holidays": list(self.holidays), "countries": list(self.countries),
                "dates": list(self.dates), "gender": self.gender.value if self.gender else None}

    def wants(self, holiday: Holiday) -> bool:
        """Whether the campaign greets on this holiday."""
        if holiday.key in self.holidays:
            return True
        return EVERY in self.holidays and not holiday.opt_in

    def covers(self, country: str | None) -> bool:
        return not self.countries or (country or "").upper() in self.countries


def _strings(values: object) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def falls_on(greeting: GreetingDate | DateOfYear, day: date) -> bool:
    """A workspace date falls on ``day`` (29 February on the 28th in other years)."""
    if (greeting.month, greeting.day) == (day.month, day.day):
        return True
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    return (greeting.month, greeting.day, day.month, day.day) == (2, 29, 2, 28) and not leap


def dates_on(session: Session, ids: tuple[int, ...], day: date) -> list[GreetingDate]:
    """The chosen workspace dates that fall on ``day``."""
    if not ids:
        return []
    rows = session.scalars(select(GreetingDate).where(GreetingDate.id.in_(ids)))
    return [g for g in rows if falls_on(g, day)]


@dataclass(frozen=True)
class DateOfYear:
    """A workspace date as plain data, kept by a send job across its commits."""

    month: int
    day: int
    account_id: int | None
    names: dict[str, str]


@dataclass
class OccasionNames:
    """Names the occasion of a holiday-greeting outbox row (step = yyyymmdd) when it is sent."""

    rule: OccasionRule
    dates: list[DateOfYear]

    @classmethod
    def of(cls, session: Session, campaign: Campaign) -> OccasionNames:
        rule = OccasionRule.of(campaign.audience)
        rows: list[GreetingDate] = list(session.scalars(select(GreetingDate).where(
            GreetingDate.id.in_(rule.dates)))) if rule.dates else []
        return cls(rule, [DateOfYear(g.month, g.day, g.account_id,
                                     {"en": g.name, "ru": g.name_ru or g.name}) for g in rows])

    def name(self, step: int, country: str | None, account_id: int, language: str) -> str | None:
        """The holiday's name in ``language`` (English where the package has no other),
        else the workspace date's; None when neither falls on the row's day."""
        day = date(step // 10000, (step // 100) % 100, step % 100)
        names = [h.name(language) for h in holidays_on(country, day) if self.rule.wants(h)]
        if names:
            return names[0]
        for g in self.dates:
            if falls_on(g, day) and g.account_id in (None, account_id):
                return g.names.get(language, g.names["en"])
        return None


def check_occasion(session: Session, occasion: dict) -> None:
    """The dates an occasion names exist, and it targets on gender only where allowed.

    Raises:
        AudienceError: a missing date, or a gender the workspace does not target on.
    """
    rule = OccasionRule.parse(occasion)
    if rule.dates:
        known = set(session.scalars(select(GreetingDate.id).where(
            GreetingDate.id.in_(rule.dates))))
        missing = [d for d in rule.dates if d not in known]
        if missing:
            raise AudienceError("unknown_date", value=missing[0])
    if rule.gender and not settings_of(session, ContactSettings).greetings_by_gender:
        raise AudienceError("gender_off")
