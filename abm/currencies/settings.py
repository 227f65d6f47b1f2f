"""The workspace currency: what every amount of the workspace is in."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.currencies.codes import UnknownCurrency, currency_code
from abm.sales.models import OrderLine
from abm.workspace.sections import N_, SettingError, SettingsSection, refusal


class CurrencyInUse(SettingError):
    """The currency cannot change: stored order lines hold amounts in the current one."""

    def __init__(self, current: str, new: str, lines: int) -> None:
        super().__init__(CurrencySettings.key("currency"), "currency_in_use", N_(
            "the currency cannot change from %(current)s to %(new)s while %(lines)s order "
            "lines hold amounts in %(current)s; they would be read as %(new)s"),
            current=current, new=new, lines=lines)
        self.current, self.new, self.lines = current, new, lines


class CurrencySettings(SettingsSection):
    """The one currency of every stored amount (stored as ``workspace.currency``)."""

    prefix: ClassVar[str] = "workspace"

    currency: str = Field(default="EUR", description=N_(
        "Currency of every amount (ISO 4217 code: EUR, RUB, USD...). Lines of a file in "
        "another currency are converted at the exchange rates an administrator keeps, or "
        "refused. It can change only while no order lines are stored: stored amounts are "
        "never relabelled."))

    @field_validator("currency")
    @classmethod
    def _an_iso_4217_code(cls, value: str) -> str:
        try:
            return currency_code(value)
        except UnknownCurrency:
            raise refusal("not_currency", N_(
                "%(value)s is not an ISO 4217 currency code (such as EUR, RUB, USD)."),
                value=value) from None

    @classmethod
    def check_change(cls, session: Session, before: CurrencySettings,
                     after: CurrencySettings) -> None:
        """Stored amounts are in the current currency: relabelling them would misstate
        every figure, and converting years of history at one rate would too. So the
        currency is chosen before sales are imported; files in other currencies are
        converted instead.

        Raises:
            CurrencyInUse: the currency changes while order lines are stored.
        """
        if before.currency == after.currency:
            return
        if session.scalar(select(OrderLine.id).limit(1)) is not None:
            lines = session.scalar(select(func.count()).select_from(OrderLine)) or 0
            raise CurrencyInUse(before.currency, after.currency, lines)
