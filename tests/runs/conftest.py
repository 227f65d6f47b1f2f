"""Fixtures of the run tests: real worker processes over a committed database."""

from tests.delivery.conftest import live_app, smtp_server, start_workers  # noqa: F401
