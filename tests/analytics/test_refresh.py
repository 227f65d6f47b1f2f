"""The one refresh after a change of sales data: everything derived, stored together."""

from datetime import date

import pytest
from sqlalchemy import func, select

from abm.analytics.company import company_figures
from abm.analytics.models import (
    AccountAnalytics,
    Alert,
    AnalyticsSnapshot,
    ChurnState,
    CompanyFigures,
    KeyAccountReport,
)
from abm.analytics.refresh import DONE, STEPS, refresh_analytics
from abm.analytics.topn import StoredReports, build_key_account_report
from abm.web.labels import LABELS
from tests.analytics.shop import PERIOD, TODAY

OCTOBER, SEPTEMBER = date(2026, 10, 1), date(2026, 9, 1)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _sales(shop) -> tuple[int, int]:
    """A steady account A (terms never reviewed, nobody talked to it) and B silent since April."""
    a, b = shop.account("A", terms_reviewed_on=None), shop.account("B")
    shop.monthly(a, dict.fromkeys(PERIOD, 300))
    shop.monthly(b, dict.fromkeys(PERIOD[:6], 100))
    shop.refresh()
    return a, b


def test_the_refresh_stores_labels_churn_alerts_and_the_company_figures(session, shop):
    a, b = _sales(shop)
    summary = refresh_analytics(session, today=TODAY)
    assert summary.accounts == 2
    labels = session.get(AccountAnalytics, a)
    assert labels.share == pytest.approx(3600 / 4200, abs=1e-6)
    assert labels.mono_client and labels.abc == "A"
    assert session.get(ChurnState, b).state == "lost"
    assert {al.kind for al in session.scalars(select(Alert))} >= {"terms_review_due",
                                                                  "no_interaction"}
    figures = company_figures(session)
    assert figures.snapshot["total"] == 4200
    assert figures.flag_counts["mono_client"] == 1
    assert [w["account_id"] for w in figures.win_back] == [b]
    assert figures.top_n.month == "2026-10"


def test_the_refresh_stores_the_reports_of_the_last_two_full_months(session, shop):
    _sales(shop)
    summary = refresh_analytics(session, today=TODAY)
    months = session.scalars(select(KeyAccountReport.month).order_by(KeyAccountReport.month))
    assert list(months) == [SEPTEMBER, OCTOBER]
    assert summary.reports == StoredReports(month="2026-10-01", previous_month="2026-09-01",
                                            rows=1)  # B's last three months are empty
    assert company_figures(session).top_n.previous_stored is True


def test_the_last_full_months_report_follows_the_data_and_the_one_before_is_kept(session, shop):
    a, _ = _sales(shop)
    refresh_analytics(session, today=TODAY)
    september = session.scalar(select(KeyAccountReport).where(KeyAccountReport.month == SEPTEMBER))
    late = shop.account("Late")
    shop.monthly(late, {SEPTEMBER: 5000, OCTOBER: 5000})
    shop.refresh()
    refresh_analytics(session, today=TODAY)
    session.expire_all()
    october = session.scalar(select(KeyAccountReport).where(KeyAccountReport.month == OCTOBER))
    assert [r.account_id for r in sorted(october.rows, key=lambda r: r.rank)] == [late, a]
    kept = session.scalar(select(KeyAccountReport).where(KeyAccountReport.month == SEPTEMBER))
    assert kept.id == september.id and [r.account_id for r in kept.rows] == [a]


def test_a_second_refresh_replaces_the_labels_and_the_figures(session, shop):
    _sales(shop)
    refresh_analytics(session, today=TODAY)
    refresh_analytics(session, today=TODAY)
    assert _count(session, AccountAnalytics) == 2
    assert _count(session, CompanyFigures) == 1
    assert _count(session, KeyAccountReport) == 2
    latest = session.scalar(select(func.max(AnalyticsSnapshot.id)))
    assert company_figures(session).snapshot["id"] == latest


def test_progress_names_each_step_before_anything_is_written(session, shop):
    _sales(shop)
    seen = []

    def progress(done, total, step):
        written = sum(_count(session, m) for m in (AccountAnalytics, ChurnState, Alert,
                                                    KeyAccountReport, CompanyFigures))
        seen.append((done, total, step, written))

    refresh_analytics(session, today=TODAY, progress=progress)
    assert seen == [(i, len(STEPS), step, 0) for i, step in enumerate(STEPS)]


def test_every_step_has_a_name_on_the_pages():
    assert set(LABELS["refresh_step"]) == {*STEPS, DONE}


def test_an_empty_database_refreshes_to_empty_figures(session):
    summary = refresh_analytics(session, today=TODAY)
    assert summary.accounts == 0 and summary.reports.rows == 0
    assert company_figures(session).months == []


def test_a_report_built_by_hand_for_the_month_is_replaced_by_the_refresh(session, shop):
    a, _ = _sales(shop)
    build_key_account_report(session, month=OCTOBER, top_n=1)
    other = shop.account("Other")
    shop.monthly(other, {OCTOBER: 10})
    shop.refresh()
    refresh_analytics(session, today=TODAY)
    october = session.scalar(select(KeyAccountReport).where(KeyAccountReport.month == OCTOBER))
    assert october.top_n == 20
    assert {r.account_id for r in october.rows} == {a, other}


def test_the_snapshot_keeps_the_analytics_settings_it_used_keyed_as_stored(session, shop):
    from abm.analytics.settings import AnalyticsSettings
    from abm.settings.services import update_settings
    from abm.workspace.services import settings_of

    _sales(shop)
    update_settings(session, AnalyticsSettings, key_share=0.2, measure="margin")
    refresh_analytics(session, today=TODAY)
    snapshot = session.scalar(select(AnalyticsSnapshot).order_by(AnalyticsSnapshot.id.desc()))
    assert snapshot.settings == settings_of(session, AnalyticsSettings).stored()
    assert snapshot.settings["analytics.key_share"] == 0.2
    assert all(key.startswith("analytics.") for key in snapshot.settings)


def test_an_old_snapshot_explains_its_labels_with_the_defaults_it_lacks(session, shop):
    from abm.analytics.account_analytics import account_analytics

    a, _ = _sales(shop)
    refresh_analytics(session, today=TODAY)
    snapshot = session.scalar(select(AnalyticsSnapshot).order_by(AnalyticsSnapshot.id.desc()))
    # A snapshot of an older version: fewer keys, and a value today's limits refuse.
    snapshot.settings = {"analytics.key_share": 0.25, "analytics.mono_client_share": 7}
    session.flush()
    reasons = account_analytics(session, a).labels.reasons
    assert any(r.startswith("key by share:") and r.endswith(">= 25%") for r in reasons)
    assert any(r.startswith("mono-client risk:") and r.endswith(">= 50%") for r in reasons)
