"""Stored analytics figures for tests of the pages and API that read them."""

from __future__ import annotations

from datetime import date

from abm.analytics.models import AccountAnalytics, AnalyticsSnapshot, ChurnState


def store_figures(session, figures: dict[int, tuple[float, str, float | None, str]]) -> None:
    """A snapshot of Nov 2025 - Oct 2026 and, per account id, (revenue, ABC-XYZ cell, growth,
    churn state); shares are each revenue over their sum. Commits."""
    total = sum(revenue for revenue, *_ in figures.values())
    snapshot = AnalyticsSnapshot(today=date(2026, 11, 15), period_start=date(2025, 11, 1),
                                 period_end=date(2026, 10, 1), measure="revenue", total=total,
                                 accounts=len(figures), hhi=0.0, core_accounts=1, settings={})
    session.add(snapshot)
    session.flush()
    for account_id, (revenue, cell, growth, state) in figures.items():
        share = revenue / total
        session.add(AccountAnalytics(
            account_id=account_id, snapshot_id=snapshot.id, value=revenue, revenue=revenue,
            share=share, rank=1, cumulative_share=share, is_key=share >= 0.1, dependency=False,
            mono_client=False, pareto_core=True, near_key=False, growth=growth, abc=cell[0],
            xyz=cell[1], cv=0.2, mean_monthly=revenue / 12))
        session.add(ChurnState(account_id=account_id, state=state, since=date(2026, 9, 1),
                               last_purchase_on=date(2026, 8, 1), rhythm_days=30.0,
                               silence_days=100, revenue_at_stake=revenue, reasons=[]))
    session.commit()
