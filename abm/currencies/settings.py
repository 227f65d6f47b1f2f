"""The workspace currency: what every amount of the workspace is in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.currencies.codes import UnknownCurrency, currency_code
from abm.sales.models import OrderLine
from abm.workspace.services import SettingError, register_setting

CURRENCY = "workspace.currency"


class CurrencyNotKnown(SettingError):
    """The value is not an ISO 4217 code."""

    def __init__(self, value: Any) -> None:
        super().__init__(f"{CURRENCY}: {value!r} is not an ISO 4217 currency code "
                         "(such as EUR, RUB, USD)")
        self.value = value


class CurrencyInUse(SettingError):
    """The currency cannot change: stored order lines hold amounts in the current one."""

    def __init__(self, current: str, new: str, lines: int) -> None:
        super().__init__(f"{CURRENCY}: the currency cannot change from {current} to {new} "
                         f"while {lines:,} order lines hold amounts in {current}; they would "
                         f"be read as {new}")
        self.current, self.new, self.lines = current, new, lines


def _check(value: str) -> str:
    try:
        return currency_code(value)
    except UnknownCurrency:
        raise CurrencyNotKnown(value) from None


def _guard(session: Session, current: str, new: str) -> None:
    """Stored amounts are in the current currency: relabelling them would misstate every
    figure, and converting years of history at one rate would too. So the currency is
    chosen before sales are imported; files in other currencies are converted instead."""
    if session.scalar(select(OrderLine.id).limit(1)) is not None:
        lines = session.scalar(select(func.count()).select_from(OrderLine))
        raise CurrencyInUse(current, new, lines)


register_setting(
    CURRENCY, str, "EUR",
    "Currency of every amount (ISO 4217 code: EUR, RUB, USD...). Lines of a file in another "
    "currency are converted at the exchange rates an administrator keeps, or refused. It can "
    "change only while no order lines are stored: stored amounts are never relabelled.",
    check=_check, guard=_guard,
)
