"""The import page: upload, confirm the columns, watch the job, download the error report."""

import csv
import io
import re

from sqlalchemy import select

from abm.sales.models import OrderLine

ORDERS = (
    "Документ;Дата;Клиент код;Сумма\n"
    "D1;2026-10-02;C1;100,50\n"
    "D2;2026-10-03;C1;200\n"
    "D3;not a date;C1;5\n"
)


def _upload(client, text=ORDERS, name="orders.csv", kind="orders"):
    return client.post("/imports/", data={"kind": kind,
                                          "file": (io.BytesIO(text.encode()), name)},
                       content_type="multipart/form-data")


def test_an_upload_leads_to_a_preview_of_the_columns(client, login, book):
    login("manager")
    response = _upload(client)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Сумма" in page and "D2" in page
    assert '<option value="Дата" selected>Дата</option>' in page


def test_a_file_of_another_type_is_refused(client, login, book):
    login("manager")
    response = _upload(client, name="orders.exe")
    assert response.status_code == 422
    assert "Upload a .csv or .xlsx file." in response.get_data(as_text=True)


def test_a_missing_required_column_must_be_chosen(client, login, book):
    login("manager")
    location = _upload(client, text="Документ;Когда;Сумма\nD1;2026-10-02;1\n").location
    page = client.get(location).get_data(as_text=True)
    assert "Required columns not found: Date" in page
    token, kind = re.search(r"/imports/(\w+)\?kind=(\w+)", location).groups()
    response = client.post(f"/imports/{token}", data={"kind": kind, "map-revenue": "Сумма"})
    assert "Choose a column for: Date" in response.get_data(as_text=True)


def test_confirming_imports_in_a_worker_and_reports_the_bad_rows(client, session, login, book,
                                                                 run_jobs):
    login("manager")
    location = _upload(client).location
    token = re.search(r"/imports/(\w+)\?", location).group(1)
    response = client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма", "map-account": "Клиент код",
        "map-document": "Документ"})
    assert response.status_code == 302 and "/imports/runs/" in response.location
    waiting = client.get(response.location).get_data(as_text=True)
    assert 'http-equiv="refresh"' in waiting
    run_jobs()
    page = client.get(response.location).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and 'data-status="finished"' in page
    assert session.scalar(select(OrderLine.revenue).where(OrderLine.document == "D1")) == 100.5
    report = client.get(response.location + "/errors.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    assert rows[0] == ["line", "column", "value", "reason"]
    assert rows[1][:3] == ["4", "Дата", "not a date"]


def _confirm(client):
    location = _upload(client).location
    token = re.search(r"/imports/(\w+)\?", location).group(1)
    return client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма", "map-account": "Клиент код",
        "map-document": "Документ"}).location


def test_the_import_page_follows_the_analytics_refresh_until_it_is_done(client, login, book,
                                                                        run_jobs):
    login("manager")
    location = _confirm(client)
    run_jobs(["imports"])
    page = client.get(location).get_data(as_text=True)
    assert 'id="import-run" data-status="finished"' in page
    assert 'id="analytics-refresh" data-status="queued"' in page
    assert 'http-equiv="refresh"' in page  # still watching
    run_jobs(["analytics"])
    page = client.get(location).get_data(as_text=True)
    assert 'id="analytics-refresh" data-status="finished"' in page
    assert "Analytics are up to date" in page and 'http-equiv="refresh"' not in page


def test_an_import_that_changes_nothing_starts_no_refresh(client, login, book, run_jobs):
    login("manager")
    _confirm(client)
    run_jobs()
    location = _confirm(client)  # the same file again: every line is unchanged
    run_jobs(["imports"])
    page = client.get(location).get_data(as_text=True)
    assert 'id="import-run" data-status="finished"' in page
    assert 'id="analytics-refresh"' not in page and 'http-equiv="refresh"' not in page


def test_a_token_is_never_a_path(client, login, book):
    login("manager")
    assert client.get("/imports/..%2f..%2fsecret_key?kind=orders").status_code == 404


def test_sales_and_marketing_cannot_import(client, login, book):
    login("sales")
    assert client.get("/imports/").status_code == 403


def test_the_upload_page_offers_the_workspace_currency_first(client, login, session, book):
    from abm.settings.services import set_settings

    set_settings(session, {"workspace.currency": "RUB"})
    session.commit()
    login("manager")
    page = client.get("/imports/").get_data(as_text=True)
    options = re.findall(r'<option (?:selected )?value="([A-Z]{3})"', page)
    assert options[0] == "RUB" and {"EUR", "USD"} <= set(options)
    assert re.search(r'<option selected value="RUB"', page)


