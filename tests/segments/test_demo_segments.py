"""Segments and potential on the demo data: readable names, every customer placed."""

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.demo import load_demo
from abm.segments.potential import account_potential, fit_potential
from abm.segments.queries import segment_columns
from abm.segments.services import account_segment, run_segmentation

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(session):
    load_demo(session, seed=1, today=date(2026, 11, 23))
    session.flush()


def test_demo_customers_get_readable_unique_segments_and_potential(session, demo):
    fit_potential(session)
    summary = run_segmentation(session, k=8)
    names = [s.name for s in summary.segments]
    assert len(set(names)) == 8
    assert names[0].startswith("Key accounts, top revenue, buys every month")
    assert any(n.startswith(("Lapsing: was regular", "Lost: silent")) for n in names)
    biggest = session.scalar(select(Account.id).where(Account.external_id == "C00001"))
    assert account_segment(session, biggest).name.startswith("Key accounts, top revenue")
    figures = account_potential(session, biggest)
    assert figures.p_alive > 0.9 and figures.clv > 0


@pytest.mark.parametrize("k", [None, 8])
def test_accounts_above_a_tenth_of_revenue_never_share_the_median_accounts_segment(
        session, demo, k):
    fit_potential(session)
    summary = run_segmentation(session, k=k)
    ids, columns = segment_columns(session, date.fromisoformat(summary.as_of))
    revenue = columns["revenue_12m"]
    share = revenue / revenue.sum()
    big = [int(i) for i in ids[share > 0.10]]
    assert len(big) >= 2  # the demo has its handful of large accounts, one of them 25%
    median = int(ids[np.argsort(revenue, kind="stable")[len(revenue) // 2]])
    median_segment = account_segment(session, median).segment_id
    segments_of_big = {account_segment(session, a).segment_id for a in big}
    assert median_segment not in segments_of_big
    assert summary.segments[0].size == len(big)
    assert summary.segments[0].explanation["parts"][0]["rule"].startswith(
        "share of revenue over the last 12 months >= 10%")
