"""The workspace's own dates worth a greeting (its anniversary, an account's): managers keep
them; a holiday greeting campaign chooses them in its audience (``occasion.dates``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from abm.api.core import ApiError, current_actor, operation
from abm.api.schemas import Id, Input, JsonNumber, Output, Text
from abm.campaigns import greeting_dates as services
from abm.db import get_session

READERS = ("manager", "marketing")
EDITORS = ("manager",)


class GreetingDateOut(Output):
    id: int
    name: str
    name_ru: str | None = Field(description="The name in Russian messages, if not `name`.")
    month: int
    day: int
    since_year: int | None
    account_id: int | None = Field(description="An account's date: greeted to it only; "
                                               "null: the workspace's, greeted to every "
                                               "target account.")
    account_name: str | None


class GreetingDateList(Output):
    items: list[GreetingDateOut]


class GreetingDateIn(Input):
    name: Annotated[str, Text(200, min_length=1)]
    name_ru: Annotated[str, Text(200)] | None = None
    month: Annotated[int, Field(ge=1, le=12), JsonNumber]
    day: Annotated[int, Field(ge=1, le=31), JsonNumber]
    since_year: Annotated[int, Field(ge=1800, le=9999), JsonNumber] | None = None
    account_id: Id | None = None


@operation("GET", "/greeting-dates", summary="List the workspace's dates worth a greeting",
           tag="campaigns", roles=READERS, response=GreetingDateList)
def list_greeting_dates() -> GreetingDateList:
    return GreetingDateList(items=[GreetingDateOut.model_validate(d)
                                   for d in services.list_dates(get_session())])


@operation("POST", "/greeting-dates", summary="Add a date worth a greeting", tag="campaigns",
           roles=EDITORS, body=GreetingDateIn, response=GreetingDateOut, status=201)
def create_greeting_date(body: GreetingDateIn) -> GreetingDateOut:
    return GreetingDateOut.model_validate(_saved(lambda: services.save_date(
        get_session(), body.model_dump(), current_actor())))


@operation("PUT", "/greeting-dates/<int:date_id>", summary="Change a date worth a greeting",
           tag="campaigns", roles=EDITORS, body=GreetingDateIn, response=GreetingDateOut,
           errors=(404,))
def update_greeting_date(date_id: int, body: GreetingDateIn) -> GreetingDateOut:
    return GreetingDateOut.model_validate(_saved(lambda: services.save_date(
        get_session(), body.model_dump(), current_actor(), date_id)))


@operation("DELETE", "/greeting-dates/<int:date_id>", summary="Delete a date worth a greeting",
           tag="campaigns", roles=EDITORS, status=204, errors=(404,))
def delete_greeting_date(date_id: int) -> None:
    """Campaigns that chose it no longer greet on it."""
    _saved(lambda: services.delete_date(get_session(), date_id, current_actor()))


def _saved(action):
    try:
        return action()
    except LookupError as exc:
        raise ApiError(404, str(exc)) from None
    except services.GreetingDateError as exc:
        raise ApiError(422, str(exc)) from None
