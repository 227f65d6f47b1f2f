"""Sales histories written straight into the database, for segmentation and potential tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from abm.accounts.models import Account
from abm.sales.models import OrderLine
from abm.sales.services import refresh_monthly_aggregates
from tests.factories import OrderLines

DATA = Path(__file__).resolve().parent.parent / "data"
Sales = OrderLines  # accounts and order lines; call ``refresh`` before reading aggregates


@pytest.fixture
def sales(session) -> Sales:
    return Sales(session)


END = date(2026, 6, 30)  # the last day of the synthetic histories
FIRST_MONTH = date(2024, 7, 1)


def months(n: int = 24) -> list[date]:
    out, month = [], FIRST_MONTH
    for _ in range(n):
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def build_population(sales: Sales, seed: int = 7) -> dict[str, list[int]]:
    """About a hundred customers of five kinds over 24 months, deterministic by seed."""
    rng = np.random.default_rng(seed)
    all_months = months()
    kinds: dict[str, list[int]] = {}

    def add(kind: str, n: int, active: list[date], days: int, revenue: float, top: bool) -> None:
        for i in range(n):
            account = sales.account(f"{kind} {i}")
            kinds.setdefault(kind, []).append(account)
            for month in active:
                for day in sorted(rng.choice(27, size=days, replace=False) + 1):
                    value = round(float(revenue * rng.uniform(0.7, 1.3)), 2)
                    sales.buy(account, month.replace(day=int(day)), value, top=top)

    add("big monthly", 10, all_months, 8, 5000, True)
    add("mid regular", 30, all_months, 3, 800, False)
    add("small occasional", 30, all_months[::3], 1, 200, False)
    add("lapsing", 15, all_months[:20], 3, 900, False)
    add("lost", 15, all_months[:10], 2, 300, False)
    sales.refresh()
    return kinds


def load_cdnow(session) -> None:
    """The CDNOW sample of Fader, Hardie and Lee (2005) as accounts and order lines."""
    rows = [line.split() for line in (DATA / "CDNOW_sample.txt").read_text().splitlines()]
    customers = sorted({int(r[1]) for r in rows})
    session.execute(insert(Account), [{"id": c, "name": f"CDNOW {c}",
                                       "external_id": f"CDNOW-{c}"} for c in customers])
    lines = []
    for i, (_, customer, day, quantity, amount) in enumerate(rows):
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        lines.append({"account_id": int(customer), "document": f"CD{i}", "line_no": 1,
                      "date": when, "month": when.replace(day=1), "quantity": float(quantity),
                      "revenue": float(amount)})
    session.execute(insert(OrderLine), lines)
    refresh_monthly_aggregates(session)
    session.flush()


@pytest.fixture
def cdnow(session) -> None:
    load_cdnow(session)
