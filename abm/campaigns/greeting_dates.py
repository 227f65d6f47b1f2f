"""The workspace's own dates worth a greeting, kept and edited by managers.

One write path for the web page, the API and the command line: each change is
validated here and written with its audit entry. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.audit import services as audit
from abm.campaigns.models import GreetingDate


class GreetingDateError(ValueError):
    """A date that cannot be kept: the field and the reason."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class DateView:
    """A greeting date as pages and the API show it."""

    id: int
    name: str
    name_ru: str | None
    month: int
    day: int
    since_year: int | None
    account_id: int | None
    account_name: str | None


def list_dates(session: Session) -> list[DateView]:
    """Every workspace date, in calendar order."""
    rows = session.execute(
        select(GreetingDate, Account.name).outerjoin(Account, Account.id == GreetingDate.account_id)
        .order_by(GreetingDate.month, GreetingDate.day, GreetingDate.id))
    return [_view(g, name) for g, name in rows]


def _view(g: GreetingDate, account_name: str | None) -> DateView:
    return DateView(g.id, g.name, g.name_ru, g.month, g.day, g.since_year, g.account_id,
                    account_name)


def _checked(session: Session, values: dict) -> dict:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise GreetingDateError("name", "a name of 1 to 200 characters is needed")
    name_ru = (values.get("name_ru") or "").strip() or None
    if name_ru and len(name_ru) > 200:
        raise GreetingDateError("name_ru", "at most 200 characters")
    month, day = values.get("month"), values.get("day")
    try:
        date(2000, int(str(month)), int(str(day)))  # a leap year: 29 February is a date
    except (TypeError, ValueError):
        raise GreetingDateError("day", f"{day}.{month} is not a day of the year") from None
    since = values.get("since_year")
    if since not in (None, "") and not (
            str(since).isdigit() and 1800 <= int(str(since)) <= date.today().year):
        raise GreetingDateError("since_year", f"{since} is not a past year")
    account_id = values.get("account_id") or None
    if account_id is not None and session.get(Account, int(str(account_id))) is None:
        raise GreetingDateError("account_id", f"there is no account {account_id}")
    return {"name": name, "name_ru": name_ru, "month": int(str(month)), "day": int(str(day)),
            "since_year": int(str(since)) if since not in (None, "") else None,
            "account_id": int(str(account_id)) if account_id is not None else None}


def save_date(session: Session, values: dict, actor: audit.Actor,
              date_id: int | None = None) -> DateView:
    """Create a workspace date, or change date ``date_id``, from ``values``.

    Raises:
        GreetingDateError: a value that cannot be (the field and why).
        LookupError: no date ``date_id``.
    """
    checked = _checked(session, values)
    if date_id is None:
        greeting = GreetingDate(**checked)
        session.add(greeting)
    else:
        found = session.get(GreetingDate, date_id)
        if found is None:
            raise LookupError(f"no greeting date {date_id}")
        greeting = found
        for key, value in checked.items():
            setattr(greeting, key, value)
    session.flush()
    audit.record_by(session, actor, audit.GREETING_DATE, f"greeting_date:{greeting.id}",
                    {"saved": {k: v for k, v in checked.items() if v is not None}})
    account = session.get(Account, greeting.account_id) if greeting.account_id else None
    return _view(greeting, account.name if account else None)


def delete_date(session: Session, date_id: int, actor: audit.Actor) -> None:
    """Remove a workspace date; campaigns that chose it no longer greet on it.

    Raises:
        LookupError: no date ``date_id``.
    """
    greeting = session.get(GreetingDate, date_id)
    if greeting is None:
        raise LookupError(f"no greeting date {date_id}")
    session.delete(greeting)
    audit.record_by(session, actor, audit.GREETING_DATE, f"greeting_date:{date_id}",
                    {"deleted": greeting.name})
    session.flush()
