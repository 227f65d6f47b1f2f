from datetime import date

import pytest
from sqlalchemy import select

from abm.accounts.listing import AccountFilters, count_accounts, iter_accounts, list_accounts
from abm.accounts.models import Account, AccountCategory, AccountKind, Category
from abm.accounts.services import Viewer
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
    return [r["name"][0] for r in page.rows]


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
    assert [r["region"] for r in page.rows] == ["North"] * 3
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
    assert [r["name"] for r in page.rows] == ["100% juice"]
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
    assert page.rows[0]["revenue_12m"] == 15.0  # December 2024 is 13 months back


def test_the_export_iterates_over_every_page(session, many):
    rows = list(iter_accounts(session, EVERYONE, AccountFilters(sort="-name"), batch=4))
    assert "".join(r["name"][0] for r in rows) == "ZYXWVUTSRQPONMLKJIHGFEDCBA"


def test_a_list_of_given_ids_counts_them_with_or_without_other_filters(session, many):
    ids = select(Account.id).where(Account.region == "North")  # 13 accounts
    page = list_accounts(session, EVERYONE, AccountFilters(ids=ids), limit=5)
    assert (page.total, page.total_capped) == (13, False)
    assert count_accounts(session, EVERYONE, AccountFilters(ids=ids), cap=10) == (10, True)
    narrowed = list_accounts(session, EVERYONE, AccountFilters(ids=ids, kind="prospect"), limit=1)
    assert narrowed.total == 3  # the northern prospects: F, P and Z
