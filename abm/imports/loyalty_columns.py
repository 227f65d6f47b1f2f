"""The loyalty columns of an accounts file: programme, status and tier of each account.

They are no columns of ``accounts``: each row's values are checked against the
programmes before the batch is written (a row naming an unknown programme or
tier is refused whole, with its line), then recorded through the loyalty
services, which audit each change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.accounts.models import Account
from abm.audit.services import Actor
from abm.imports.results import ImportResult, RowProblem
from abm.loyalty.services import default_programme_id, programmes, update_membership

FIELDS = ("loyalty_programme", "loyalty_status", "loyalty_tier")
IMPORT = Actor(via="import")
_STATUS_WORDS = {
    "member": "member", "yes": "member", "true": "member", "1": "member", "да": "member",
    "участник": "member", "accepted": "member",
    "invited": "invited", "приглашён": "invited", "приглашен": "invited",
    "left": "left", "вышел": "left", "no": "left", "нет": "left", "false": "left", "0": "left",
}


@dataclass(frozen=True)
class LoyaltyCells:
    programme: str | None
    status: str | None
    tier: str | None


def take_cells(record: dict) -> None:
    """Move the row's loyalty values out of the account's columns (to ``_loyalty``)."""
    values = [record.pop(name, None) for name in FIELDS]
    if values[1] is not None:
        status = _STATUS_WORDS.get(values[1].casefold())
        if status is None:
            raise RowProblem("loyalty_status", values[1], "not member, invited or left")
        values[1] = status
    if values[1] is not None or values[2] is not None:
        record["_loyalty"] = LoyaltyCells(*values)


Wanted = list[tuple[str, int, LoyaltyCells]]  # (external id, programme id, cells)


def checked(session: Session, batch: list[tuple[int, dict]],
            result: ImportResult) -> tuple[list[tuple[int, dict]], Wanted]:
    """The rows whose programme and tier exist, and the memberships they ask for
    (external id, programme id, cells); the others are reported and left out."""
    if not any("_loyalty" in record for _, record in batch):
        return batch, []
    known = {p.name: p for p in programmes(session)}
    default = default_programme_id(session)
    kept, wanted = [], []
    for line, record in batch:
        cells = record.pop("_loyalty", None)
        if cells is not None:
            programme = known.get(cells.programme) if cells.programme else next(
                (p for p in known.values() if p.id == default), None)
            if programme is None:
                result.add_error(line, "loyalty_programme", cells.programme or "",
                                 "unknown loyalty programme" if cells.programme else
                                 "name the loyalty programme: there is not exactly one")
                continue
            if cells.tier is not None and cells.tier not in {t.name for t in programme.tiers}:
                result.add_problem(line, "loyalty_tier", RowProblem.coded(
                    "loyalty_tier", cells.tier, "tier", programme=programme.name))
                continue
            wanted.append((record["external_id"], programme.id, cells))
        kept.append((line, record))
    return kept, wanted


def record_memberships(session: Session, wanted: Wanted) -> None:
    """Record the memberships of written rows (a tier without a status means a member)."""
    if not wanted:
        return
    ids = dict(session.execute(select(Account.external_id, Account.id).where(
        Account.external_id.in_([code for code, _, _ in wanted]))).all())
    for code, programme_id, cells in wanted:
        update_membership(session, IMPORT, ids[code], programme_id,
                          status=cells.status or "member", tier=cells.tier)
