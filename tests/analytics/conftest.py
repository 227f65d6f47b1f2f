"""Fixtures of the analytics tests."""

import pytest

from tests.analytics.shop import Shop


@pytest.fixture
def shop(session) -> Shop:
    return Shop(session)
