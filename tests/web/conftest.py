"""Fixtures of the web tests: a user of every role and a small book of accounts."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.security import generate_password_hash

from abm.accounts.models import Account, AccountKind, Contact, ContactRole
from abm.sales.models import MonthlyAccountSales
from abm.segments.models import AccountSegment, RunSegment, Segment, SegmentationRun
from abm.users.models import Role, User

PASSWORD = "secret-password"
# Hashed once, cheaply: the real scrypt cost per user would dominate the run time.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
ROLES = ("admin", "manager", "marketing", "sales")


@pytest.fixture
def users(session):
    """One active user per role, plus a second sales user ("rival"), committed."""
    made = {role: User(email=f"{role}@test.local", name=role.title(), role=Role(role),
                       password_hash=PASSWORD_HASH) for role in ROLES}
    made["rival"] = User(email="rival@test.local", name="Rival", role=Role.SALES,
                         password_hash=PASSWORD_HASH)
    session.add_all(made.values())
    session.commit()
    return made


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
def book(session, users):
    """Accounts: two owned by "sales", one by "rival", one unowned prospect; with sales."""
    own = Account(name="Own Customer", external_id="C1", region="North", industry="Retail",
                  owner_id=users["sales"].id)
    own2 = Account(name="Another Own", external_id="C2", region="South",
                   owner_id=users["sales"].id)
    rival = Account(name="Rival Customer", external_id="C3", region="North",
                    owner_id=users["rival"].id)
    prospect = Account(name="Free Prospect", kind=AccountKind.PROSPECT, region="East")
    session.add_all([own, own2, rival, prospect])
    session.flush()
    session.add(Contact(account_id=own.id, name="Olga Buyer", role=ContactRole.PURCHASING,
                        email="olga@own.test"))
    session.add_all([
        MonthlyAccountSales(account_id=own.id, month=date(2026, m, 1), revenue=1000.0 * m,
                            margin=100.0, quantity=1, lines=1, documents=1, purchase_days=1)
        for m in range(1, 11)
    ])
    session.commit()
    return {"own": own, "own2": own2, "rival": rival, "prospect": prospect}


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
