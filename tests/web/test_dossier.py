"""Editing the dossier, categories and the three-P qualification."""

from abm.accounts.models import Account, AccountCategory, Category


def _form(**overrides):
    data = {"name": "Own Customer", "industry": "Retail", "employees": "120",
            "website": "https://own.example", "country": "ru", "region": "North",
            "categories": ["breadwinner", "loyal"], "has_need": "yes", "can_pay": "no",
            "has_authority": ""}
    data.update(overrides)
    return data


def test_the_owner_saves_the_dossier(client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/edit", data=_form())
    assert response.status_code == 302
    session.expire_all()
    account = session.get(Account, book["own"].id)
    assert (account.employees, account.country, account.website) == (120, "RU",
                                                                      "https://own.example")
    assert account.category_names == ["breadwinner", "loyal"]
    assert (account.has_need, account.can_pay, account.has_authority) == (True, False, None)


def test_invalid_values_come_back_with_messages(client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/edit",
                           data=_form(employees="-3", website="not a url", name=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Number must be at least 0." in page
    assert "Invalid URL." in page
    assert "This field is required." in page
    session.expire_all()
    assert session.get(Account, book["own"].id).name == "Own Customer"


def test_messages_are_translated(client, session, login, book):
    login("sales")
    client.post("/language", data={"lang": "ru"})
    response = client.post(f"/accounts/{book['own'].id}/edit", data=_form(name=""))
    assert "Обязательное поле." in response.get_data(as_text=True)


def test_the_form_shows_the_current_categories(client, session, login, book):
    book["own"].categories.append(AccountCategory(category=Category.IMAGE))
    session.commit()
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}/edit").get_data(as_text=True)
    checkbox = '<input {}id="categories-{}" name="categories" type="checkbox" value="{}">'
    assert checkbox.format("checked ", 2, "image") in page
    assert checkbox.format("", 0, "breadwinner") in page


def test_only_a_manager_moves_an_account_to_another_owner(client, session, login, users, book):
    login("sales")
    client.post(f"/accounts/{book['own'].id}/edit", data=_form(owner_id=str(users["rival"].id)))
    session.expire_all()
    assert session.get(Account, book["own"].id).owner_id == users["sales"].id
    client.post("/logout")
    login("manager")
    client.post(f"/accounts/{book['own'].id}/edit", data=_form(owner_id=str(users["rival"].id)))
    session.expire_all()
    assert session.get(Account, book["own"].id).owner_id == users["rival"].id
