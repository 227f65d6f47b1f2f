"""Prospects worked by competitors in the web UI: the dossier form and the list filter."""

from abm.accounts.models import Account


def test_the_dossier_form_records_the_competitors_key_client_and_the_plan(
        client, login, session, book):
    login("manager")
    prospect = book["prospect"]
    response = client.post(f"/accounts/{prospect.id}/edit", data={
        "name": prospect.name, "current_supplier": "Rival Ltd",
        "competitor_key_client": "y", "win_plan": "Visit the buyer, offer a trial"})
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    saved = session.get(Account, prospect.id)
    assert (saved.competitor_key_client, saved.win_plan) == (
        True, "Visit the buyer, offer a trial")
    page = client.get(f"/accounts/{prospect.id}").get_data(as_text=True)
    assert 'id="competitor-key-client"' in page and "Visit the buyer, offer a trial" in page
    listed = client.get("/accounts/?competitor=key_client").get_data(as_text=True)
    assert prospect.name in listed and "Own Customer" not in listed


def test_an_unchecked_box_clears_the_mark(client, login, session, book):
    login("manager")
    prospect = book["prospect"]
    prospect.competitor_key_client = True
    session.commit()
    client.post(f"/accounts/{prospect.id}/edit", data={"name": prospect.name})
    session.expire_all()
    assert session.get(Account, prospect.id).competitor_key_client is False
