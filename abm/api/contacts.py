"""Contacts: the people of an account's decision-making unit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from abm.accounts.contacts import GenderNotKept, save_contact
from abm.accounts.emails import InvalidEmail, normalise_email
from abm.accounts.models import Account, Contact, ContactRole, Gender
from abm.accounts.services import can_edit_account
from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_viewer, operation
from abm.api.schemas import Day, Flag, Id, Input, Output, Page, PageQuery, Text
from abm.db import get_session

# Spelled out, not \s: the document's readers (ECMA-262) and the validator
# (Rust regex) disagree on which Unicode characters \s matches.
_LOCAL = r"[^@ \t\n\r\f\v\x00]+"


def _normalised_email(value: str) -> str:
    try:
        return normalise_email(value)
    except InvalidEmail as exc:
        raise ValueError(f"not a valid email address: {exc}") from None


# The pattern tells the document's readers the shape; the validator is the contacts' own.
Email = Annotated[str, Field(max_length=254, pattern=rf"^{_LOCAL}@{_LOCAL}$"),
                  AfterValidator(_normalised_email)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$")]


class ContactOut(Output):
    id: int
    account_id: int
    external_id: str | None
    name: str
    email: str | None
    phone: str | None
    role: ContactRole
    position: str | None
    birthday: date | None
    language: str
    marketing_consent: bool
    consent_source: str | None = Field(description="Where the consent was given.")
    consent_on: date | None = Field(description="When the consent was given.")
    gender: Gender | None = Field(description="Kept only where the workspace targets "
                                              "greetings on gender.")
    unsubscribed_at: datetime | None
    bounced_at: datetime | None
    reachable: bool = Field(description="May receive marketing mail.")


class ContactQuery(PageQuery):
    account_id: Id | None = None
    q: Annotated[str, Text(100)] = Field("", description="In the name or email (any case).")
    role: ContactRole | None = None


class ContactFields(Input):
    external_id: Annotated[str, Text(100, min_length=1)] | None = None
    email: Email | None = None
    phone: Annotated[str, Text(50)] | None = None
    role: ContactRole = ContactRole.OTHER
    position: Annotated[str, Text(200)] | None = None
    birthday: Day | None = None
    language: Language = "en"
    marketing_consent: Flag = False
    consent_source: Annotated[str, Text(200)] | None = None
    consent_on: Day | None = None
    gender: Gender | None = Field(None, description="Refused (422) unless the workspace keeps "
                                                    "contacts' gender.")


class ContactCreate(ContactFields):
    account_id: Id
    name: Annotated[str, Text(200, min_length=1)]


class ContactUpdate(ContactFields):
    name: Annotated[str, Text(200, min_length=1)] = None  # type: ignore[assignment]


@operation("GET", "/contacts", summary="List contacts", tag="contacts", query=ContactQuery,
           response=Page[ContactOut])
def list_(query: ContactQuery) -> Page[ContactOut]:
    rows = lists.contacts(get_session(), current_viewer(), account_id=query.account_id,
                          q=query.q, role=query.role, after=query.after, limit=query.limit)
    return Page[ContactOut](items=[ContactOut.model_validate(c) for c in rows.items],
                            next_cursor=None if rows.next_after is None else str(rows.next_after))


def _contact(contact_id: int) -> Contact:
    contact = lists.get_contact(get_session(), current_viewer(), contact_id)
    if contact is None:
        raise ApiError(404, "no such contact")
    return contact


@operation("GET", "/contacts/<int:contact_id>", summary="Read a contact", tag="contacts",
           response=ContactOut)
def get(contact_id: int) -> ContactOut:
    return ContactOut.model_validate(_contact(contact_id))


def _editable(account_id: int) -> Account:
    account = visible_account(account_id)
    if not can_edit_account(account, current_viewer()):
        raise ApiError(403, "you may not edit this account's contacts")
    return account


@operation("POST", "/contacts", summary="Add a contact to an account", tag="contacts",
           roles={"manager", "sales"}, body=ContactCreate, response=ContactOut, status=201,
           errors=(404, 409))
def create(body: ContactCreate) -> ContactOut:
    contact = _saved(lambda: save_contact(get_session(), _editable(body.account_id),
                                          body.model_dump(exclude={"account_id"})))
    return ContactOut.model_validate(contact)


def _saved(action):
    try:
        return action()
    except GenderNotKept as exc:
        raise ApiError(422, str(exc)) from None


@operation("PATCH", "/contacts/<int:contact_id>", summary="Update a contact", tag="contacts",
           roles={"manager", "sales"}, body=ContactUpdate, response=ContactOut, errors=(409,))
def update(contact_id: int, body: ContactUpdate) -> ContactOut:
    contact = _contact(contact_id)
    _saved(lambda: save_contact(get_session(), _editable(contact.account_id),
                                body.model_dump(include=body.model_fields_set), contact))
    return ContactOut.model_validate(contact)
