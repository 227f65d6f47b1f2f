"""Users: creation and password checks."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from abm.users.models import Role, User


def create_user(session: Session, *, email: str, name: str, role: Role | str, password: str) -> User:
    """Add a user with a hashed password (scrypt). The caller commits."""
    user = User(
        email=email.strip().lower(),
        name=name,
        role=Role(role),
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
