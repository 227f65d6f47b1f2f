"""Accounts (customers and prospects), their people, dossier and the team's work on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from abm.accounts.folding import fold
from abm.db import Base, utcnow
from abm.enums import StrEnum, enum_column


class AccountKind(StrEnum):
    CUSTOMER = "customer"
    PROSPECT = "prospect"


class Category(StrEnum):
    """The qualitative categories of DOMAIN.md; an account can have several."""

    BREADWINNER = "breadwinner"
    PROSPECTIVE = "prospective"
    IMAGE = "image"
    DEMANDING = "demanding"
    INNOVATOR = "innovator"
    LOYAL = "loyal"


class ContactRole(StrEnum):
    """Roles in the account's decision-making unit."""

    OWNER = "owner"
    PURCHASING = "purchasing"
    WAREHOUSE = "warehouse"
    LOGISTICS = "logistics"
    ACCOUNTING = "accounting"
    TECHNICAL = "technical"
    OTHER = "other"


class Gender(StrEnum):
    """A contact's gender, kept only where the workspace targets greetings on it."""

    FEMALE = "female"
    MALE = "male"


class InteractionKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    VISIT = "visit"
    EMAIL = "email"
    COMPLAINT = "complaint"
    REFUSAL = "refusal"  # the account turned an offer or a delivery down: a churn signal
    NOTE = "note"


# The kinds that count as a personal visit (DOMAIN.md: at least one a month).
PERSONAL_VISIT_KINDS = (InteractionKind.VISIT, InteractionKind.MEETING)


class TaskStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class TenderOutcome(StrEnum):
    PENDING = "pending"
    WON = "won"
    LOST = "lost"


def _folded_name(context) -> str | None:
    """The default of ``name_folded`` in a Core or bulk INSERT that names only ``name``."""
    name = context.get_current_parameters()["name"]
    return None if name is None else fold(name)  # no name: the NOT NULL on it says so


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_non_negative"),
        Index("ix_accounts_kind_name", "kind", "name"),
        # The folded name rides along so that a search in name order reads this index alone.
        Index("ix_accounts_name", "name", "name_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(
        enum_column(AccountKind, "account_kind"), default=AccountKind.CUSTOMER
    )
    name: Mapped[str] = mapped_column(String(300))
    # What the search compares (see abm.accounts.folding); kept in step with ``name``.
    name_folded: Mapped[str] = mapped_column(Text, default=_folded_name)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(300))

    # Dossier
    description: Mapped[str | None] = mapped_column(Text)
    history: Mapped[str | None] = mapped_column(Text)
    structure: Mapped[str | None] = mapped_column(Text)
    competitors: Mapped[str | None] = mapped_column(Text)
    # For a prospect: the competitor that supplies it now ("worked by a competitor").
    current_supplier: Mapped[str | None] = mapped_column(String(300))
    # The prospect is one of that competitor's key clients, and how we plan to win it.
    competitor_key_client: Mapped[bool] = mapped_column(default=False)
    win_plan: Mapped[str | None] = mapped_column(Text)

    # The three "P" qualification of a prospect: need, ability to pay, authority.
    has_need: Mapped[bool | None]
    can_pay: Mapped[bool | None]
    has_authority: Mapped[bool | None]

    terms_reviewed_on: Mapped[date | None] = mapped_column(Date)

    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner = relationship("User", lazy="joined")
    categories: Mapped[list[AccountCategory]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )
    tenders: Mapped[list[Tender]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Tender.held_on.desc()"
    )

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.name_folded = fold(name) if name is not None else None
        return name

    @property
    def qualified(self) -> bool:
        """A prospect is qualified when need, ability to pay and authority all hold."""
        return bool(self.has_need and self.can_pay and self.has_authority)

    @property
    def category_names(self) -> list[str]:
        return sorted(c.category.value for c in self.categories)

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.name!r}>"


class AccountCategory(Base):
    __tablename__ = "account_categories"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[Category] = mapped_column(
        enum_column(Category, "account_category"), primary_key=True
    )
    account: Mapped[Account] = relationship(back_populates="categories")


class Tender(Base):
    """A tender the account held: won or lost, and why."""

    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[TenderOutcome] = mapped_column(
        enum_column(TenderOutcome, "tender_outcome"), default=TenderOutcome.PENDING
    )
    reason: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[float | None]
    account: Mapped[Account] = relationship(back_populates="tenders")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_birthday", "birthday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    role: Mapped[ContactRole] = mapped_column(
        enum_column(ContactRole, "contact_role"), default=ContactRole.OTHER
    )
    position: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8), default="en")
    marketing_consent: Mapped[bool] = mapped_column(default=False)
    # Where and when the consent was given (a form, a signed contract, an event...).
    consent_source: Mapped[str | None] = mapped_column(String(200))
    consent_on: Mapped[date | None] = mapped_column(Date)
    # Only where the workspace targets greetings on gender (GreetingSettings).
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "contact_gender"))
    unsubscribed_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(back_populates="contacts")

    @property
    def reachable(self) -> bool:
        """May receive marketing mail: consented, not unsubscribed, not bounced, has an address."""
        return bool(
            self.email
            and self.marketing_consent
            and not self.unsubscribed_at
            and not self.bounced_at
        )


class Interaction(Base):
    """A call, meeting, visit, email, complaint, refusal or note on an account."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_account_when", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind, "interaction_kind"))
    occurred_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")

    account: Mapped[Account] = relationship()
    contact: Mapped[Contact | None] = relationship()
    user = relationship("User")


class Task(Base):
    """Work on an account shared by sales and marketing."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_status", "assignee_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(
        enum_column(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    creator = relationship("User", foreign_keys=[creator_id])
    comments: Mapped[list[TaskComment]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskComment.created_at"
    )


class TaskComment(Base):
    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="comments")
    author = relationship("User")
