"""Fixtures of the notification tests: a user of every role and one account of the sales user."""

from __future__ import annotations

import pytest

from abm.accounts.models import Account
from abm.users.services import create_user

ROLES = ("admin", "manager", "marketing", "sales")


@pytest.fixture
def users(session):
    made = {role: create_user(session, email=f"{role}@n.test", name=role.title(), role=role,
                              password="secret-password") for role in ROLES}
    made["rival"] = create_user(session, email="rival@n.test", name="Rival", role="sales",
                                password="secret-password")
    session.commit()
    return made


@pytest.fixture
def account(session, users):
    acc = Account(name="Nordic Steel", owner_id=users["sales"].id)
    session.add(acc)
    session.commit()
    return acc
