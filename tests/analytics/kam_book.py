"""A small book for the KAM report: a KAM's key accounts, a rival's, a stored refresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from abm.accounts.models import Task, TaskStatus
from abm.analytics.models import ChurnState, ChurnStateKind
from abm.analytics.refresh import refresh_analytics
from abm.users.models import Role, User
from tests.analytics.shop import PERIOD, TODAY, Shop
from tests.factories import password_hash

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def kam_book(session):
    """KAM "Kira" owns A (key, doubled in October), N (new in October: enters the top-N) and
    L (shipped in July only: leaves it); "Rex" owns R, the largest account."""
    people = {name: User(email=f"{name}@k.test", name=name.title(), role=Role(role),
                         password_hash=password_hash())
              for name, role in (("kira", "sales"), ("rex", "sales"), ("boss", "manager"))}
    session.add_all(people.values())
    session.flush()
    kira, rex = people["kira"].id, people["rex"].id
    shop = Shop(session)
    a = shop.account("A", owner_id=kira)
    n = shop.account("N", owner_id=kira)
    lost = shop.account("L", owner_id=kira)
    r = shop.account("R", owner_id=rex)
    shop.monthly(a, {m: (600 if m == OCTOBER else 300) for m in PERIOD})
    shop.monthly(n, {OCTOBER: 900})
    shop.monthly(lost, {date(2026, 7, 1): 90})
    shop.monthly(r, dict.fromkeys(PERIOD, 5000))
    shop.interaction(a, date(2026, 10, 5))
    shop.interaction(r, date(2026, 10, 6))
    shop.refresh()
    refresh_analytics(session, today=TODAY)
    # L is put on the win-back list as the churn rules would once its silence is long enough.
    session.execute(update(ChurnState).where(ChurnState.account_id == lost)
                    .values(state=ChurnStateKind.LOST))
    session.add_all([
        Task(account_id=a, title="Quarterly review", due_on=date(2026, 11, 20),
             assignee_id=kira),
        Task(account_id=a, title="Done already", due_on=date(2026, 11, 2),
             status=TaskStatus.DONE),
        Task(account_id=a, title="Next year", due_on=date(2027, 1, 10)),
        Task(account_id=r, title="Rival's task", due_on=date(2026, 11, 20)),
    ])
    session.commit()
    return {"users": people, "A": a, "N": n, "L": lost, "R": r,
            "at": datetime(2026, 11, 15, tzinfo=UTC)}
