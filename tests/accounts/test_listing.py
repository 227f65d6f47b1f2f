from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.models import Account, AccountCategory, AccountKind, Category
from abm.accounts.services import Viewer
from abm.analytics.account_list import (
    AccountFilters,
    count_accounts,
    iter_accounts,
    list_accounts,
)
from abm.sales.models import MonthlyAccountSales

EVERYONE = Viewer(user_id=0, role="manager")


@pytest.fixture
def many(session):
    """26 accounts named "A..." to "Z..." with regions alternating North/South."""
    accounts = [Account(name=f"{chr(65 + i)} company", external_id=f"X{i:02}",
                        region="North" if i % 2 else "South",
                        kind=AccountKind.PROSPECT if i % 5 == 0 else AccountKind.CUSTOMER)
                for i in range(26)]
    session.add_all(accounts)
    session.flush()
    return accounts


def _names(page):
    return [r.name[0] for r in page.rows]


def test_pages_follow_each_other_without_gaps_or_repeats(session, many):
    filters = AccountFilters(sort="name")
    seen, after = [], None
    while True:
        page = list_accounts(session, EVERYONE, filters, after=after, limit=7)
        seen += _names(page)
        if page.next_after is None:
            break
        after = page.next_after
    assert "".join(seen) == "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_descending_pages_follow_each_other(session, many):
    first = list_accounts(session, EVERYONE, AccountFilters(sort="-name"), limit=3)
    second = list_accounts(session, EVERYONE, AccountFilters(sort="-name"),
                           after=first.next_after, limit=3)
    assert _names(first) + _names(second) == list("ZYXWVU")


def test_sorting_by_region_breaks_ties_by_name(session, many):
    page = list_accounts(session, EVERYONE, AccountFilters(sort="region"), limit=3)
    assert [r.region for r in page.rows] == ["North"] * 3
    assert _names(page) == ["B", "D", "F"]


def test_search_matches_part_of_the_name_in_any_case(session, many):
    page = list_accounts(session, EVERYONE, AccountFilters(q="C COMP"))
    assert _names(page) == ["C"]


def test_search_matches_the_exact_external_id(session, many):
    page = list_accounts(session, EVERYONE, AccountFilters(q="X03"))
    assert _names(page) == ["D"]


def test_search_treats_like_wildcards_as_text(session, many):
    session.add(Account(name="100% juice"))
    session.flush()
    page = list_accounts(session, EVERYONE, AccountFilters(q="0%"))
    assert [r.name for r in page.rows] == ["100% juice"]
    assert list_accounts(session, EVERYONE, AccountFilters(q="_")).rows == []


def test_filters_combine(session, many):
    filters = AccountFilters(kind="prospect", region="South")
    assert _names(list_accounts(session, EVERYONE, filters)) == ["A", "K", "U"]


def test_category_filter(session, many):
    many[3].categories.append(AccountCategory(category=Category.IMAGE))
    session.flush()
    assert _names(list_accounts(session, EVERYONE, AccountFilters(category="image"))) == ["D"]


def test_unknown_filter_values_are_ignored(session, many):
    filters = AccountFilters(kind="partner", category="vip", sort="drop table")
    assert (filters.kind, filters.category, filters.sort) == ("", "", "name")


def test_the_count_stops_at_the_cap(session, many):
    assert count_accounts(session, EVERYONE, AccountFilters(), cap=10) == (10, True)
    assert count_accounts(session, EVERYONE, AccountFilters(), cap=26) == (26, False)


def test_rows_carry_the_last_twelve_months_of_revenue(session, many):
    account = many[0]
    for month, revenue in ((date(2024, 12, 1), 999.0), (date(2025, 6, 1), 10.0),
                           (date(2025, 12, 1), 5.0)):
        session.add(MonthlyAccountSales(account_id=account.id, month=month, revenue=revenue))
    session.flush()
    page = list_accounts(session, EVERYONE, AccountFilters(q="A company"))
    assert page.rows[0].revenue_12m == 15.0  # December 2024 is 13 months back


def test_the_export_iterates_over_every_page(session, many):
    rows = list(iter_accounts(session, EVERYONE, AccountFilters(sort="-name"), batch=4))
    assert "".join(r.name[0] for r in rows) == "ZYXWVUTSRQPONMLKJIHGFEDCBA"


def test_a_list_of_given_ids_counts_them_with_or_without_other_filters(session, many):
    ids = select(Account.id).where(Account.region == "North")  # 13 accounts
    page = list_accounts(session, EVERYONE, AccountFilters(ids=ids), limit=5)
    assert (page.total, page.total_capped) == (13, False)
    assert count_accounts(session, EVERYONE, AccountFilters(ids=ids), cap=10) == (10, True)
    narrowed = list_accounts(session, EVERYONE, AccountFilters(ids=ids, kind="prospect"), limit=1)
    assert narrowed.total == 3  # the northern prospects: F, P and Z


