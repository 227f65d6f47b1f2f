"""Background jobs: segmentation and potential on the ``analytics`` queue, with progress."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from abm.db import get_session
from abm.runs.services import enqueue_tracked, tracked
from abm.segments.potential import fit_potential
from abm.segments.services import segment_and_fit_potential
from abm.segments.settings import PotentialSettings
from abm.workspace.services import settings_of


@tracked
def segment_accounts(k: int | None = None, refit_potential: bool = True, *, progress) -> dict:
    """Fit potential (unless told not to), segment every account, commit.

    Also the monthly periodic job (see ``workers/cron.py``).
    """
    session = get_session()
    made = segment_and_fit_potential(session, k=k, refit_potential=refit_potential,
                                     progress=progress)
    session.commit()
    summary = made.summary
    return {"run_id": summary.run_id, "k": summary.k, "accounts": summary.accounts,
            "note": made.note, "note_reason": made.reason,
            "segments": [{"id": s.id, "name": s.name, "size": s.size} for s in summary.segments]}


@tracked
def fit_account_potential(
    calibration_end: str | None = None, unit: str | None = None, *, progress
) -> dict:
    """Fit and store the potential model; returns its parameters (no per-account rows)."""
    session = get_session()
    potential = settings_of(session, PotentialSettings)
    result = fit_potential(
        session,
        calibration_end=date.fromisoformat(calibration_end) if calibration_end else None,
        progress=progress, **(potential.fit_options() | ({"unit": unit} if unit else {})),
    )
    session.commit()
    return asdict(result)


def start_segmentation(k: int | None = None, user_id: int | None = None) -> str:
    """Enqueue a segmentation run on the ``analytics`` queue; returns the job (run) id."""
    return enqueue_tracked(segment_accounts, k=k, queue="analytics", kind="segmentation",
                           user_id=user_id)


def start_potential_fit(user_id: int | None = None) -> str:
    """Enqueue a potential fit on the ``analytics`` queue; returns the job (run) id."""
    return enqueue_tracked(fit_account_potential, queue="analytics", kind="potential",
                           user_id=user_id)
