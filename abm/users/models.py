from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from abm.db import Base, utcnow
from abm.enums import StrEnum, enum_column


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    MARKETING = "marketing"
    SALES = "sales"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # What Flask-Login asks of a user object (its UserMixin, written out), so that the
    # model, which services and jobs import, loads no web extension.
    __hash__ = object.__hash__
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def __eq__(self, other: object) -> bool:
        """The same user, even as two objects of two sessions."""
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
