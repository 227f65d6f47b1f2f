"""The KAM's monthly report: their key accounts only, against their own recent months."""

from __future__ import annotations

from datetime import date

from abm.analytics.kam_report import kam_report, kams, kams_to_mail
from tests.analytics.kam_book import kam_book  # noqa: F401 - the fixture
from tests.analytics.shop import TODAY


def _report(session, book):
    return kam_report(session, book["users"]["kira"].id, TODAY)


def test_the_report_holds_only_the_kams_key_and_near_key_accounts(session, kam_book):  # noqa: F811
    report = _report(session, kam_book)
    names = [a.name for a in report.accounts]
    assert "A" in names and "N" in names and "R" not in names
    assert all(a.account_id != kam_book["R"] for a in report.alerts)
    assert [t.title for t in report.tasks] == ["Quarterly review"]


def test_shipments_of_the_month_are_set_against_the_three_months_before(session, kam_book):  # noqa: F811
    report = _report(session, kam_book)
    assert report.month == date(2026, 10, 1)
    assert report.average_months == [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)]
    [a] = [r for r in report.accounts if r.name == "A"]
    assert (a.shipped, a.average, a.change) == (600, 300, 1.0)
    [n] = [r for r in report.accounts if r.name == "N"]
    assert (n.shipped, n.average, n.change) == (900, 0, None)


def test_visits_done_last_month_and_due_this_month(session, kam_book):  # noqa: F811
    [a] = [r for r in _report(session, kam_book).accounts if r.name == "A"]
    assert (a.visits_done, a.visit_due) == (1, True)
    assert a.tasks_due == 1


def test_the_top_n_changes_name_the_kams_accounts_that_entered_or_left(session, kam_book):  # noqa: F811
    report = _report(session, kam_book)
    assert (report.report_month, report.previous_report_month) == (date(2026, 10, 1),
                                                                   date(2026, 9, 1))
    assert sorted((c.change, c.name) for c in report.top_changes) == [("entered", "N"),
                                                                       ("left", "L")]


def test_the_win_back_list_holds_the_kams_accounts_at_risk_or_lost(session, kam_book):  # noqa: F811
    report = _report(session, kam_book)
    assert [(w.name, w.state) for w in report.win_back] == [("L", "lost")]


def test_new_alerts_are_those_raised_since_the_month_began(session, kam_book):  # noqa: F811
    report = _report(session, kam_book)
    assert report.alerts and all(a.new for a in report.alerts)
    later = kam_report(session, kam_book["users"]["kira"].id, date(2027, 2, 1))
    assert later.alerts and not any(a.new for a in later.alerts)


def test_whose_report_there_is(session, kam_book):  # noqa: F811
    people = kam_book["users"]
    assert [i for i, _ in kams(session)] == sorted([people["kira"].id, people["rex"].id],
                                                   key=lambda i: session.get(
                                                       type(people["kira"]), i).name)
    assert set(kams_to_mail(session)) == {people["kira"].id, people["rex"].id}
    assert kam_report(session, 10**6, TODAY) is None
