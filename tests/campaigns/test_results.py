from datetime import UTC, date, datetime

import pytest

from abm.campaigns import services
from abm.campaigns.models import CampaignStatus
from abm.campaigns.results import campaign_results, uplift
from abm.delivery.models import HoldoutMember, OutboxMessage, OutboxState
from abm.sales.models import OrderLine


def test_uplift_is_the_difference_of_means_with_a_welch_interval():
    result = uplift([10, 12, 14, 16], [8, 9, 10, 11])
    assert result.uplift == 3.5
    assert result.ci_low < 3.5 < result.ci_high
    assert result.ci_low == pytest.approx(0.0, abs=1.5)


def test_uplift_without_a_holdout_has_no_interval():
    assert uplift([1.0, 2.0], []).uplift is None


def test_orders_in_the_window_count_for_treated_and_held_out_accounts(session, make_accounts):
    treated, held = make_accounts(2, contacts=1)
    campaign = services.create_campaign(session, name="c", kind="promotion")
    campaign.status = CampaignStatus.DONE
    campaign.started_at = datetime(2026, 5, 1, tzinfo=UTC)
    session.add(OutboxMessage(campaign_id=campaign.id, contact_id=treated.contacts[0].id,
                              account_id=treated.id, state=OutboxState.SENT,
                              sent_at=campaign.started_at))
    session.add(HoldoutMember(campaign_id=campaign.id, account_id=held.id))
    for account, day, revenue in ((treated, date(2026, 5, 10), 300), (held, date(2026, 5, 20), 100),
                                  (treated, date(2026, 8, 1), 999)):  # the last is too late
        session.add(OrderLine(account_id=account.id, document=f"D{revenue}", date=day,
                              month=day.replace(day=1), revenue=revenue))
    session.flush()
    results = campaign_results(session, campaign.id, window_days=30)
    assert {r.group: r.revenue for r in results.accounts} == {"treated": 300.0,
                                                                       "held_out": 100.0}
    assert results.uplift.uplift == 200.0
