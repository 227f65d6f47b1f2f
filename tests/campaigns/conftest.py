"""Fixtures of the campaign tests: accounts with contacts, their sales, segmentation runs."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun
from tests import factories


@pytest.fixture
def make_accounts(session):
    """make_accounts(n, contacts=2, **fields) -> accounts, each with reachable contacts."""
    return functools.partial(factories.make_accounts, session)


@pytest.fixture
def sales(session):
    """sales(account, {product: revenue}, month) adds monthly aggregates directly."""
    return factories.MonthlySales(session)


def _run(session, month: int, segments: dict[Segment, list]) -> SegmentationRun:
    """A segmentation run in which each segment holds the given accounts."""
    run = SegmentationRun(as_of=date(2026, month, 1), k=len(segments), k_chosen_by="fixed",
                          n_accounts=sum(len(a) for a in segments.values()), settings={},
                          metrics={}, feature_names=[])
    session.add(run)
    session.flush()
    for label, (segment, accounts) in enumerate(segments.items()):
        segment.last_run_id = run.id
        session.add(RunSegment(run_id=run.id, segment_id=segment.id, label=label,
                               name=segment.name, size=len(accounts), centroid={},
                               scaled_centroid=[], explanation={}))
        session.add_all(AccountSegment(run_id=run.id, account_id=a.id, segment_id=segment.id,
                                       distance=0.1) for a in accounts)
    session.flush()
    return run


@pytest.fixture
def resegmented(session, make_accounts):
    """"Steady buyers" was in the first run only; the second has "Sleepers" instead."""
    a, b = make_accounts(2)
    first = _run(session, 9, {})
    steady = Segment(name="Steady buyers", first_run_id=first.id, last_run_id=first.id)
    sleepers = Segment(name="Sleepers", first_run_id=first.id, last_run_id=first.id)
    session.add_all([steady, sleepers])
    session.flush()
    session.add(RunSegment(run_id=first.id, segment_id=steady.id, label=0, name=steady.name,
                           size=1, centroid={}, scaled_centroid=[], explanation={}))
    session.flush()
    return {"steady": steady, "sleepers": sleepers, "accounts": (a, b),
            "resegment": lambda: _run(session, 10, {sleepers: [a, b]})}
