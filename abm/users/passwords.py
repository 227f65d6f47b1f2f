"""Password hashing: scrypt by default; the method is a setting (``ABM_PASSWORD_HASH``).

Only a test suite has a reason to lower the cost (thousands of users made in a
run); a deployment keeps the default. The method is recorded in every hash,
so a hash made with one method is still checked after the setting changes.
"""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"
_method = DEFAULT_METHOD


def configure(method: str | None) -> None:
    """Hash new passwords with ``method`` (any of werkzeug's, e.g. ``pbkdf2:sha256:1000``)."""
    global _method
    method = method or DEFAULT_METHOD
    generate_password_hash("check", method=method)  # an unknown method fails here, at start-up
    _method = method


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def password_matches(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
