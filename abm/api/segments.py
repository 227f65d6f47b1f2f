"""Segments: the latest segmentation with each segment's profile, its members, new runs;
and the potential (BG/NBD, Gamma-Gamma, lookalike) of one account."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from abm.api import lists
from abm.api.accounts import visible_account
from abm.api.core import ApiError, current_user, operation
from abm.api.runs import RunStarted, run_started
from abm.api.schemas import Bounds, Input, Output, Page, PageQuery
from abm.db import get_session

# The segments modules are imported inside the handlers, as the web pages do: they load
# NumPy, SciPy and scikit-learn, which every process would otherwise carry (about 135 MB).

SEGMENT_ROLES = {"manager", "marketing"}


class SegmentProfile(Output):
    id: int = Field(description="Stable across runs while the segment stays where it was.")
    label: int
    name: str
    size: int
    share: float
    centroid: dict[str, float] = Field(description="Each feature's value at the centre.")
    explanation: dict = Field(description="The parts of the name and the figures behind them.")


class Segmentation(Output):
    run_id: int
    created_at: str
    as_of: str
    k: int
    k_chosen_by: str
    accounts: int
    settings: dict
    metrics: dict
    potential_fit_id: int | None
    segments: list[SegmentProfile]


class SegmentMember(Output):
    id: int
    external_id: str | None
    name: str
    distance: float = Field(description="Distance to the segment's centre (scaled units).")


class SegmentationRequest(Input):
    k: Annotated[int, Bounds(2, 20)] | None = Field(
        None, description="Segments wanted; null: chosen by silhouette.")


class PotentialOut(Output):
    """The latest potential figures: customers from BG/NBD and Gamma-Gamma, prospects
    from their likeness to key accounts and the three "P"s."""

    fit_id: int
    calibration_end: date
    unit: str
    horizon_months: int
    kind: str
    frequency: float | None
    recency: float | None
    age: float | None
    mean_spend: float | None
    expected_purchases: float | None
    p_alive: float | None
    expected_spend: float | None
    clv: float | None = Field(description="Customer lifetime value: expected revenue over "
                              "clv_months, discounted at discount_rate a year.")
    purchases_90d: float | None = Field(description="Expected purchases in the next 90 days.")
    clv_months: int
    discount_rate: float
    lookalike: float | None
    qualified_ps: int | None
    score: float | None


@operation("GET", "/segments", summary="The latest segmentation and its segments",
           tag="segments", roles=SEGMENT_ROLES, response=Segmentation, errors=(404,))
def latest() -> Segmentation:
    from abm.segments.reads import latest_segments

    found = latest_segments(get_session())
    if found is None:
        raise ApiError(404, "no segmentation yet: start one with POST /segments/runs")
    return Segmentation.model_validate(found)


@operation("GET", "/segments/<int:segment_id>/accounts", summary="Accounts of a segment",
           tag="segments", roles=SEGMENT_ROLES, query=PageQuery, response=Page[SegmentMember])
def members(segment_id: int, query: PageQuery) -> Page[SegmentMember]:
    """Members at the latest segmentation, by account id."""
    from abm.segments.reads import latest_segments

    session = get_session()
    found = latest_segments(session)
    if found is None or segment_id not in {s.id for s in found.segments}:
        raise ApiError(404, "no such segment in the latest segmentation")
    rows = lists.segment_members(session, found.run_id, segment_id, after=query.after,
                                 limit=query.limit)
    return Page[SegmentMember](
        items=[SegmentMember.model_validate(r) for r in rows.items],
        next_cursor=None if rows.next_after is None else str(rows.next_after))


@operation("POST", "/segments/runs", summary="Segment the accounts again (in the background)",
           tag="segments", roles=SEGMENT_ROLES, body=SegmentationRequest, response=RunStarted,
           status=202)
def start(body: SegmentationRequest) -> RunStarted:
    """Potential is refitted first; follow the run for the new segments."""
    from abm.segments.jobs import start_segmentation

    return run_started(start_segmentation(k=body.k, user_id=current_user().id))


@operation("POST", "/potential/fits", summary="Fit the potential model (in the background)",
           tag="segments", roles=SEGMENT_ROLES, response=RunStarted, status=202)
def fit() -> RunStarted:
    from abm.segments.jobs import start_potential_fit

    return run_started(start_potential_fit(user_id=current_user().id))


@operation("GET", "/accounts/<int:account_id>/potential", summary="An account's potential",
           tag="segments", response=PotentialOut)
def potential(account_id: int) -> PotentialOut:
    """404 when the account is not visible or was not scored by the latest fit."""
    from abm.segments.reads import account_potential

    account = visible_account(account_id)
    figures = account_potential(get_session(), account.id)
    if figures is None:
        raise ApiError(404, "this account has no potential figures: fit the model first")
    return PotentialOut.model_validate(figures)
