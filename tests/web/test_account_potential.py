"""The account page shows the potential of the latest fit, each figure with its why."""

from datetime import date

import pytest

from abm.sales.models import OrderLine
from abm.segments.models import (
    AccountPotential,
    AccountSegment,
    PotentialFit,
    RunSegment,
    Segment,
    SegmentationRun,
)

DAYS = (date(2026, 1, 5), date(2026, 2, 4), date(2026, 3, 6), date(2026, 4, 5), date(2026, 6, 4))


@pytest.fixture
def potential(session, book):
    """A fit scoring "Own Customer", its orders (median gap 30 days) and its segment."""
    fit = PotentialFit(calibration_end=date(2026, 10, 31), unit="weeks", horizon=52.0,
                       n_customers=3, params={}, log_likelihood=-1.0,
                       settings={"horizon_months": 12, "clv_months": 36,
                                 "discount_rate": 0.1})
    run = SegmentationRun(as_of=date(2026, 10, 1), k=1, k_chosen_by="fixed", n_accounts=1,
                          settings={}, metrics={}, feature_names=[])
    session.add_all([fit, run])
    session.flush()
    segment = Segment(name="Key accounts, top revenue", first_run_id=run.id,
                      last_run_id=run.id)
    session.add(segment)
    session.flush()
    parts = [{"text": "Key accounts", "feature": "revenue_share", "value": 0.1, "rule": "x"},
             {"text": "top revenue", "feature": "revenue_12m", "value": 8036002.8191,
              "rule": "y"}]
    session.add(RunSegment(run_id=run.id, segment_id=segment.id, label=0, name=segment.name,
                           size=1, centroid={}, scaled_centroid=[],
                           explanation={"parts": parts, "figures": []}))
    session.add(AccountSegment(run_id=run.id, account_id=book["own"].id,
                               segment_id=segment.id, distance=0.0))
    session.add(AccountPotential(fit_id=fit.id, account_id=book["own"].id, kind="customer",
                                 frequency=4, recency=21.0, age=43.0, p_alive=0.875,
                                 expected_purchases=7.25, purchases_90d=2.25,
                                 expected_spend=1234.4, clv=43210.0))
    session.add_all([OrderLine(account_id=book["own"].id, document=f"D{i}", date=d,
                               month=d.replace(day=1), revenue=100.0)
                     for i, d in enumerate(DAYS)])
    session.commit()


def test_the_account_page_shows_each_figure_with_why(client, login, book, potential):
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'id="potential"' in page
    assert "87.5%" in page and "no purchase in the last 154 days of its 301 days" in page
    assert 'id="potential-purchases_90d">2.2' in page or 'id="potential-purchases_90d">2.3' in page
    # Next order: the last day (4 June) plus the median of the gaps 30, 30, 30, 59.
    assert 'id="potential-next_order">Jul 4, 2026' in page
    assert "median gap of 30 days between its 5 purchase days" in page
    assert 'id="potential-clv">€43,210' in page
    assert "over 36 months, at €1,234 each, discounted at 10% a year" in page
    assert 'id="potential-segment">Key accounts, top revenue' in page
    assert "revenue, last 12 months €8,036,003" in page and "8036002.8191" not in page


def test_the_figures_read_in_russian(client, login, book, potential):
    login("sales")
    client.post("/language", data={"lang": "ru"})
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Вероятность, что клиент ещё покупает" in page
    assert "Ожидаемая следующая закупка" in page and "4 июл. 2026" in page
    assert "медианный интервал 30 дней" in page
    assert "Пожизненная ценность клиента, 36 мес." in page
    assert "дисконтировано по ставке 10% в год" in page.replace("\xa0", " ")


def test_without_a_fit_there_is_no_potential_section(client, login, book):
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'id="potential"' not in page
