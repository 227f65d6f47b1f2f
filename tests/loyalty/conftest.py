"""Fixtures of the loyalty tests: the campaign tests' accounts, sales and users, and a programme."""

from __future__ import annotations

import pytest

from abm.audit.services import NOBODY
from abm.loyalty.services import TierInput, save_programme
from tests.campaigns.conftest import make_accounts, sales  # noqa: F401 - shared fixtures
from tests.delivery.conftest import smtp_app, smtp_server  # noqa: F401 - shared fixtures


@pytest.fixture
def programme(session):
    """A programme whose tiers go by the revenue of the last 12 full months."""
    return save_programme(session, NOBODY, name="Partners", rule="revenue", period_months=12,
                          tiers=[TierInput("silver", 1000), TierInput("gold", 5000)])
