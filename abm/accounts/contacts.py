"""The people of an account's decision-making unit: the one way a contact is written.

The pages and the API save a contact here, so that a contact reads the same whichever
way it came in: an address checked and stored in one spelling, an empty field NULL.
The importer, which writes thousands of rows at once, applies the same address rule
to each row (:mod:`abm.imports.records`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.emails import normalise_email
from abm.accounts.models import Account, Contact
from abm.accounts.services import assign_fields
from abm.accounts.settings import ContactSettings
from abm.workspace.services import settings_of

CONTACT_FIELDS = ("external_id", "name", "role", "position", "email", "phone", "birthday",
                  "language", "marketing_consent", "consent_source", "consent_on", "gender")


class GenderNotKept(ValueError):
    """A gender given where the workspace does not keep contacts' gender (ContactSettings)."""

    def __init__(self) -> None:
        super().__init__("the workspace does not keep contacts' gender; turn on "
                         "contacts.greetings_by_gender first")


def account_contacts(session: Session, account_id: int) -> list[Contact]:
    """The account's people, decision makers first (by DMU role, then name)."""
    stmt = select(Contact).where(Contact.account_id == account_id).order_by(Contact.role,
                                                                            Contact.name)
    return list(session.scalars(stmt))


def get_contact(session: Session, account_id: int, contact_id: int) -> Contact | None:
    """The contact if it belongs to the account."""
    contact = session.get(Contact, contact_id)
    return contact if contact is not None and contact.account_id == account_id else None


def save_contact(session: Session, account: Account, values: Mapping[str, Any],
                 contact: Contact | None = None) -> Contact:
    """Create a contact on the account, or update ``contact``, from ``values``.

    Only the fields of :data:`CONTACT_FIELDS` present in ``values`` are set, an empty
    string as NULL (:func:`~abm.accounts.services.assign_fields`); an email is validated
    and stored normalised (:func:`~abm.accounts.emails.normalise_email`). The caller
    commits.

    Raises:
        InvalidEmail: the email is not a valid address.
        GenderNotKept: a gender, where the workspace does not keep it.
    """
    if values.get("gender") and not settings_of(session, ContactSettings).greetings_by_gender:
        raise GenderNotKept()
    if values.get("email"):
        values = {**values, "email": normalise_email(values["email"])}
    if contact is None:
        contact = Contact(account_id=account.id)
        session.add(contact)
    assign_fields(contact, values, CONTACT_FIELDS)
    session.flush()
    return contact
