"""Fixtures of the API tests: a user and a token of every role, a small book of accounts."""

from __future__ import annotations

import pytest

from abm.accounts.models import Account, AccountKind, Contact, ContactRole, Task
from abm.sales.models import Product
from abm.users.services import create_user
from abm.users.tokens import issue_token

PASSWORD = "secret-password"
ROLES = ("admin", "manager", "marketing", "sales")


@pytest.fixture
def users(session):
    """One active user per role, plus a second sales user ("rival"), committed."""
    made = {role: create_user(session, email=f"{role}@test.local", name=role.title(),
                              role=role, password=PASSWORD) for role in ROLES}
    made["rival"] = create_user(session, email="rival@test.local", name="Rival", role="sales",
                                password=PASSWORD)
    session.commit()
    return made


@pytest.fixture
def tokens(session, users):
    """A valid API token for each user of ``users``."""
    made = {name: issue_token(session, user.id, f"{name} token")[1]
            for name, user in users.items()}
    session.commit()
    return made


class Api:
    """The test client with a bearer token: ``api.as_("sales").get("/accounts")``."""

    def __init__(self, client, tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.token: str | None = None

    def as_(self, who: str) -> Api:
        other = Api(self.client, self.tokens)
        other.token = self.tokens[who]
        return other

    def _headers(self, headers=None) -> dict:
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def open(self, method: str, path: str, *, json=None, headers=None, **kwargs):
        return self.client.open("/api/v1" + path, method=method, json=json,
                                headers=self._headers(headers), **kwargs)

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def patch(self, path, **kw):
        return self.open("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)


@pytest.fixture
def api(client, tokens):
    return Api(client, tokens)


@pytest.fixture
def book(session, users):
    """Accounts: two owned by "sales", one by "rival", one unowned prospect; a contact,
    a product and a task on the rival's account assigned to "sales"."""
    own = Account(name="Own Customer", external_id="C1", region="North",
                  owner_id=users["sales"].id)
    own2 = Account(name="Another Own", external_id="C2", region="South",
                   owner_id=users["sales"].id)
    rival = Account(name="Rival Customer", external_id="C3", region="North",
                    owner_id=users["rival"].id)
    prospect = Account(name="Free Prospect", kind=AccountKind.PROSPECT, region="East")
    session.add_all([own, own2, rival, prospect])
    session.flush()
    contact = Contact(account_id=own.id, name="Olga Buyer", role=ContactRole.PURCHASING,
                      email="olga@own.test")
    rival_contact = Contact(account_id=rival.id, name="Rita Rival", email="rita@rival.test")
    product = Product(sku="P-1", name="Pallet wrap", price=12.5, top_assortment=True)
    shared_task = Task(account_id=rival.id, title="Help the rival", creator_id=users["rival"].id,
                       assignee_id=users["sales"].id)
    rival_task = Task(account_id=rival.id, title="Rival only", creator_id=users["rival"].id)
    session.add_all([contact, rival_contact, product, shared_task, rival_task])
    session.commit()
    return {"own": own, "own2": own2, "rival": rival, "prospect": prospect, "contact": contact,
            "rival_contact": rival_contact, "product": product, "shared_task": shared_task,
            "rival_task": rival_task}


@pytest.fixture
def reachable(session, book):
    """Book's own account with a contact that may receive marketing mail."""
    contact = Contact(account_id=book["own"].id, name="Mia <b>Mail</b>", email="mia@own.test",
                      marketing_consent=True)
    session.add(contact)
    session.commit()
    return contact