# -- sorting by stored figures ----------------------------------------------------------------

# name: (revenue, share, growth, churn state, revenue at stake); None: no row of that kind.
FIGURES = {
    "Alfa": ((500.0, 0.50, 0.10), ("active", 6000.0)),
    "Bravo": ((200.0, 0.20, None), ("at_risk", 2400.0)),
    "Charlie": ((100.0, 0.10, -0.40), ("lost", 1200.0)),
    "Delta": ((100.0, 0.10, 0.30), ("at_risk", 2400.0)),  # ties Charlie, then Bravo's stake
    "Echo": ((50.0, 0.05, -0.10), None),
    "Foxtrot": ((50.0, 0.05, 0.0), ("lost", 9000.0)),
    "Golf": (None, ("active", 100.0)),
    "Hotel": (None, None),
    "India": (None, None),
}


@pytest.fixture
def figured(session):
    """Accounts with stored analytics and churn states, some without (see FIGURES)."""
    from abm.analytics.models import AccountAnalytics, AnalyticsSnapshot, ChurnState

    snapshot = AnalyticsSnapshot(today=date(2026, 11, 15), period_start=date(2025, 11, 1),
                                 period_end=date(2026, 10, 1), measure="revenue", total=1000.0,
                                 accounts=6, hhi=0.0, core_accounts=2, settings={})
    # Inserted in an order unlike any sort, so that ids do not give the answer away.
    accounts = {name: Account(name=name) for name in ("Golf", "Delta", "Alfa", "India",
                                                       "Foxtrot", "Bravo", "Hotel", "Echo",
                                                       "Charlie")}
    session.add_all([snapshot, *accounts.values()])
    session.flush()
    for name, (labels, churn) in FIGURES.items():
        account_id = accounts[name].id
        if labels:
            revenue, share, growth = labels
            session.add(AccountAnalytics(
                account_id=account_id, snapshot_id=snapshot.id, value=revenue, revenue=revenue,
                share=share, rank=1, cumulative_share=share, is_key=False, dependency=False,
                mono_client=False, pareto_core=False, near_key=False, growth=growth,
                abc="A", xyz="X", cv=0.0, mean_monthly=revenue / 12))
        if churn:
            state, stake = churn
            session.add(ChurnState(account_id=account_id, state=state, since=date(2026, 1, 1),
                                   last_purchase_on=date(2026, 1, 1), rhythm_days=30.0,
                                   silence_days=10, revenue_at_stake=stake, reasons=[]))
    session.flush()
    return {name: a.id for name, a in accounts.items()}


def _expected(ids: dict[str, int], sort: str) -> list[str]:
    """The order a sort must give: figures in order (ties by id), then the rest by name."""
    column = sort.lstrip("-")
    descending = sort.startswith("-")
    risk = {"active": 0, "at_risk": 1, "lost": 2}

    def key(name):
        labels, churn = FIGURES[name]
        if column == "churn":
            return None if churn is None else (risk[churn[0]], churn[1])
        value = None if labels is None else labels[("revenue", "share", "growth").index(column)]
        return None if value is None else (value,)

    with_key = sorted((n for n in FIGURES if key(n) is not None),
                      key=lambda n: (key(n), ids[n]), reverse=descending)
    return with_key + sorted(n for n in FIGURES if key(n) is None)


def _all_pages(session, filters, limit):
    seen, after = [], None
    while True:
        page = list_accounts(session, EVERYONE, filters, after=after, limit=limit)
        seen += [r.name for r in page.rows]
        if page.next_after is None:
            return seen
        after = page.next_after


@pytest.mark.parametrize("sort", ["revenue", "-revenue", "share", "-share", "growth", "-growth",
                                  "churn", "-churn"])
@pytest.mark.parametrize("limit", [1, 2, 4, 50])
def test_sorting_by_a_figure_pages_through_every_account_in_order(session, figured, sort, limit):
    assert _all_pages(session, AccountFilters(sort=sort), limit) == _expected(figured, sort)


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created", "region", "-region"])
def test_sorting_by_an_account_column_pages_in_both_directions(session, many, sort):
    rows = list(iter_accounts(session, EVERYONE, AccountFilters(sort=sort)))
    expected = [r.name for r in rows]
    assert _all_pages(session, AccountFilters(sort=sort), 4) == expected
    assert len(set(expected)) == 26


