"""Exchange rates: what one unit of a currency is worth in the workspace currency, from a day.

Imports convert the lines of other currencies with them. Everyone may read them;
administrators keep them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from abm.api.core import ApiError, client_address, current_user, operation
from abm.api.schemas import CurrencyCode, Day, Input, JsonNumber, Output
from abm.currencies import services
from abm.db import get_session

_STATUS = {"duplicate": 409, "same": 409, "missing": 404}


class RateOut(Output):
    id: int
    currency: str = Field(description="The currency converted from.")
    base: str = Field(description="The currency converted to: the workspace's when entered.")
    rate: float = Field(description="What one unit of `currency` is worth in `base`.")
    valid_from: date = Field(description="First day of the rate, until the next one.")


class RateList(Output):
    workspace_currency: str
    items: list[RateOut]


class RateCreate(Input):
    currency: CurrencyCode
    rate: Annotated[float, Field(gt=0, lt=services.MAX_RATE, allow_inf_nan=False),
                    JsonNumber] = Field(description="What one unit of `currency` is worth in "
                                                    "the workspace currency.")
    valid_from: Day


@operation("GET", "/rates", summary="List the exchange rates", tag="rates", response=RateList)
def list_rates() -> RateList:
    session = get_session()
    return RateList(workspace_currency=services.workspace_currency(session),
                    items=[RateOut.model_validate(r) for r in services.list_rates(session)])


@operation("POST", "/rates", summary="Add an exchange rate to the workspace currency",
           tag="rates", roles=(), body=RateCreate, response=RateOut, status=201,
           errors=(409,))
def create_rate(body: RateCreate) -> RateOut:
    row = _saved(lambda: services.save_rate(
        get_session(), currency=body.currency, rate=body.rate, valid_from=body.valid_from,
        user_id=current_user().id, address=client_address()))
    return RateOut.model_validate(row)


@operation("DELETE", "/rates/<int:rate_id>", summary="Delete an exchange rate", tag="rates",
           roles=(), status=204, errors=(404,))
def delete_rate(rate_id: int) -> None:
    """Lines already converted at the rate keep their amounts."""
    _saved(lambda: services.delete_rate(get_session(), rate_id, user_id=current_user().id,
                                        address=client_address()))


def _saved(action):
    try:
        return action()
    except services.RateError as exc:
        raise ApiError(_STATUS.get(exc.code, 422), str(exc)) from None
