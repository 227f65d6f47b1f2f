"""The accounts list and the account page."""

from sqlalchemy import select

from abm.accounts.models import Account, Contact, Interaction


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