def test_accounts_without_the_figure_come_last_by_name_in_either_direction(session, figured):
    largest = _all_pages(session, AccountFilters(sort="-growth"), 3)
    smallest = _all_pages(session, AccountFilters(sort="growth"), 3)
    assert largest[-4:] == smallest[-4:] == ["Bravo", "Golf", "Hotel", "India"]


def test_churn_risk_puts_lost_before_at_risk_before_active(session, figured):
    page = list_accounts(session, EVERYONE, AccountFilters(sort="-churn"))
    assert [r.churn for r in page.rows[:6]] == ["lost", "lost", "at_risk", "at_risk",
                                                   "active", "active"]
    assert [r.name for r in page.rows[:2]] == ["Foxtrot", "Charlie"]  # most at stake first


def test_a_figure_sort_combines_with_filters_and_search(session, figured):
    from abm.analytics.reads import account_ids_in_churn_state

    at_risk = account_ids_in_churn_state("at_risk")
    page = list_accounts(session, EVERYONE, AccountFilters(sort="-share", ids=at_risk))
    assert [r.name for r in page.rows] == ["Bravo", "Delta"]
    searched = list_accounts(session, EVERYONE, AccountFilters(sort="-share", q="A"))
    assert [r.name for r in searched.rows] == ["Alfa", "Bravo", "Charlie", "Delta", "India"]


def test_rows_carry_the_stored_figures(session, figured):
    page = list_accounts(session, EVERYONE, AccountFilters(q="Delta"))
    row = page.rows[0]
    assert (row.revenue, row.share, row.growth, row.cell, row.churn) == (
        100.0, 0.10, 0.30, "AX", "at_risk")
    assert page.period["period_end"] == date(2026, 10, 1)


def test_before_any_analytics_the_revenue_is_read_from_the_last_twelve_months(session, many):
    session.add(MonthlyAccountSales(account_id=many[0].id, month=date(2025, 6, 1), revenue=7.0))
    session.flush()
    page = list_accounts(session, EVERYONE, AccountFilters(q="A company"))
    assert page.period is None
    assert (page.rows[0].revenue, page.rows[0].share, page.rows[0].cell) == (
        7.0, None, None)


# -- search in every script -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "query"), [
    ("ООО Ромашка", "ромашка"),
    ("ООО Ромашка", "РОМАШКА"),
    ("ооо ромашка", "Ромашка"),
    ("Þórsmörk ehf.", "ÞÓRSMÖRK"),
    ("ÆGIR SJÁVARFANG", "ægir sjávar"),
    ("Hauptstraße GmbH", "STRASSE"),
    ("HAUPTSTRASSE GMBH", "straße"),
    ("Öl & Bier KG", "öl &"),
    ("ΣΟΦΟΣ Α.Ε.", "σοφος"),
])
def test_search_ignores_case_in_every_script(session, name, query):
    session.add_all([Account(name=name), Account(name="Someone else")])
    session.flush()
    assert [r.name for r in list_accounts(session, EVERYONE, AccountFilters(q=query)).rows] \
        == [name]


def test_search_folds_composed_and_decomposed_letters_alike(session):
    session.add(Account(name="Jo\u0301nsson ehf."))  # o + combining acute accent
    session.flush()
    assert [r.name for r in list_accounts(session, EVERYONE, AccountFilters(q="jónsson")).rows] \
        == ["Jo\u0301nsson ehf."]


def test_a_renamed_account_is_found_by_its_new_name_only(session):
    account = Account(name="Old Name")
    session.add(account)
    session.flush()
    account.name = "Ромашка Север"
    session.flush()
    assert list_accounts(session, EVERYONE, AccountFilters(q="север")).total == 1
    assert list_accounts(session, EVERYONE, AccountFilters(q="old")).total == 0


def test_accounts_inserted_in_bulk_are_searchable(session):
    from sqlalchemy import insert

    session.execute(insert(Account), [{"name": "ЗАО Василёк"}, {"name": "Straße AG"}])
    assert [r.name for r in list_accounts(session, EVERYONE, AccountFilters(q="ВАСИЛЁК")).rows] \
        == ["ЗАО Василёк"]


def test_a_broad_search_pages_like_a_narrow_one(session, many, monkeypatch):
    from abm.analytics import account_list as listing

    narrow = _all_pages(session, AccountFilters(q="company", sort="-name"), 5)
    monkeypatch.setattr(listing, "SEARCH_IDS_CAP", 3)  # more matches than ids to read first
    broad = _all_pages(session, AccountFilters(q="company", sort="-name"), 5)
    assert narrow == broad and len(broad) == 26