def test_a_file_in_another_currency_is_converted_or_its_lines_reported_in_russian(
        client, session, login, book, run_jobs):
    from datetime import date

    from abm.currencies.services import save_rate

    save_rate(session, currency="USD", rate=0.5, valid_from=date(2026, 10, 3), user_id=None)
    session.commit()
    login("manager")
    client.post("/language", data={"lang": "ru"})
    response = client.post("/imports/", data={
        "kind": "orders", "currency": "USD",
        "file": (io.BytesIO(ORDERS.encode()), "orders.csv")}, content_type="multipart/form-data")
    assert "currency=USD" in response.location
    preview = client.get(response.location).get_data(as_text=True)
    assert '<option value="USD" selected>' in preview
    token = re.search(r"/imports/(\w+)\?", response.location).group(1)
    run = client.post(f"/imports/{token}", data={
        "kind": "orders", "currency": "USD", "map-date": "Дата", "map-revenue": "Сумма",
        "map-account": "Клиент код", "map-document": "Документ"}).location
    run_jobs(["imports"])
    assert session.execute(select(OrderLine.revenue, OrderLine.original_revenue).where(
        OrderLine.document == "D2")).one() == (100.0, 200.0)
    page = client.get(run).get_data(as_text=True)
    assert "нет курса USD→EUR на 2026-10-02; добавьте его на странице «Курсы валют»" in page
    report = client.get(run + "/errors.csv").get_data(as_text=True)
    assert "2,Сумма,\"100,50\",нет курса USD→EUR на 2026-10-02" in report


GERMAN = "Beleg;Datum;Kunde;Summe\nB1;2026-10-02;Müller Straße;10\nB2;2026-10-03;Bäcker AG;5\n"
MIXED = ("Документ;Дата;Контрагент;Сумма\n" + "".join(
    f"D{i};2026-10-02;Ромашка {i};10\n" for i in range(20))).encode("cp1251") + "".join(
    f"E{i};2026-10-03;Müller Straße {i};10\n" for i in range(20)).encode("latin_1")
MAPPING = {"kind": "orders", "map-date": "Дата", "map-revenue": "Сумма",
           "map-account_name": "Контрагент", "map-document": "Документ"}


def _upload_bytes(client, content: bytes, name="orders.csv"):
    response = client.post("/imports/", data={"kind": "orders",
                                              "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    return re.search(r"/imports/(\w+)\?", response.location).group(1), response.location


def test_the_preview_tells_the_detected_encoding_and_its_confidence(client, login, book):
    login("manager")
    _, location = _upload_bytes(client, GERMAN.encode("latin_1"))
    page = client.get(location).get_data(as_text=True)
    assert "Müller Straße" in page and "Bäcker AG" in page
    assert '<option value="" selected>Detected: cp1252</option>' in page
    assert "Detected with a confidence of 100%." in page
    assert 'id="encoding-warning"' not in page


def test_another_encoding_chosen_shows_the_rows_in_it_with_a_warning(client, login, book):
    login("manager")
    token, _ = _upload_bytes(client, GERMAN.encode("latin_1"))
    page = client.post(f"/imports/{token}", data={"kind": "orders", "encoding": "cp1251",
                                                  "show": "Show"}).get_data(as_text=True)
    assert "Mьller StraЯe" in page
    assert '<option value="cp1251" selected>cp1251</option>' in page
    assert "words mix Latin and Cyrillic letters (e.g. “Mьller”)" in page
    assert 'name="confirm"' in page


def test_a_file_that_reads_implausibly_is_imported_only_once_confirmed(
        client, session, login, book, run_jobs):
    login("manager")
    token, location = _upload_bytes(client, MIXED)
    page = client.get(location).get_data(as_text=True)
    assert 'id="encoding-warning"' in page
    refused = client.post(f"/imports/{token}", data=MAPPING)
    assert refused.status_code == 200
    assert "The text looks wrong in this encoding" in refused.get_data(as_text=True)
    assert run_jobs(["imports"]) is None and session.scalar(select(OrderLine.id)) is None
    confirmed = client.post(f"/imports/{token}", data={**MAPPING, "confirm": "y"})
    assert "/imports/runs/" in confirmed.location
    run_jobs(["imports"])
    page = client.get(confirmed.location).get_data(as_text=True)
    assert 'data-status="finished"' in page and "Read as cp1251." in page
    assert len(session.scalars(select(OrderLine.id)).all()) == 40


def test_the_encoding_chosen_on_the_preview_is_the_one_imported(client, session, login, book,
                                                                run_jobs):
    login("manager")
    token, _ = _upload_bytes(client, MIXED)
    page = client.post(f"/imports/{token}", data={**MAPPING, "encoding": "cp1251"})
    assert "The text looks wrong in this encoding" in page.get_data(as_text=True)
    run = client.post(f"/imports/{token}", data={**MAPPING, "encoding": "cp1251",
                                                 "confirm": "y"}).location
    assert "/imports/runs/" in run
    run_jobs(["imports"])
    from abm.accounts.models import Account

    names = set(session.scalars(select(Account.name)))
    assert "Ромашка 1" in names and "Mьller StraЯe 1" in names  # as chosen, and shown


def test_an_import_that_stops_part_way_says_so_on_its_page(client, session, login, book,
                                                            run_jobs, monkeypatch):
    from abm.imports import csv_lines, orders

    monkeypatch.setattr(orders, "BATCH", 10)
    monkeypatch.setattr(csv_lines, "MAX_LINE", 200)
    rows = "".join(f"D{i};2026-10-02;C1;{i}\n" for i in range(25))
    login("manager")
    token, _ = _upload_bytes(client, (ORDERS.splitlines(keepends=True)[0] + rows + "x" * 300
                                      + "\n").encode())
    run = client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма",
        "map-account": "Клиент код", "map-document": "Документ"}).location
    run_jobs(["imports"])
    page = client.get(run).get_data(as_text=True)
    assert 'data-status="finished"' in page
    assert ("The import stopped part-way: line 27 is longer than 200 characters: not a usable "
            "CSV file. The rows before were imported") in page
    assert len(session.scalars(select(OrderLine.id)).all()) == 25
    client.post("/language", data={"lang": "ru"})
    page = client.get(run).get_data(as_text=True)
    assert ("Импорт остановлен на середине: строка 27 длиннее 200 символов: файл CSV "
            "непригоден.") in page


