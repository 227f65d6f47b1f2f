"""The demo data yields the flags it was built to show."""

from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.analytics.account_analytics import account_analytics
from abm.analytics.alerts import list_alerts
from abm.analytics.churn import win_back_list
from abm.analytics.concentration import concentration
from abm.analytics.refresh import refresh_analytics
from abm.analytics.topn import key_account_report
from abm.app import create_app
from abm.db import get_db, get_session
from abm.demo import load_demo

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(migrated_database, redis_url, tmp_path_factory):
    """The demo loaded and refreshed once for the module (it takes seconds)."""
    url = migrated_database()
    app = create_app({"database_url": url, "redis_url": redis_url,
                      "instance_path": str(tmp_path_factory.mktemp("demo"))})
    with app.app_context():
        session = get_session()
        load_demo(session, seed=1, today=TODAY)
        summary = refresh_analytics(session, today=TODAY)
        session.commit()
        ids = dict(session.execute(select(Account.external_id, Account.id)).all())
        yield session, summary, ids
    get_db(app).dispose()


def _external(ids, account_ids):
    by_id = {v: k for k, v in ids.items()}
    return sorted(by_id[a] for a in account_ids)


def test_one_account_is_a_dependency_risk_and_none_a_mono_client(demo):
    session, _, ids = demo
    result = concentration(session, today=TODAY)
    assert _external(ids, result.flags["dependency"]) == ["C00001"]
    assert result.flags["mono_client"] == []


def test_the_largest_accounts_are_key_by_share(demo):
    session, _, ids = demo
    key = _external(ids, concentration(session, today=TODAY).flags["key"])
    assert "C00001" in key and "C00002" in key
    assert 3 <= len(key) <= 5


def test_an_account_just_below_the_key_threshold_is_near_key(demo):
    session, _, ids = demo
    near = _external(ids, concentration(session, today=TODAY).flags["near_key"])
    assert "C00006" in near


def test_a_small_pareto_core_brings_most_revenue(demo):
    session, _, _ = demo
    pareto = concentration(session, today=TODAY).pareto
    assert pareto.core_account_share < 0.2
    assert pareto.core_value_share >= 0.8


def test_the_key_account_nobody_talked_to_has_a_silence_alert(demo):
    session, _, ids = demo
    alerts = list_alerts(session, account_id=ids["C00002"], kind="no_interaction")
    assert [a.cause for a in alerts] == ["never"]


def test_the_key_account_with_unpaid_invoices_has_overdue_alerts(demo):
    session, _, ids = demo
    assert list_alerts(session, account_id=ids["C00003"], kind="overdue_receivable")


def test_churned_accounts_are_on_the_win_back_list_as_lost(demo):
    session, summary, _ = demo
    rows = win_back_list(session, today=TODAY)
    assert summary.churn.lost > 0 and summary.churn.at_risk > 0
    assert {r.state for r in rows} == {"at_risk", "lost"}
    stakes = [r.revenue_at_stake for r in rows]
    assert stakes == sorted(stakes, reverse=True)


def test_the_dependency_account_leads_the_key_account_report(demo):
    session, _, ids = demo
    report = key_account_report(session, today=TODAY)
    assert report.rows[0].account_id == ids["C00001"]
    assert len(report.rows) == 20


def test_one_accounts_analytics_explain_why_it_is_key(demo):
    session, _, ids = demo
    result = account_analytics(session, ids["C00001"])
    labels = result.labels
    assert labels.key and labels.dependency and labels.abc == "A"
    assert any(r.startswith("dependency risk: ") for r in labels.reasons)
    assert labels.recommendation
    assert result.churn.state == "active"
    assert len(result.monthly) == 24
