"""The workspace currency and the exchange rates the admin keeps (added, changed, deleted)."""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.currencies.codes import currency_code
from abm.currencies.conversion import Rates
from abm.currencies.models import ExchangeRate
from abm.currencies.settings import CurrencySettings
from abm.workspace.services import settings_of

MAX_RATE = 1e13  # what Numeric(24, 10) holds before the point


class RateError(ValueError):
    """A rate that cannot be stored. ``code`` says why: "currency", "same", "rate",
    "duplicate" or "missing"; ``params`` hold the values of the message."""

    def __init__(self, code: str, message: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def workspace_currency(session: Session) -> str:
    """The currency every amount of the workspace is in (ISO 4217)."""
    return settings_of(session, CurrencySettings).currency


def load_rates(session: Session, base: str | None = None) -> Rates:
    """Every rate to ``base`` (default: the workspace currency), for converting lines."""
    base = base or workspace_currency(session)
    steps: dict[str, list[tuple[str, float]]] = {}
    for currency, valid_from, rate in session.execute(
        select(ExchangeRate.currency, ExchangeRate.valid_from, ExchangeRate.rate)
        .where(ExchangeRate.base == base)
    ):
        steps.setdefault(currency, []).append((valid_from.isoformat(), rate))
    return Rates(base, steps)


def list_rates(session: Session) -> list[ExchangeRate]:
    """Every rate, to the workspace currency first, then by currency and newest first."""
    base = workspace_currency(session)
    rows = session.scalars(select(ExchangeRate).order_by(
        ExchangeRate.base, ExchangeRate.currency, ExchangeRate.valid_from.desc()))
    return sorted(rows, key=lambda r: r.base != base)  # stable: keeps the order within


def save_rate(session: Session, *, currency: str, rate: float, valid_from: date,
              user_id: int | None, rate_id: int | None = None,
              address: str | None = None) -> ExchangeRate:
    """Add a rate to the workspace currency (or change the rate ``rate_id``), audited.

    Args:
        currency: what one unit is converted from (ISO 4217).
        rate: what one unit of ``currency`` is worth in the workspace currency.
        valid_from: the first day of the rate; it holds until the next rate of the currency.

    Raises:
        RateError: an unknown code, the workspace currency itself, a rate that is not a
            positive number, another rate of the currency from the same day, or no such
            rate to change.
    """
    row = None
    if rate_id is not None:
        row = session.get(ExchangeRate, rate_id)
        if row is None:
            raise RateError("missing", "no such exchange rate")
    base = row.base if row is not None else workspace_currency(session)
    try:
        code = currency_code(currency)
    except ValueError as exc:
        raise RateError("currency", str(exc), currency=currency) from None
    if code == base:
        raise RateError("same", f"{code} is the currency the rate converts to", currency=code)
    if not (isinstance(rate, int | float) and math.isfinite(rate) and 0 < rate < MAX_RATE):
        raise RateError("rate", "a rate is a positive number", rate=rate)
    clash = session.scalar(select(ExchangeRate.id).where(
        ExchangeRate.currency == code, ExchangeRate.base == base,
        ExchangeRate.valid_from == valid_from, ExchangeRate.id != (rate_id or 0)))
    if clash is not None:
        raise RateError("duplicate", f"a rate {code}→{base} from {valid_from.isoformat()} "
                        "exists already", currency=code, base=base, day=valid_from.isoformat())
    before = _described(row) if row is not None else None
    if row is None:
        row = ExchangeRate(currency=code, base=base)
        session.add(row)
    row.valid_from, row.rate, row.updated_by_id = valid_from, float(rate), user_id
    session.flush()
    audit.record(session, user_id, audit.EXCHANGE_RATE, f"exchange_rate:{row.id}",
                 {"event": "changed" if before else "added", "to": _described(row)}
                 | ({"from": before} if before else {}), address=address)
    return row


def change_rate(session: Session, rate_id: int, *, rate: float, valid_from: date,
                user_id: int | None, address: str | None = None) -> ExchangeRate:
    """Change the value or the first day of a rate (its currencies stay), audited.

    Raises:
        RateError: as :func:`save_rate`.
    """
    row = session.get(ExchangeRate, rate_id)
    if row is None:
        raise RateError("missing", "no such exchange rate")
    return save_rate(session, currency=row.currency, rate=rate, valid_from=valid_from,
                     user_id=user_id, rate_id=rate_id, address=address)


def delete_rate(session: Session, rate_id: int, *, user_id: int | None,
                address: str | None = None) -> None:
    """Delete a rate, audited; lines already converted at it keep their amounts.

    Raises:
        RateError: no such rate.
    """
    row = session.get(ExchangeRate, rate_id)
    if row is None:
        raise RateError("missing", "no such exchange rate")
    audit.record(session, user_id, audit.EXCHANGE_RATE, f"exchange_rate:{row.id}",
                 {"event": "deleted", "from": _described(row)}, address=address)
    session.delete(row)
    session.flush()


def _described(row: ExchangeRate) -> dict:
    return {"currency": row.currency, "base": row.base, "rate": row.rate,
            "valid_from": row.valid_from.isoformat()}
