"""Marking an account lost on its page, and the lost-revenue report with its CSV."""

from abm.analytics.losses import account_marks


def test_the_owner_marks_an_account_lost_with_a_reason_and_a_note(client, login, session, book):
    login("sales")
    account = book["own"]
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert 'id="loss-form"' in page and "Promises not kept" in page
    response = client.post(f"/accounts/{account.id}/loss", data={
        "action": "lost", "reason": "promises", "note": "<b>late</b> again"})
    assert response.status_code == 302
    [mark] = account_marks(session, account.id)
    assert (mark.action, mark.reason, mark.note) == ("lost", "promises", "<b>late</b> again")
    page = client.get(f"/accounts/{account.id}").get_data(as_text=True)
    assert "&lt;b&gt;late&lt;/b&gt; again" in page


def test_a_reason_outside_the_list_records_nothing(client, login, session, book):
    login("sales")
    client.post(f"/accounts/{book['own'].id}/loss", data={"action": "lost", "reason": "x"})
    assert account_marks(session, book["own"].id) == []


def test_a_sales_user_cannot_mark_someone_elses_account(client, login, session, book):
    login("sales")
    response = client.post(f"/accounts/{book['rival'].id}/loss",
                           data={"action": "lost", "reason": "price"})
    assert response.status_code in (403, 404)
    assert account_marks(session, book["rival"].id) == []


def test_the_report_shows_lost_revenue_by_reason_and_exports_csv(client, login, session, book):
    login("manager")
    client.post(f"/accounts/{book['own'].id}/loss", data={"action": "lost", "reason": "price"})
    page = client.get("/reports/losses?by=year").get_data(as_text=True)
    assert 'id="losses"' in page and "Price" in page
    csv = client.get("/reports/losses.csv?by=year").get_data(as_text=True)
    lines = csv.lstrip("\ufeff").splitlines()  # the BOM tells spreadsheets it is UTF-8
    assert lines[0] == "period,reason,reason_text,accounts,monthly_revenue,annual_revenue"
    assert lines[1].split(",")[1:4] == ["price", "Price", "1"]


def test_sales_users_do_not_see_the_company_report(client, login, book):
    login("sales")
    assert client.get("/reports/losses").status_code == 403
