"""What the approval screen puts before a manager, on a small book whose figures are known."""

from datetime import date, timedelta

import pytest

from abm.analytics.models import AccountAnalytics, AnalyticsSnapshot
from abm.campaigns import services
from abm.campaigns.models import Campaign, CampaignKind
from abm.campaigns.stake import approval_stake
from abm.db import utcnow
from abm.delivery.models import HoldoutMember, OutboxMessage, OutboxState
from abm.sales.models import OrderLine

TODAY = date(2026, 11, 15)  # the last 12 full months: November 2025 to October 2026
NORTH = {"rules": [{"field": "region", "op": "eq", "value": "North"}]}


def _months(first: date, n: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]


@pytest.fixture
def book(session, make_accounts, sales):
    """North: Alpha (60,000 over the year, 2 recipients), Beta (20,000, 1), Gamma (nothing
    bought, 1), Delta (no one to mail). South: Omega (120,000), outside the audience."""
    alpha, = make_accounts(1, contacts=2, name="Alpha", region="North")
    beta, gamma = (make_accounts(1, contacts=1, name=n, region="North")[0]
                   for n in ("Beta", "Gamma"))
    delta, = make_accounts(1, contacts=0, name="Delta", region="North")
    omega, = make_accounts(1, contacts=1, name="Omega", region="South")
    for month in _months(date(2025, 11, 1), 12):
        sales(alpha, {"A1": 5000.0}, month)
        sales(omega, {"A1": 10000.0}, month)
    sales(alpha, {"A1": 99999.0}, date(2025, 10, 1))  # before the 12 months
    sales(alpha, {"A1": 77777.0}, date(2026, 11, 1))  # the month in progress
    sales(beta, {"A1": 10000.0}, date(2026, 3, 1))
    sales(beta, {"A1": 10000.0}, date(2026, 9, 1))
    sales(delta, {"A1": 50000.0}, date(2026, 9, 1))
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta, "omega": omega}


def _campaign(session, offer, kind="personal_offer"):
    return services.create_campaign(session, name="Offer", kind=kind, audience=NORTH,
                                    offer=offer, holdout_share=0.1)


def test_the_stake_of_a_discount_and_a_volume_bonus(session, book):
    campaign = _campaign(session, {"discount_percent": 5, "bonus_percent": 2,
                                   "bonus_threshold": 30000})
    stake = approval_stake(session, campaign, today=TODAY)
    assert (stake.period_start, stake.period_end) == (date(2025, 11, 1), date(2026, 10, 1))
    assert (stake.accounts, stake.recipients) == (3, 4)
    assert stake.revenue_12m == 80000.0
    assert stake.discount_cost == 4000.0  # 5% of 80,000
    assert (stake.bonus_accounts, stake.bonus_base, stake.bonus_cost) == (1, 30000.0, 600.0)
    assert stake.cost == 4600.0
    assert stake.expected_extra_revenue is None and stake.earlier == []
    largest = stake.largest
    assert (largest.name, largest.revenue_12m, largest.share, largest.from_labels) == (
        "Alpha", 60000.0, 0.24, False)  # of 250,000: Alpha, Beta, Delta and Omega


def test_an_offer_without_a_discount_or_bonus_costs_nothing_to_compute(session, book):
    stake = approval_stake(session, _campaign(session, {"payment_days": 60}), today=TODAY)
    assert (stake.discount_cost, stake.bonus_cost, stake.cost) == (None, None, 0.0)
    assert stake.revenue_12m == 80000.0


def test_the_largest_account_share_comes_from_the_analytics_labels(session, book):
    snapshot = AnalyticsSnapshot(today=TODAY, period_start=date(2025, 11, 1),
                                 period_end=date(2026, 10, 31), measure="revenue",
                                 total=250000.0, accounts=4, hhi=3000.0, core_accounts=2,
                                 settings={})
    session.add(snapshot)
    session.flush()
    for account, share in ((book["alpha"], 0.22), (book["beta"], 0.08)):
        session.add(AccountAnalytics(
            account_id=account.id, snapshot_id=snapshot.id, value=share * 250000, share=share,
            rank=1, cumulative_share=share, is_key=True, dependency=share > 0.2,
            mono_client=False, pareto_core=True, near_key=False, mean_monthly=0.0))
    session.flush()
    largest = approval_stake(session, _campaign(session, {"discount_percent": 1}),
                             today=TODAY).largest
    assert (largest.name, largest.share, largest.from_labels, largest.dependency) == (
        "Alpha", 0.22, True, True)


def _earlier(session, book, kind, started_days_ago, revenue: dict[str, float], held=("omega",)):
    """A campaign of ``kind`` sent to Alpha and Beta, Omega held out, and what they bought."""
    started = utcnow() - timedelta(days=started_days_ago)
    campaign = Campaign(name=f"Earlier {kind}", kind=kind, started_at=started)
    session.add(campaign)
    session.flush()
    for name in ("alpha", "beta"):
        account = book[name]
        session.add(OutboxMessage(campaign_id=campaign.id, account_id=account.id,
                                  contact_id=account.contacts[0].id, state=OutboxState.SENT))
    for name in held:
        session.add(HoldoutMember(campaign_id=campaign.id, account_id=book[name].id))
    day = started.date() + timedelta(days=3)
    for n, (name, amount) in enumerate(revenue.items()):
        session.add(OrderLine(account_id=book[name].id, document=f"D{campaign.id}-{n}",
                              date=day, month=day.replace(day=1), revenue=amount))
    # Shipped after the 30-day window: not the campaign's doing.
    session.add(OrderLine(account_id=book["alpha"].id, document=f"L{campaign.id}",
                          date=started.date() + timedelta(days=40),
                          month=day.replace(day=1), revenue=1e6))
    session.flush()
    return campaign


def test_the_expected_extra_revenue_follows_earlier_campaigns_of_the_same_kind(session, book):
    _earlier(session, book, CampaignKind.PERSONAL_OFFER, 60,
             {"alpha": 3000.0, "beta": 1000.0, "omega": 500.0})
    # Neither a campaign of another kind nor one whose window is still open counts.
    _earlier(session, book, CampaignKind.PROMOTION, 60, {})
    _earlier(session, book, CampaignKind.PERSONAL_OFFER, 10, {"alpha": 90000.0})
    stake = approval_stake(session, _campaign(session, {"discount_percent": 5}), today=TODAY)
    [earlier] = stake.earlier
    assert (earlier.treated_accounts, earlier.held_out_accounts) == (2, 1)
    assert stake.uplift_per_account == 1500.0  # (3,000 + 1,000) / 2 - 500 / 1
    assert stake.expected_extra_revenue == 4500.0  # for each of the 3 receiving accounts


def test_an_earlier_campaign_without_a_control_group_teaches_nothing(session, book):
    _earlier(session, book, CampaignKind.PERSONAL_OFFER, 60, {"alpha": 3000.0}, held=())
    stake = approval_stake(session, _campaign(session, {"discount_percent": 5}), today=TODAY)
    assert stake.earlier == [] and stake.expected_extra_revenue is None
