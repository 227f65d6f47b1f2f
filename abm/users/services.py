"""Users: creation, changes (each audited here) and password checks."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.audit.services import NOBODY, Actor
from abm.users.models import Role, User
from abm.users.passwords import hash_password, password_matches


def create_user(
    session: Session, *, email: str, name: str, role: Role | str, password: str,
    by: Actor = NOBODY,
) -> User:
    """Add a user with a hashed password (see :mod:`abm.users.passwords`), audited as done
    ``by`` someone. The caller commits."""
    user = User(
        email=email.strip().lower(),
        name=name,
        role=Role(role),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record_by(session, by, audit.USER_CREATED, f"user:{user.id}", {"role": user.role.value})
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not password_matches(user.password_hash, password):
        return None
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_users(session: Session, *, active_only: bool = False) -> list[User]:
    """Every user by name (only the active ones when ``active_only``)."""
    stmt = select(User).order_by(User.name, User.id)
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    return list(session.scalars(stmt))


def update_user(
    session: Session,
    user: User,
    *,
    role: Role | str | None = None,
    active: bool | None = None,
    name: str | None = None,
    password: str | None = None,
    by: Actor = NOBODY,
) -> None:
    """Change a user's role, state, name or password (only what is given). The caller commits.

    A change of role or state is audited as done ``by`` someone (a role change under
    its own action, which the audit page filters on).
    """
    before = {"role": user.role.value, "active": user.active}
    if role is not None:
        user.role = Role(role)
    if active is not None:
        user.active = active
    if name:
        user.name = name
    if password:
        user.password_hash = hash_password(password)
    session.flush()
    after = {"role": user.role.value, "active": user.active}
    if after != before:
        action = audit.ROLE_CHANGED if after["role"] != before["role"] else audit.USER_UPDATED
        audit.record_by(session, by, action, f"user:{user.id}", {"from": before, "to": after})


def set_language(session: Session, user: User, language: str) -> None:
    user.language = language
    session.flush()
