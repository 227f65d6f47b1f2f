from datetime import date

from sqlalchemy import func, select

from abm.analytics.models import KeyAccountReport
from abm.analytics.topn import (
    build_key_account_report,
    diff_reports,
    key_account_report,
    top_accounts_by_avg_monthly_shipments,
)
from tests.analytics.shop import TODAY

AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)


def _top(session, **kw):
    kw.setdefault("month", OCT)
    kw.setdefault("top_n", 20)
    return top_accounts_by_avg_monthly_shipments(session, **kw)


def test_a_month_without_shipments_counts_as_zero(session, shop):
    once, steady = shop.account("Once"), shop.account("Steady")
    shop.monthly(once, {SEP: 330})
    shop.monthly(steady, {AUG: 120, SEP: 120, OCT: 120})
    shop.refresh()
    rows = _top(session)
    assert [(r.account_id, r.average) for r in rows] == [(steady, 120), (once, 110)]
    assert rows[1].monthly == [0.0, 330.0, 0.0]


def test_only_the_last_three_full_months_count(session, shop):
    a = shop.account("A")
    shop.monthly(a, {date(2026, 7, 1): 900, AUG: 30, OCT: 30, date(2026, 11, 1): 900})
    shop.refresh()
    assert _top(session)[0].average == 20


def test_returns_lower_the_average(session, shop):
    a = shop.account("A")
    shop.line(a, date(2026, 9, 3), 90)
    shop.line(a, date(2026, 9, 20), -30)
    shop.refresh()
    assert _top(session)[0].average == 20


def test_accounts_without_positive_shipments_are_left_out(session, shop):
    shop.line(shop.account("Returns"), date(2026, 9, 3), -30)
    shop.refresh()
    assert _top(session) == []


def test_equal_averages_are_ranked_by_account_id(session, shop):
    first, second = shop.account("First"), shop.account("Second")
    shop.monthly(second, {SEP: 60})
    shop.monthly(first, {OCT: 60})
    shop.refresh()
    assert [r.account_id for r in _top(session)] == [first, second]


def test_only_the_top_n_are_listed(session, shop):
    for i in range(5):
        shop.monthly(shop.account(f"A{i}"), {OCT: 10 * (i + 1)})
    shop.refresh()
    rows = _top(session, top_n=3)
    assert [r.rank for r in rows] == [1, 2, 3]
    assert [r.average for r in rows] == [16.67, 13.33, 10.0]


def test_the_report_of_a_month_is_stored_once(session, shop):
    shop.monthly(shop.account("A"), {OCT: 30})
    shop.refresh()
    first = build_key_account_report(session, today=TODAY)
    again = build_key_account_report(session, today=TODAY)
    assert first.id == again.id
    assert first.month == OCT
    assert session.scalar(select(func.count()).select_from(KeyAccountReport)) == 1


def test_changes_list_entered_left_and_moves_with_their_size():
    previous = {1: 1, 2: 2, 3: 3, 4: 4}  # rank by account id
    current = {3: 1, 1: 2, 5: 3, 4: 4}
    changes = diff_reports(previous, current)
    assert [(c.account_id, c.rank) for c in changes["entered"]] == [(5, 3)]
    assert [(c.account_id, c.previous_rank) for c in changes["left"]] == [(2, 2)]
    assert [(c.account_id, c.change) for c in changes["moved_up"]] == [(3, 2)]
    assert [(c.account_id, c.change) for c in changes["moved_down"]] == [(1, -1)]
    assert [c.account_id for c in changes["unchanged"]] == [4]


def test_the_report_compares_with_the_previous_months_stored_report(session, shop):
    a, b, c = shop.account("A"), shop.account("B"), shop.account("C")
    shop.monthly(a, {date(2026, 7, 1): 300, AUG: 300, SEP: 300})
    shop.monthly(b, {AUG: 250, SEP: 250, OCT: 250})
    shop.refresh()
    build_key_account_report(session, month=SEP, top_n=2)  # A 300, B 166.67
    # A late correction of July: recomputing September now would put C first.
    shop.monthly(c, {date(2026, 7, 1): 3000})
    shop.refresh()
    result = key_account_report(session, today=TODAY, top_n=2)  # B 250, A 200
    assert result.previous_stored is True
    assert [(r.account_id, r.status, r.change) for r in result.rows] == [
        (b, "up", 1), (a, "down", -1)]
    assert result.changes["entered"] == []


def test_a_new_account_entering_the_top_is_reported(session, shop):
    a, b, c = shop.account("A"), shop.account("B"), shop.account("C")
    shop.monthly(a, {AUG: 300, SEP: 300, OCT: 300})
    shop.monthly(b, {date(2026, 7, 1): 150, AUG: 150, SEP: 150})
    shop.monthly(c, {OCT: 600})
    shop.refresh()
    result = key_account_report(session, today=TODAY, top_n=2)
    assert result.previous_stored is False
    assert [(r.account_id, r.status, r.change) for r in result.rows] == [
        (a, "same", 0), (c, "entered", None)]
    assert [(x.account_id, x.previous_rank) for x in result.changes["left"]] == [
        (b, 2)]
    assert result.months == ["2026-08", "2026-09", "2026-10"]