def test_the_preview_reads_a_bounded_number_of_rows(client, login, book, monkeypatch):
    from abm.imports import preview

    monkeypatch.setattr(preview, "PREVIEW_SCAN", 50)
    login("manager")
    _, location = _upload_bytes(client, (ORDERS.splitlines(keepends=True)[0]
                                         + ";;;\n" * 5000 + "D9;2026-10-02;C1;1\n").encode())
    page = client.get(location).get_data(as_text=True)
    assert "Check the columns" in page and "D9" not in page


def test_the_encoding_warning_is_in_russian_too(client, login, book):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    token, _ = _upload_bytes(client, GERMAN.encode("latin_1"))
    page = client.post(f"/imports/{token}", data={"kind": "orders", "encoding": "cp1251",
                                                  "show": "Show"}).get_data(as_text=True)
    assert "Кодировка текста" in page
    assert ("В кодировке cp1251 в 3 из 3 слов смешаны латинские и русские буквы (например, "
            "«Mьller»)") in page


def test_a_refused_file_is_said_on_the_preview_in_the_readers_language(client, login, book):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    _, location = _upload_bytes(client, b"\n  \n\n")
    page = client.get(location, follow_redirects=True).get_data(as_text=True)
    assert '<p class="flash flash-error" role="alert">файл пуст</p>' in page
    assert "the file is empty" not in page


def _refused_run(client, run_jobs) -> str:
    """The run page of a file with a header and no rows, confirmed on its preview."""
    token, _ = _upload_bytes(client, ORDERS.splitlines(keepends=True)[0].encode())
    run = client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма",
        "map-account": "Клиент код", "map-document": "Документ"}).location
    assert "/imports/runs/" in run
    run_jobs(["imports"])
    return run


def test_a_file_the_worker_refuses_is_said_on_its_run_page_in_the_readers_language(
        client, login, book, run_jobs):
    login("manager")
    run = _refused_run(client, run_jobs)
    page = client.get(run).get_data(as_text=True)
    assert 'data-status="failed"' in page
    assert '<p class="error" id="import-error">the file has a header but no rows</p>' in page
    client.post("/language", data={"lang": "ru"})
    page = client.get(run).get_data(as_text=True)
    assert "в файле есть заголовки, но нет ни одной строки данных" in page
    assert "the file has a header but no rows" not in page


def test_a_failed_run_without_a_refusal_kept_shows_the_message_it_stored(
        client, session, login, book):
    from abm.runs.models import JobRun, RunStatus

    session.add(JobRun(id="older-run", kind="import:orders", queue="imports",
                       status=RunStatus.FAILED, error="the file is empty"))
    session.commit()
    login("manager")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/imports/runs/older-run").get_data(as_text=True)
    assert '<p class="error" id="import-error">the file is empty</p>' in page


