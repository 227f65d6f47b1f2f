"""Building blocks of the API's declared schemas: safe text, ids, dates, pages, errors.

Every constraint here protects the database as much as the client: a string
longer than its column, a NUL character, a lone surrogate or an integer
outside 32 bits would otherwise reach PostgreSQL and fail there as a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
)

from abm.currencies.codes import currency_codes

MAX_INT = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


NO_NUL = r"^[^\x00]*$"


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """Text of at most ``max_length`` characters that every database can store.

    ``name: Annotated[str, Text(300, min_length=1)]``: a plain ``str`` to a type
    checker, its constraints and validator to pydantic.
    """

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield Field(min_length=self.min_length, max_length=self.max_length, pattern=NO_NUL)
        yield AfterValidator(_storable)


def _day_in_range(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return value


def _moment_in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    _day_in_range(utc.date())
    return utc


def _json_number(value: object, info: ValidationInfo) -> object:
    # A URL carries numbers as text; a JSON body has real numbers, so "5" there is a mistake.
    if (info.context or {}).get("json") and isinstance(value, str | bool):
        raise ValueError("must be a JSON number")
    return value


JsonNumber = BeforeValidator(_json_number)
# The years abm works with; the pattern says so in the document, the validator enforces it.
YEARS = r"^(19|2[0-9])[0-9]{2}-"

Id = Annotated[int, Field(ge=1, le=MAX_INT), JsonNumber]
Flag = Annotated[bool, Strict()]
Day = Annotated[date, Strict(), Field(json_schema_extra={"pattern": YEARS}),
                AfterValidator(_day_in_range)]
def _iso_day_text(value: Any) -> Any:
    # Lax parsing would read "0" as a Unix time: a query's day is written as a day.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a day (use 2026-03-31)")
    return value


# A day in a query string, where every value is text: ISO 8601 (2026-03-31), in range.
QueryDay = Annotated[date, Field(json_schema_extra={"pattern": YEARS}),
                     BeforeValidator(_iso_day_text), AfterValidator(_day_in_range)]
Moment = Annotated[AwareDatetime, Strict(), Field(json_schema_extra={"pattern": YEARS}),
                   AfterValidator(_moment_in_range)]


def _local_moment_in_range(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return _moment_in_range(value)
    _day_in_range(value.date())
    return value


# A time a user enters: with its offset, or without one in the workspace time zone.
LocalMoment = Annotated[datetime, Strict(), Field(json_schema_extra={"pattern": YEARS}),
                        AfterValidator(_local_moment_in_range)]
Name = Annotated[str, Text(300, min_length=1)]
ShortText = Annotated[str, Text(100)]
LongText = Annotated[str, Text(20_000)]
Money = Annotated[float, Field(ge=0, le=1e13, allow_inf_nan=False), JsonNumber]


def _known_currency(value: str) -> str:
    if value not in currency_codes():
        raise ValueError("must be an ISO 4217 currency code in capitals, such as EUR")
    return value


# An ISO 4217 code that Babel knows, as the document's enum lists them.
CurrencyCode = Annotated[str, Field(json_schema_extra={"enum": sorted(currency_codes())}),
                         AfterValidator(_known_currency)]


@dataclass(frozen=True)
class Bounds(GroupedMetadata):
    """A number between ``ge`` and ``le``, a JSON number in a body:
    ``days: Annotated[int, Bounds(1, 365)]``."""

    ge: int
    le: int

    def __iter__(self) -> Iterator[object]:
        yield Field(ge=self.ge, le=self.le)
        yield JsonNumber

T = TypeVar("T")


class Input(BaseModel):
    """A request body: unknown fields are refused, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """A response body, read from ORM rows, the services' results (dataclasses) or dicts."""

    model_config = ConfigDict(from_attributes=True)


def fields_of(result: Any) -> dict[str, Any]:
    """The fields of a service's result (a dataclass), one level deep: to answer it with a
    field replaced (a page of its rows) or added (the next cursor)."""
    return {f.name: getattr(result, f.name) for f in fields(result)}


class PageQuery(BaseModel):
    """Keyset pagination: ``limit`` rows after the row ``cursor`` (from ``next_cursor``).

    Unknown parameters are refused (422), so that a misspelt filter never
    silently returns everything.
    """

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=200, description="Rows per page.")
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,10}$", max_length=10,
                               description="`next_cursor` of the previous page.")

    @property
    def after(self) -> int | None:
        # No id is above 32 bits: a larger cursor is past the end (and would not bind as INT).
        return min(int(self.cursor), MAX_INT) if self.cursor else None


class Page(Output, Generic[T]):
    """One page of a list; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None


class ErrorDetail(Output):
    field: str
    message: str


class Error(Output):
    """Every error: the HTTP status, a stable code and a sentence for humans; an import
    refused at once adds the reason's own code and parameters."""

    status: int
    error: str
    message: str
    details: list[ErrorDetail] = []
    error_code: str | None = Field(
        None, description="Why an import was refused, as a stable code (`empty`, "
        "`unsupported`, `unknown_encoding`...: the codes of a failed import run's "
        "`result.error_code`); absent from other errors.")
    error_params: dict[str, Any] | None = Field(
        None, description="The parameters of `error_code`'s message (`encoding`, "
        "`choices`...); absent from other errors.")


class Deleted(Output):
    id: int
    deleted: bool = True
