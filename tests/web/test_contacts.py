"""Adding and editing the decision-making unit of an account."""

from sqlalchemy import select

from abm.accounts.models import Contact, ContactRole


def test_the_owner_adds_a_decision_maker(client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/contacts/new", data={
        "name": "Ivan Owner", "role": "owner", "email": "Ivan@Own.Test", "language": "ru",
        "birthday": "1975-03-08", "marketing_consent": "y"})
    assert response.status_code == 302
    contact = session.scalar(select(Contact).where(Contact.name == "Ivan Owner"))
    assert (contact.role, contact.email, contact.language, contact.marketing_consent) == (
        ContactRole.OWNER, "ivan@own.test", "ru", True)
    assert str(contact.birthday) == "1975-03-08"


def test_a_contact_without_a_name_is_refused_with_a_message(client, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/contacts/new",
                           data={"name": "", "role": "owner", "language": "en"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_editing_a_contact_of_another_account_is_not_found(client, session, login, book):
    olga = session.scalar(select(Contact).where(Contact.name == "Olga Buyer"))
    login("sales")
    url = f"/accounts/{book['own2'].id}/contacts/{olga.id}"
    assert client.get(url).status_code == 404


def test_the_role_changes(client, session, login, book):
    olga = session.scalar(select(Contact).where(Contact.name == "Olga Buyer"))
    login("manager")
    client.post(f"/accounts/{book['own'].id}/contacts/{olga.id}",
                data={"name": "Olga Buyer", "role": "accounting", "language": "en"})
    session.expire_all()
    assert session.get(Contact, olga.id).role is ContactRole.ACCOUNTING


def test_marketing_cannot_edit_contacts(client, login, book):
    login("marketing")
    assert client.get(f"/accounts/{book['own'].id}/contacts/new").status_code == 403


def test_an_international_address_is_stored_normalised(client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/contacts/new", data={
        "name": "Иван Примеров", "role": "owner", "email": " Иван@ПРИМЕР.рф ", "language": "ru"})
    assert response.status_code == 302
    contact = session.scalar(select(Contact).where(Contact.name == "Иван Примеров"))
    assert contact.email == "иван@пример.рф"


def test_an_invalid_address_is_refused_with_the_reason_and_nothing_is_saved(
        client, session, login, book):
    login("sales")
    response = client.post(f"/accounts/{book['own'].id}/contacts/new", data={
        "name": "Dot Dot", "role": "owner", "email": "dot..dot@own.test", "language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This is not a valid email address: " in page
    assert "two periods in a row" in page
    assert session.scalar(select(Contact).where(Contact.name == "Dot Dot")) is None


def test_the_contact_form_asks_for_gender_only_where_the_workspace_keeps_it(
        client, login, session, book):
    from abm.accounts.settings import ContactSettings
    from abm.settings.services import update_settings

    login("manager")
    url = f"/accounts/{book['own'].id}/contacts/new"
    assert 'name="gender"' not in client.get(url).get_data(as_text=True)
    assert 'name="consent_source"' in client.get(url).get_data(as_text=True)
    update_settings(session, ContactSettings, greetings_by_gender=True)
    session.commit()
    assert 'name="gender"' in client.get(url).get_data(as_text=True)
