"""Every figure against an independent pandas computation over random order lines.

The oracle works from the raw lines (not the monthly aggregates), sums whole
cents exactly and compares shares as fractions, so that a tie or a share that
sits exactly on a threshold is judged the same way the rules define it.
"""

from datetime import date, timedelta
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from abm.accounts.models import Account
from abm.analytics.abcxyz import abc_xyz
from abm.analytics.churn import churn_signals
from abm.analytics.concentration import concentration
from abm.analytics.topn import top_accounts_by_avg_monthly_shipments
from abm.sales.models import OrderLine
from abm.sales.services import refresh_monthly_aggregates
from tests.analytics.shop import TODAY

FIRST_DAY = date(2024, 10, 1)
LAST_DAY = date(2026, 11, 14)
PERIOD = pd.period_range("2025-11", "2026-10", freq="M")
LAST3 = pd.period_range("2026-08", "2026-10", freq="M")
PREV3 = pd.period_range("2026-05", "2026-07", freq="M")

cents = st.one_of(st.sampled_from([1000, 2500, 10000, -500]), st.integers(-5000, 200000))
lines_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, (LAST_DAY - FIRST_DAY).days), cents),
    min_size=1, max_size=60,
)


def _store(session, lines) -> tuple[dict[int, int], pd.DataFrame]:
    rows = [{"name": f"P{i}", "external_id": f"P{i}"} for i in range(6)]
    session.execute(insert(Account), rows)
    ids = {i: session.query(Account.id).filter_by(external_id=f"P{i}").scalar() for i in range(6)}
    session.execute(insert(OrderLine), [
        {"account_id": ids[a], "document": f"D{n}", "line_no": 1,
         "date": FIRST_DAY + timedelta(days=d), "month": (FIRST_DAY + timedelta(days=d)).replace(
             day=1), "quantity": 1, "revenue": c / 100, "margin": None, "currency": "EUR"}
        for n, (a, d, c) in enumerate(lines)
    ])
    refresh_monthly_aggregates(session)
    frame = pd.DataFrame(lines, columns=["account", "day", "cents"])
    frame["account_id"] = frame["account"].map(ids)
    frame["date"] = [FIRST_DAY + timedelta(days=int(d)) for d in frame["day"]]
    frame["month"] = pd.to_datetime(frame["date"]).dt.to_period("M")
    return ids, frame


def _oracle_concentration(frame):
    in_period = frame[frame["month"].isin(PERIOD)]
    values = in_period.groupby("account_id")["cents"].sum()
    values = values[values > 0]
    order = sorted(values.index, key=lambda a: (-values[a], a))
    total = int(values.sum())
    shares = {a: Fraction(int(values[a]), total) for a in order}
    running, core = 0, 0
    for a in order:
        if Fraction(running, total) < Fraction(8, 10):
            core += 1
        running += int(values[a])
    abc = {}
    for a in order:
        above = int(values[values > values[a]].sum())
        before = Fraction(above, total)
        abc[a] = "A" if before < Fraction(8, 10) else "B" if before < Fraction(95, 100) else "C"
    return order, total, shares, core, abc


def _oracle_cv(frame, account_id):
    monthly = (frame[(frame["account_id"] == account_id) & frame["month"].isin(PERIOD)]
               .groupby("month")["cents"].sum().reindex(PERIOD, fill_value=0) / 100)
    if monthly.mean() <= 0:
        return None
    return monthly.std(ddof=0) / monthly.mean()


EXAMPLES = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def savepoint(session):
    def run(test):
        nested = session.begin_nested()
        try:
            test()
        finally:
            nested.rollback()
    return run


@EXAMPLES
@given(lines=lines_strategy)
def test_shares_flags_hhi_pareto_and_abc_xyz_match_pandas(session, savepoint, lines):
    def check():
        _ids, frame = _store(session, lines)
        order, total, shares, core, abc = _oracle_concentration(frame)
        result = concentration(session, today=TODAY)
        assert [a.account_id for a in result.accounts] == order
        assert round(result.total * 100) == total
        for a in result.accounts:
            share = shares[a.account_id]
            assert a.share == pytest.approx(float(share), abs=1e-6)
            assert a.key == (share >= Fraction(1, 10))
            assert a.dependency == (share > Fraction(2, 10))
            assert a.mono_client == (share >= Fraction(1, 2))
        assert result.hhi == pytest.approx(
            float(sum((s * 100) ** 2 for s in shares.values())), abs=0.01)
        assert result.pareto.core_accounts == core
        classes = abc_xyz(session, today=TODAY).accounts
        assert {a.account_id: a.abc for a in classes} == abc
        for a in classes:
            expected = _oracle_cv(frame, a.account_id)
            if expected is None:
                assert a.cv is None
            else:
                assert a.cv == pytest.approx(expected, abs=1e-5)
    savepoint(check)


@EXAMPLES
@given(lines=lines_strategy)
def test_top_n_by_average_monthly_shipments_matches_pandas(session, savepoint, lines):
    def check():
        _ids, frame = _store(session, lines)
        sums = frame[frame["month"].isin(LAST3)].groupby("account_id")["cents"].sum()
        sums = sums[sums > 0]
        expected = sorted(sums.index, key=lambda a: (-sums[a], a))[:3]
        rows = top_accounts_by_avg_monthly_shipments(session, month=date(2026, 10, 1), top_n=3)
        assert [r.account_id for r in rows] == expected
        for r in rows:
            assert r.average == pytest.approx(sums[r.account_id] / 300, abs=0.006)
    savepoint(check)


@EXAMPLES
@given(lines=lines_strategy)
def test_churn_rhythm_silence_and_state_match_pandas(session, savepoint, lines):
    def check():
        _ids, frame = _store(session, lines)
        net = frame.groupby(["account_id", "month"])["cents"].sum()
        positive_months = net[net > 0].reset_index()[["account_id", "month"]]
        kept = frame.merge(positive_months, on=["account_id", "month"])
        expected = {}
        for account_id, rows in kept.groupby("account_id"):
            buys = rows[rows["cents"] > 0]
            first_month, last_month = rows["month"].min(), rows["month"].max()
            first_on = buys[buys["month"] == first_month]["date"].min()
            last_on = buys[buys["month"] == last_month]["date"].max()
            expected[account_id] = (first_on, last_on, rows["date"].nunique())
        horizon = min(TODAY, max((v[1] for v in expected.values()), default=TODAY))
        signals = {s.account_id: s for s in churn_signals(session, today=TODAY)}
        assert set(signals) == set(expected)
        for account_id, (first_on, last_on, days) in expected.items():
            measured = days > 1 and last_on > first_on
            rhythm = max((last_on - first_on).days / (days - 1) if measured else 90, 14)
            silence = (horizon - last_on).days
            mine = frame[frame["account_id"] == account_id]
            last3 = int(mine[mine["month"].isin(LAST3)]["cents"].sum())
            prev3 = int(mine[mine["month"].isin(PREV3)]["cents"].sum())
            drop = Fraction(prev3 - last3, prev3) if prev3 > 0 else None
            s = signals[account_id]
            assert s.last_purchase_on == last_on
            assert s.rhythm_days == pytest.approx(rhythm, abs=0.005)
            assert s.silence_days == silence
            if drop is None:
                assert s.revenue_drop is None
            else:
                assert s.revenue_drop == pytest.approx(float(drop), abs=1e-6)
            if silence > 4 * s.rhythm_days:
                assert s.state == "lost"
            elif silence > 2 * s.rhythm_days or (drop is not None and drop > Fraction(1, 2)):
                assert s.state == "at_risk"
            else:
                assert s.state == "active"
    savepoint(check)
