"""Recommended products: the top assortment an account does not buy yet, ranked by its peers."""

from datetime import date

import pytest
from sqlalchemy import event

from abm.campaigns.context import account_contexts
from abm.segments.models import AccountSegment, Segment, SegmentationRun

TODAY = date(2026, 11, 23)
MAY = date(2026, 5, 1)
TOP = ("T1", "T2", "T3")


@pytest.fixture
def market(make_accounts, sales):
    """Segment-to-be A: a2, a3 buy T1. Segment-to-be B: b1..b4 buy T2. Nobody buys T3.

    a1 and b0 buy only a product outside the top assortment; over every
    account T2 (four buyers) comes before T1 (two).
    """
    a = make_accounts(3, contacts=0)
    b = make_accounts(5, contacts=0)
    for account in a + b:
        sales(account, {"N": 10.0}, MAY, top=TOP)
    for account in a[1:]:
        sales(account, {"T1": 100.0}, MAY, top=TOP)
    for account in b[1:]:
        sales(account, {"T2": 50.0}, MAY, top=TOP)
    products = sales(a[0], {"T3": 0.0}, date(2024, 1, 1), top=TOP)  # long ago: not bought now
    return a, b, products


def _segmentation(session, groups: list[list]) -> SegmentationRun:
    run = SegmentationRun(as_of=MAY, k=len(groups), k_chosen_by="fixed",
                          n_accounts=sum(map(len, groups)), settings={}, metrics={},
                          feature_names=[])
    session.add(run)
    session.flush()
    for n, accounts in enumerate(groups):
        segment = Segment(name=f"Segment {n}", first_run_id=run.id, last_run_id=run.id)
        session.add(segment)
        session.flush()
        session.add_all([AccountSegment(run_id=run.id, account_id=account.id,
                                        segment_id=segment.id, distance=0.0)
                         for account in accounts])
    session.flush()
    return run


def _recommended(session, account) -> list[str]:
    context = account_contexts(session, [account.id], TODAY)[account.id]
    return [p["sku"] for p in context["recommended_products"]]


def test_without_a_segmentation_every_account_ranks_the_top_assortment(session, market):
    a, b, _ = market
    assert _recommended(session, a[0]) == ["T2", "T1", "T3"]
    assert _recommended(session, b[0]) == ["T2", "T1", "T3"]


def test_products_the_account_buys_are_not_recommended(session, market):
    a, b, _ = market
    assert _recommended(session, a[1]) == ["T2", "T3"]
    assert _recommended(session, b[1]) == ["T1", "T3"]


def test_peers_of_the_same_segment_rank_the_recommendations(session, market):
    a, b, _ = market
    _segmentation(session, [a, b])
    assert _recommended(session, a[0]) == ["T1", "T2", "T3"]
    assert _recommended(session, b[0]) == ["T2", "T1", "T3"]


def test_only_the_latest_segmentation_counts(session, market):
    a, b, _ = market
    _segmentation(session, [a, b])
    _segmentation(session, [[a[0], *b], a[1:]])  # a1 now sits with the T2 buyers
    assert _recommended(session, a[0]) == ["T2", "T1", "T3"]


def test_an_account_outside_the_segmentation_ranks_over_every_account(session, market,
                                                                       make_accounts):
    a, b, _ = market
    _segmentation(session, [a, b])
    newcomer = make_accounts(1, contacts=0)[0]
    assert _recommended(session, newcomer) == ["T2", "T1", "T3"]


def _statements(session, account_ids) -> int:
    """How many SQL statements building the contexts of ``account_ids`` takes."""
    statements = []
    bind = session.connection()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(bind, "before_cursor_execute", listener)
    try:
        account_contexts(session, account_ids, TODAY)
    finally:
        event.remove(bind, "before_cursor_execute", listener)
    return len(statements)


def test_a_whole_campaign_takes_as_many_queries_as_one_account(session, market):
    a, b, _ = market
    _segmentation(session, [a, b])
    everyone = [x.id for x in a + b]
    assert _statements(session, everyone) == _statements(session, [a[0].id])
    contexts = account_contexts(session, everyone, TODAY)
    assert [p["sku"] for p in contexts[a[0].id]["recommended_products"]] == ["T1", "T2", "T3"]
    assert contexts[b[0].id]["recommended_products"][0] == {
        "id": market[2]["T2"].id, "sku": "T2", "name": "Product T2", "price": None}
