"""The security tests reuse the API fixtures: a user and a token per role, a small book."""

from tests.api.conftest import (  # noqa: F401
    PASSWORD,
    ROLES,
    api,
    book,
    reachable,
    tokens,
    users,
)
