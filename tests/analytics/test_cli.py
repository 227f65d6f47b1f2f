import json
from datetime import date

import pytest

from abm.analytics.models import KeyAccountReport
from abm.cli import cli
from tests.analytics.shop import PERIOD


@pytest.fixture
def sales(shop, session):
    a, b = shop.account("A", terms_reviewed_on=None), shop.account("B")
    shop.monthly(a, dict.fromkeys(PERIOD, 300))
    shop.monthly(b, dict.fromkeys(PERIOD[:6], 100))
    shop.refresh()
    session.commit()
    return a, b


def _run(runner, *args):
    result = runner.invoke(cli, args=[*args, "--today", "2026-11-15"])
    assert result.exit_code == 0, result.output
    return result


def _json(runner, *args):
    return json.loads(_run(runner, *args, "--format", "json").output)


def test_concentration_prints_shares_flags_hhi_and_the_pareto_core(runner, sales):
    data = _json(runner, "analytics", "concentration", "--months", "6", "--by", "revenue")
    assert data["total"] == 1800
    assert data["hhi"] == 10_000
    assert data["flags"]["mono_client"] == [sales[0]]


def test_concentration_as_text_names_the_flags(runner, sales):
    output = _run(runner, "analytics", "concentration").output
    assert "Pareto core 1 account =" in output
    assert "mono-client, dependency, key, Pareto core" in output


def test_the_key_account_report_is_stored_and_printed(runner, sales, session):
    data = _json(runner, "report", "key-accounts", "--month", "2026-10", "--top", "5")
    assert [r["account_id"] for r in data["rows"]] == [sales[0]]
    assert session.query(KeyAccountReport).filter_by(month=date(2026, 10, 1)).count() == 1


def test_abcxyz_prints_the_nine_cells(runner, sales):
    data = _json(runner, "analytics", "abcxyz", "--end", "2026-10")
    assert set(data["matrix"]) == {f"{a}{x}" for a in "ABC" for x in "XYZ"}
    assert data["matrix"]["AX"]["count"] == 1


def test_alerts_are_raised_and_listed(runner, sales):
    data = _json(runner, "analytics", "alerts")
    kinds = {(a["external_id"], a["kind"]) for a in data["alerts"]}
    assert ("A", "terms_review_due") in kinds
    assert data["summary"]["raised"] == len(data["alerts"])


def test_churn_prints_the_states_and_the_win_back_list(runner, sales):
    data = _json(runner, "analytics", "churn")
    assert data["states"]["active"] == 1 and data["states"]["lost"] == 1
    assert [w["external_id"] for w in data["win_back"]] == ["B"]


def test_a_malformed_month_is_a_usage_error(runner, sales):
    result = runner.invoke(cli, args=["analytics", "concentration", "--end", "2026-13"])
    assert result.exit_code == 2
    assert "is not a month in the form YYYY-MM" in result.output


def test_the_full_refresh_prints_its_figures_and_its_steps(runner, sales):
    result = _run(runner, "analytics", "refresh")
    data = json.loads(result.stdout)
    assert data["accounts"] == 2
    assert data["reports"]["month"] == "2026-10-01"
    assert set(data["seconds"]) == {"classify", "store", "churn", "alerts", "reports",
                                    "company_figures"}
    assert "analytics 4/4: storing the figures" in result.stderr


def test_alerts_word_the_near_key_reasons_as_the_account_page_does(runner, shop, session):
    for name, revenue in (("Big", 800), ("Near", 75), ("Rest", 125)):
        shop.monthly(shop.account(name), {PERIOD[5]: revenue})
    shop.refresh()
    session.commit()
    output = _run(runner, "analytics", "alerts", "--no-refresh").output
    near = [line for line in output.splitlines() if line.startswith("near-key Near:")]
    assert near == ["near-key Near: near-key: 7.5% of €1,000 (revenue), growth -100.0%"]
    data = _json(runner, "analytics", "alerts", "--no-refresh")
    assert [e["code"] for e in data["near_key"][0]["explanations"]] == ["near_key"]
