"""Fixtures of the web tests: logging in as one of the ``users``, a segmentation of the ``book``
(both fixtures of tests/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest

from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun
from tests import factories

PASSWORD = factories.PASSWORD  # the password of the ``users`` of tests/conftest.py
ROLES = factories.ROLES


@pytest.fixture
def login(client, users):
    """Log the test client in as ``role`` (a key of ``users``); returns the user."""

    def log_in(role: str):
        user = users[role]
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return user

    return log_in


@pytest.fixture
def segmented(session, book):
    """Two runs: in the latest, "Own Customer" and "Rival Customer" are in "Steady buyers"."""
    old = SegmentationRun(as_of=date(2026, 9, 1), k=1, k_chosen_by="fixed", n_accounts=1,
                          settings={}, metrics={}, feature_names=[])
    new = SegmentationRun(as_of=date(2026, 10, 1), k=1, k_chosen_by="fixed", n_accounts=2,
                          settings={}, metrics={}, feature_names=[])
    session.add_all([old, new])
    session.flush()
    segment = Segment(name="Steady buyers", first_run_id=old.id, last_run_id=new.id)
    session.add(segment)
    session.flush()
    for run, size in ((old, 1), (new, 2)):
        session.add(RunSegment(run_id=run.id, segment_id=segment.id, label=0,
                               name="Steady buyers", size=size, centroid={},
                               scaled_centroid=[], explanation={}))
    session.add(AccountSegment(run_id=old.id, account_id=book["own2"].id,
                               segment_id=segment.id, distance=0.1))
    for account in (book["own"], book["rival"]):
        session.add(AccountSegment(run_id=new.id, account_id=account.id,
                                   segment_id=segment.id, distance=0.2))
    session.commit()
    return segment
