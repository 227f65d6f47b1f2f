from datetime import date

import pytest
from sqlalchemy import func, select

from abm.ml.clustering import SegmentationError
from abm.segments.models import AccountSegment, Segment
from abm.segments.services import (
    account_segment,
    latest_segments,
    run_segmentation,
    segment_account_ids,
)
from tests.segments.conftest import build_population, months


@pytest.fixture
def population(sales):
    return build_population(sales)


def _names(summary):
    return {s.id: s.name for s in summary.segments}


def test_same_data_gives_the_same_segments_ids_and_names(session, population):
    first = run_segmentation(session, k=5)
    second = run_segmentation(session, k=5)
    assert _names(first) == _names(second)
    assert [s.size for s in first.segments] == [s.size for s in second.segments]
    assert session.scalar(select(func.count()).select_from(Segment)) == 5


def test_a_small_change_keeps_segment_ids_and_names(session, sales, population):
    first = run_segmentation(session, k=5)
    for account in population["mid regular"][:2]:
        sales.buy(account, date(2026, 6, 28), 900)
    sales.refresh()
    second = run_segmentation(session, k=5)
    assert _names(second) == _names(first)
    assert second.run_id != first.run_id


def test_a_really_new_group_gets_a_new_segment_id(session, sales, population):
    first = run_segmentation(session, k=5)
    for i in range(30):  # a new kind of account: huge, brand new, buying daily
        account = sales.account(f"newcomer {i}")
        for day in range(1, 29):
            sales.buy(account, date(2026, 6, day), 40_000, top=True)
    sales.refresh()
    second = run_segmentation(session, k=6)
    new_ids = set(_names(second)) - set(_names(first))
    assert len(new_ids) == 1
    newcomers = segment_account_ids(session, new_ids.pop())
    assert len(newcomers) == 30


def test_accounts_of_one_kind_share_a_segment(session, population):
    run_segmentation(session, k=5)
    for accounts in population.values():
        segments = {account_segment(session, a).segment_id for a in accounts}
        assert len(segments) == 1


def test_segment_names_say_who_is_in_them(session, population):
    run_segmentation(session, k=5)

    def name_of(kind):
        return account_segment(session, population[kind][0]).name

    assert name_of("big monthly").startswith("Top revenue, buys every month")
    assert name_of("lapsing").startswith("Lapsing: was regular, silent four months")
    assert name_of("lost").startswith("Lost: silent 14 months")


def test_a_run_stores_settings_metrics_centroids_and_every_account(session, population):
    summary = run_segmentation(session)
    assert summary.k_chosen_by == "silhouette"
    assert set(summary.metrics["silhouette_by_k"]) == {"4", "5", "6", "7", "8"}
    assert summary.metrics["silhouette"] == max(summary.metrics["silhouette_by_k"].values())
    assert sum(summary.metrics["sizes"]) == summary.accounts == 100
    assert session.scalar(select(func.count()).select_from(AccountSegment)) == 100
    for s in summary.segments:
        figures = {f["feature"]: f["value"] for f in s.explanation["figures"]}
        assert figures == pytest.approx(s.centroid, abs=1e-4)
    assert latest_segments(session).run_id == summary.run_id


def test_an_account_without_orders_has_no_segment(session, sales, population):
    silent = sales.account("Never bought")
    run_segmentation(session, k=4)
    assert account_segment(session, silent) is None


def test_no_orders_gives_a_clear_message(session):
    with pytest.raises(SegmentationError, match="no accounts with orders"):
        run_segmentation(session)


def test_a_single_month_of_history_gives_a_clear_message(session, sales):
    for i in range(10):
        sales.buy(sales.account(f"A{i}"), date(2026, 6, 1 + i), 100 * (i + 1))
    sales.refresh()
    with pytest.raises(SegmentationError, match="only 1 month"):
        run_segmentation(session)


def test_fewer_accounts_than_segments_gives_a_clear_message(session, sales):
    for i in range(3):
        account = sales.account(f"A{i}")
        for month in months()[:6]:
            sales.buy(account, month.replace(day=2 + i), 100 * (i + 1))
    sales.refresh()
    with pytest.raises(SegmentationError, match="only 3 accounts with orders"):
        run_segmentation(session, k=5)


def test_identical_accounts_give_a_clear_message(session, sales):
    for i in range(6):
        account = sales.account(f"Twin {i}")
        for month in months()[:6]:
            sales.buy(account, month.replace(day=5), 100)
    sales.refresh()
    with pytest.raises(SegmentationError, match="identical"):
        run_segmentation(session)


def test_segments_without_potential_keep_why_as_a_code_for_the_readers_language(session, sales):
    from abm.segments.services import segment_and_fit_potential

    for i in range(12):  # one purchase day each: no purchase rate to fit
        sales.buy(sales.account(f"Once {i}"), months()[i % 6].replace(day=3), 100 * (i + 1))
    sales.refresh()
    made = segment_and_fit_potential(session, k=3)
    no_repeat = {"code": "no_repeat", "params": {}}
    assert made.reason == {"code": "potential_not_refitted", "params": {"reason": no_repeat}}
    assert made.note == ("potential not refitted: no customer bought on a second day: purchase "
                         "rates cannot be fit")
    assert made.summary.metrics["potential_note"] == {"code": "potential_not_available",
                                                      "params": {"reason": no_repeat}}
    assert made.summary.metrics["potential"].startswith("potential not available: no customer")
