"""The security tests reuse the API fixtures: a user and a token per role, a small book."""

from tests.api.conftest import PASSWORD, ROLES, api, book, tokens, users  # noqa: F401
