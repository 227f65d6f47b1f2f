"""The security tests reuse the API fixtures: a token per role of ``users``, the API client."""

from tests.api.conftest import (  # noqa: F401
    PASSWORD,
    ROLES,
    api,
    reachable,
    tokens,
)
