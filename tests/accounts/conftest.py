"""Fixtures of the accounts services tests."""

from __future__ import annotations

import pytest

from abm.users.models import Role, User


@pytest.fixture
def people(session):
    """A sales user, a second sales user and a marketing user (no passwords needed)."""
    made = {
        name: User(email=f"{name}@test.local", name=name.title(), role=role, password_hash="x")
        for name, role in (("sales", Role.SALES), ("rival", Role.SALES),
                           ("marketing", Role.MARKETING), ("manager", Role.MANAGER))
    }
    session.add_all(made.values())
    session.flush()
    return made