SENT_NAME = "Отгрузки <октябрь> & Co.csv"
SHOWN_NAME = "Отгрузки &lt;октябрь&gt; &amp; Co.csv"


def test_a_refused_file_is_named_on_the_preview_as_the_user_sent_it(client, login, book):
    login("manager")
    token, location = _upload_bytes(client, b"Doc;Da\x00te\nD1;2026-10-02\n", name=SENT_NAME)
    page = client.get(location, follow_redirects=True).get_data(as_text=True)
    assert (f'<p class="flash flash-error" role="alert">{SHOWN_NAME}, line 1, column 2: control '
            "character U+0000 in the value") in page
    assert token not in page


def test_a_file_the_worker_refuses_is_named_on_its_run_page_as_the_user_sent_it(
        client, login, book, run_jobs, monkeypatch):
    from abm.imports import readers

    monkeypatch.setattr(readers, "SAMPLE", 64)  # the detection sees UTF-8 only
    login("manager")
    content = (ORDERS.splitlines(keepends=True)[0]
               + "".join(f"D{i};2026-10-02;C1;{i}\n" for i in range(20))).encode()
    token, _ = _upload_bytes(client, content + "D99;2026-10-03;C1;Привет\n".encode("cp1251"),
                             name=f"home/me/exports/{SENT_NAME}")
    run = client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма",
        "map-account": "Клиент код", "map-document": "Документ"}).location
    run_jobs(["imports"])
    page = client.get(run).get_data(as_text=True)
    assert 'data-status="failed"' in page
    assert (f'<p class="error" id="import-error">{SHOWN_NAME}, line 22: the file mixes '
            "encodings") in page
    assert token not in page and "exports/" not in page


def test_a_missing_account_column_is_asked_for_by_the_labels_of_its_alternatives(
        client, login, book):
    login("manager")
    token, location = _upload_bytes(client, "Документ;Дата;Сумма\nD1;2026-10-02;1\n".encode())
    page = client.get(location).get_data(as_text=True)
    assert ('<p class="error" id="missing-columns">Required columns not found: Account code or '
            "Account name</p>") in page
    assert re.search(r'class="field invalid">\s*<label for="map-account_name">', page)
    client.post("/language", data={"lang": "ru"})
    response = client.post(f"/imports/{token}", data={"kind": "orders", "map-date": "Дата"})
    page = response.get_data(as_text=True)
    assert "Выберите столбец для: Код клиента или Название клиента" in page
    assert "Не найдены обязательные столбцы: Код клиента или Название клиента" in page


def test_every_field_of_every_import_kind_has_a_label():
    from abm.imports.columns import FIELDS
    from abm.web.labels import LABELS

    assert [(kind, field.name) for kind, fields in FIELDS.items() for field in fields
            if field.name not in LABELS["import_field"]] == []


def test_the_run_page_and_the_report_say_a_reason_with_a_value_in_russian(
        client, login, book, run_jobs):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    token, _ = _upload_bytes(client, (ORDERS + "D" * 101 + ";2026-10-04;C1;5\n").encode())
    run = client.post(f"/imports/{token}", data={
        "kind": "orders", "map-date": "Дата", "map-revenue": "Сумма",
        "map-account": "Клиент код", "map-document": "Документ"}).location
    run_jobs(["imports"])
    page = client.get(run).get_data(as_text=True)
    assert "<td>длиннее 100 символов</td>" in page
    report = client.get(run + "/errors.csv").get_data(as_text=True)
    assert report.rstrip().endswith(",длиннее 100 символов")


def test_an_overlapping_price_is_said_on_the_run_page_in_russian(client, session, login, book,
                                                                 run_jobs):
    from abm.sales.models import Product

    session.add(Product(sku="A1", name="Nails"))
    session.commit()
    login("manager")
    client.post("/language", data={"lang": "ru"})
    response = client.post("/imports/", data={
        "kind": "prices", "currency": "EUR", "file": (io.BytesIO(
            b"sku;price;valid from;valid to\n"
            b"A1;10;2026-06-01;2026-06-30\nA1;11;2026-05-01;2026-06-15\n"), "prices.csv")},
        content_type="multipart/form-data")
    token = re.search(r"/imports/(\w+)\?", response.location).group(1)
    run = client.post(f"/imports/{token}", data={
        "kind": "prices", "currency": "EUR", "map-sku": "sku", "map-price": "price",
        "map-valid_from": "valid from", "map-valid_to": "valid to"}).location
    run_jobs(["imports"])
    page = client.get(run).get_data(as_text=True)
    assert ("<td>действует с: период пересекается с ценой от 2026-06-01 (10 EUR)</td>"
            in page), page
