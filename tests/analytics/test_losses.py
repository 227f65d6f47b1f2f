"""Why accounts leave: marks with a reason from the workspace's list, and the lost revenue."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from abm.analytics.losses import LossError, account_marks, lost_revenue_report, mark_account
from abm.audit.models import AuditEvent
from abm.cli import cli
from abm.settings.services import set_settings
from tests.analytics.shop import PERIOD


@pytest.fixture
def gone(shop):
    """Bought 1,200 a month from November 2025 to May 2026, then stopped."""
    account = shop.account("Gone")
    shop.monthly(account, {m: 1200 for m in PERIOD if m <= date(2026, 5, 1)})
    shop.refresh()
    return account


def test_a_lost_mark_keeps_the_average_monthly_revenue_of_the_12_months_before(session, gone):
    mark = mark_account(session, gone, "lost", "quality", "returns of batch 12",
                        on=date(2026, 9, 3))
    # June 2025..May 2026: seven months of 1,200 and five without purchases.
    assert mark.monthly_revenue == 700
    assert (mark.reason, mark.note, mark.occurred_on) == ("quality", "returns of batch 12",
                                                          date(2026, 9, 3))
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.lost"))
    assert event.target == f"account:{gone}" and event.details["reason"] == "quality"


def test_a_reason_outside_the_workspaces_list_is_refused(session, gone):
    with pytest.raises(LossError, match="not one of"):
        mark_account(session, gone, "lost", "weather")
    assert account_marks(session, gone) == []


def test_the_workspace_edits_its_list_of_reasons(session, gone):
    set_settings(session, {"analytics.loss_reasons": "price, moved abroad"})
    mark_account(session, gone, "lost", "moved abroad", on=date(2026, 9, 1))
    with pytest.raises(LossError):
        mark_account(session, gone, "lost", "quality")


def test_an_unknown_action_is_refused(session, gone):
    with pytest.raises(LossError, match="action"):
        mark_account(session, gone, "paused", "price")


def test_won_back_is_recorded_and_not_counted_as_lost_revenue(session, gone, shop):
    mark_account(session, gone, "lost", "price", on=date(2026, 9, 3))
    mark_account(session, gone, "won_back", "price", on=date(2026, 10, 3))
    assert [m.action for m in account_marks(session, gone)] == ["won_back", "lost"]
    [row] = lost_revenue_report(session)
    assert (row.period, row.reason, row.accounts, row.annual_revenue) == ("2026-09", "price", 1,
                                                                         8400)


def test_the_report_sums_lost_revenue_by_reason_and_period(session, shop, gone):
    other = shop.account("Other")
    shop.monthly(other, {m: 100 for m in PERIOD})
    shop.refresh()
    mark_account(session, gone, "lost", "quality", on=date(2026, 8, 3))
    mark_account(session, other, "lost", "quality", on=date(2026, 11, 10))
    by_month = [(r.period, r.reason, r.accounts, r.monthly_revenue)
                for r in lost_revenue_report(session)]
    assert by_month == [("2026-11", "quality", 1, 100), ("2026-08", "quality", 1, 700)]
    [year] = lost_revenue_report(session, by="year")
    assert (year.period, year.accounts, year.monthly_revenue, year.annual_revenue) == (
        "2026", 2, 800, 9600)
    [quarter] = lost_revenue_report(session, by="quarter", first=date(2026, 10, 1))
    assert quarter.period == "2026-Q4"


def test_the_command_line_marks_an_account_and_prints_the_report(runner, session, gone):
    session.commit()
    result = runner.invoke(cli, ["analytics", "mark-lost", "Gone", "--reason", "deadlines",
                                 "--note", "late twice", "--today", "2026-09-03"])
    assert result.exit_code == 0, result.output
    assert "marked lost (deadlines)" in result.output
    result = runner.invoke(cli, ["analytics", "losses", "--format", "json"])
    assert json.loads(result.output)["items"] == [{
        "period": "2026-09", "reason": "deadlines", "accounts": 1, "monthly_revenue": 700.0,
        "annual_revenue": 8400.0}]
    bad = runner.invoke(cli, ["analytics", "mark-lost", "Gone", "--reason", "weather"])
    assert bad.exit_code != 0 and "not one of" in bad.output
