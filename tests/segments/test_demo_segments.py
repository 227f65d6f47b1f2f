"""Segments and potential on the demo data: readable names, every customer placed."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.demo import load_demo
from abm.segments.potential import account_potential, fit_potential
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
    assert any(n.startswith("Top revenue, buys every month") for n in names)
    assert any(n.startswith(("Lapsing: was regular", "Lost: silent")) for n in names)
    biggest = session.scalar(select(Account.id).where(Account.external_id == "C00001"))
    assert account_segment(session, biggest).name.startswith("Top revenue")
    figures = account_potential(session, biggest)
    assert figures.p_alive > 0.9 and figures.clv > 0
