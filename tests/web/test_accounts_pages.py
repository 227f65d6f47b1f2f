"""The accounts list and the account page."""

from sqlalchemy import select

from abm.accounts.models import Account, Contact, Interaction
from tests.figures import store_figures


def test_the_list_filters_by_region(client, login, book):
    login("manager")
    page = client.get("/accounts/?region=North").get_data(as_text=True)
    assert "Own Customer" in page and "Rival Customer" in page
    assert "Another Own" not in page


def test_the_list_searches_names(client, login, book):
    login("manager")
    page = client.get("/accounts/?q=rival").get_data(as_text=True)
    assert "Rival Customer" in page and "Own Customer" not in page


def test_the_list_links_to_the_next_page_keeping_the_filters(client, session, login, book):
    session.add_all([Account(name=f"Bulk {i:03}", region="West") for i in range(60)])
    session.commit()
    login("manager")
    first = client.get("/accounts/?region=West").get_data(as_text=True)
    assert "Bulk 049" in first and "Bulk 050" not in first
    next_id = session.scalar(select(Account.id).where(Account.name == "Bulk 049"))
    assert f'href="/accounts/?region=West&amp;after={next_id}"' in first
    second = client.get(f"/accounts/?region=West&after={next_id}").get_data(as_text=True)
    assert "Bulk 050" in second and "Bulk 059" in second and "Bulk 049" not in second
    assert 'rel="next"' not in second


def test_the_list_shows_the_revenue_of_the_last_twelve_months(client, login, book):
    login("manager")
    page = client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    assert "€55,000" in page  # 1,000 x (1 + ... + 10)


def test_account_names_are_escaped_everywhere(client, session, login, book):
    book["own"].name = '<script>alert("x")</script>'
    session.add(Contact(account_id=book["own"].id, name="<img src=x onerror=alert(1)>"))
    session.commit()
    login("sales")
    for url in ("/accounts/", f"/accounts/{book['own'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


def test_a_javascript_website_is_not_made_a_link(client, session, login, book):
    book["own"].website = "javascript:alert(1)"
    session.commit()
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'href="javascript:' not in page


def test_the_account_page_shows_dossier_contacts_and_chart(client, login, book):
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert "Olga Buyer" in page and "Purchasing" in page
    assert page.count("<rect ") == 24
    assert "Retail" in page


def test_logging_a_visit_adds_it_to_the_timeline(client, session, login, book):
    user = login("sales")
    response = client.post(f"/accounts/{book['own'].id}/interactions", data={
        "interaction-kind": "visit", "interaction-occurred_at": "2026-11-20T10:30",
        "interaction-text": "Checked the shelves",
    })
    assert response.status_code == 302
    logged = session.scalar(select(Interaction).where(Interaction.account_id == book["own"].id))
    assert (logged.kind.value, logged.user_id, logged.text) == ("visit", user.id,
                                                               "Checked the shelves")
    page = client.get(response.location).get_data(as_text=True)
    assert "Checked the shelves" in page and "Interaction logged." in page


def test_an_interaction_without_a_date_is_refused_with_a_message(client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/interactions",
                           data={"interaction-kind": "visit"}, follow_redirects=True)
    assert "When: " in response.get_data(as_text=True)
    assert session.scalar(select(Interaction)) is None


def test_an_unknown_interaction_kind_is_refused(client, session, login, book):
    login("sales")
    client.post(f"/accounts/{book['own'].id}/interactions", data={
        "interaction-kind": "party", "interaction-occurred_at": "2026-11-20T10:30"})
    assert session.scalar(select(Interaction)) is None


def _analytics(session, book) -> None:
    """Stored figures: "Own Customer" is AY and at risk; "Rival Customer" BZ and lost."""
    store_figures(session, {book["own"].id: (54_000.0, "AY", 0.125, "at_risk"),
                            book["rival"].id: (6_000.0, "BZ", -0.5, "lost")})


def _cells(page: str, name: str) -> list[str]:
    """The text of each cell of the accounts table's row of ``name``."""
    import re

    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if name in r)
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_list_shows_share_growth_cell_and_churn_state(client, session, login, book):
    _analytics(session, book)
    login("manager")
    page = client.get("/accounts/").get_data(as_text=True)
    assert _cells(page, "Own Customer")[-5:] == ["€54,000", "90.00%", "+12.5%", "AY", "At risk"]
    assert _cells(page, "Rival Customer")[-5:] == ["€6,000", "10.00%", "-50.0%", "BZ", "Lost"]
    assert _cells(page, "Free Prospect")[-5:] == ["—", "—", "—", "", ""]
    assert "Revenue, share and growth over Nov 2025 – Oct 2026" in page


def test_the_new_columns_speak_russian(client, session, login, book):
    _analytics(session, book)
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/accounts/").get_data(as_text=True)
    for heading in ("Выручка", "Доля", "Рост", "ABC-XYZ", "Отток"):
        assert f">{heading}" in page
    assert _cells(page, "Own Customer")[-5:] == ["54 000 €", "90,00%", "+12,5%", "AY",
                                                 "Под угрозой"]
    assert "Риск ухода, сначала высокий" in page
    assert "Выручка, доля и рост за" in page


def test_a_column_heading_sorts_by_it_and_a_second_click_reverses(client, session, login, book):
    _analytics(session, book)
    login("manager")
    page = client.get("/accounts/?region=North").get_data(as_text=True)
    assert 'href="/accounts/?region=North&amp;sort=-share"' in page
    by_share = client.get("/accounts/?region=North&sort=-share").get_data(as_text=True)
    assert by_share.index("Own Customer") < by_share.index("Rival Customer")
    assert 'aria-sort="descending"' in by_share
    assert 'href="/accounts/?region=North&amp;sort=share"' in by_share
    reversed_ = client.get("/accounts/?region=North&sort=share").get_data(as_text=True)
    assert reversed_.index("Rival Customer") < reversed_.index("Own Customer")


def test_the_export_carries_the_stored_figures(client, session, login, book):
    _analytics(session, book)
    login("manager")
    lines = client.get("/accounts/export.csv?sort=-churn").get_data(as_text=True).splitlines()
    assert lines[0].endswith("revenue_12m,share,growth,abc_xyz,churn")
    assert lines[1].startswith(f"{book['rival'].id},C3,Rival Customer")
    assert lines[1].endswith(",0.1,-0.5,BZ,lost")


def test_the_list_finds_a_cyrillic_name_typed_in_lower_case(client, session, login, book):
    session.add(Account(name="ООО Ромашка"))
    session.commit()
    login("manager")
    page = client.get("/accounts/?q=ромашка").get_data(as_text=True)
    assert "ООО Ромашка" in page and "Own Customer" not in page
