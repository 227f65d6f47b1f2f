import json
from datetime import date

from abm.cli import cli
from tests.segments.conftest import build_population, load_cdnow


def test_segment_prints_each_segment_with_its_figures(session, sales, runner):
    build_population(sales)
    session.commit()
    result = runner.invoke(cli, args=["segment", "--k", "5"])
    assert result.exit_code == 0, result.output
    assert "k=5 (fixed)" in result.output
    assert "Top revenue, buys every month" in result.output
    assert "revenue 12m" in result.output and "P(alive)" in result.output


def test_segment_as_json_lists_segments_with_explanations(session, sales, runner):
    build_population(sales)
    session.commit()
    result = runner.invoke(cli, args=["segment", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["k_chosen_by"] == "silhouette"
    assert sum(s["size"] for s in summary["segments"]) == 100
    assert all(s["explanation"]["parts"] for s in summary["segments"])


def test_segment_with_more_segments_than_accounts_exits_2_with_a_message(session, sales, runner):
    build_population(sales)
    session.commit()
    result = runner.invoke(cli, args=["segment", "--k", "500"])
    assert result.exit_code == 2
    assert "only 100 accounts with orders: fewer than the k=500 segments" in result.output
    assert "Traceback" not in result.output


def test_segment_without_orders_exits_2_with_a_message(runner):
    result = runner.invoke(cli, args=["segment"])
    assert result.exit_code == 2
    assert "no accounts with orders to segment" in result.output


def test_potential_fit_prints_parameters_likelihood_and_accounts(session, runner):
    load_cdnow(session)
    session.commit()
    result = runner.invoke(cli, args=["potential", "fit", "--calibration-end", "1997-09-30",
                                 "--unit", "weeks", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "r=0.2426 alpha=4.414 a=0.7929 b=2.426" in result.output
    assert "log-likelihood -9582.4" in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("CDNOW")]) == 3


def test_potential_fit_as_json_has_every_account_when_unlimited(session, runner):
    load_cdnow(session)
    session.commit()
    result = runner.invoke(cli, args=["potential", "fit", "--calibration-end", "1997-09-30",
                                 "--unit", "days", "--limit", "0", "--format", "json"])
    assert result.exit_code == 0, result.output
    fit = json.loads(result.output)
    assert fit["unit"] == "days" and fit["calibration_end"] == date(1997, 9, 30).isoformat()
    assert len(fit["accounts"]) == 2357
    assert {"expected_purchases", "p_alive", "clv"} <= set(fit["accounts"][0])


def test_potential_fit_without_orders_exits_2_with_a_message(runner):
    result = runner.invoke(cli, args=["potential", "fit"])
    assert result.exit_code == 2
    assert "no orders yet" in result.output


def test_potential_fit_with_a_bad_date_exits_2(runner):
    result = runner.invoke(cli, args=["potential", "fit", "--calibration-end", "30.09.1997"])
    assert result.exit_code == 2
