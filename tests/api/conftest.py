"""Fixtures of the API tests: a token for each of the ``users`` of tests/conftest.py, a client
that sends it, a contact who accepts marketing mail on the ``book``."""

from __future__ import annotations

import pytest

from abm.accounts.models import Contact
from abm.users.tokens import issue_token
from tests import factories

PASSWORD = factories.PASSWORD  # the password of the ``users`` of tests/conftest.py
ROLES = factories.ROLES


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
def reachable(session, book):
    """Book's own account with a contact that may receive marketing mail."""
    contact = Contact(account_id=book["own"].id, name="Mia <b>Mail</b>", email="mia@own.test",
                      marketing_consent=True)
    session.add(contact)
    session.commit()
    return contact
