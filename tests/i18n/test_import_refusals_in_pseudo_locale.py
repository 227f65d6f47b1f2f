"""A file the importer refuses, as the pages say it in the pseudo-locale: the preview's
notice and the page of a run that failed (see :mod:`tests.i18n.pseudo`)."""

from __future__ import annotations

import io
import re

import pytest

from tests.i18n.pseudo import OPEN, data_words, page_texts, unmarked_words, without_texts
from tests.i18n.test_pages_in_pseudo_locale import ORDERS, _log_in

_FLASH = re.compile(r'<p class="flash flash-error" role="alert">(.*?)</p>', re.S)
REFUSED = {"empty": b"\n  \n\n", "binary": bytes(range(1, 32)) * 100,
           "control character in the header": b"document;da\x00te\nD-1;2026-10-02\n"}


NAME = "Отгрузки за октябрь.csv"  # the user's file, named where a refusal names it


def _upload(client, content: bytes) -> str:
    response = client.post("/imports/", data={"kind": "orders", "currency": "EUR",
                                              "file": (io.BytesIO(content), NAME)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return response.location


@pytest.mark.parametrize("content", REFUSED.values(), ids=REFUSED.keys())
def test_the_preview_of_a_refused_file_says_why_in_the_catalogue(pseudo_app, demo_words,
                                                                 content):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    page = client.get(_upload(client, content), follow_redirects=True).get_data(as_text=True)
    flashes = _FLASH.findall(page)
    assert len(flashes) == 1, page
    assert OPEN in flashes[0], flashes[0]
    assert unmarked_words(flashes[0], demo_words | data_words([NAME])) == []


def test_a_refusal_names_the_file_as_the_user_sent_it(pseudo_app, demo_words):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    location = _upload(client, REFUSED["control character in the header"])
    page = client.get(location, follow_redirects=True).get_data(as_text=True)
    flash = _FLASH.search(page).group(1)
    assert flash.startswith(f"{NAME}{OPEN}, ")
    assert unmarked_words(flash, demo_words | data_words([NAME])) == []


def test_the_columns_a_preview_misses_are_named_in_the_catalogue(pseudo_app, demo_words):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    page = client.get(_upload(client, b"document;date;revenue\nD-1;2026-10-02;100\n"))
    missing = re.search(r'<p class="error" id="missing-columns">(.*?)</p>',
                        page.get_data(as_text=True), re.S).group(1)
    assert missing.count(OPEN) >= 3, missing  # the sentence, each label and the "or"
    assert unmarked_words(missing, demo_words) == []


def _run_jobs(app) -> None:
    from rq import SimpleWorker

    from abm.queue import PromptExit, get_redis

    class Worker(PromptExit, SimpleWorker):
        pass

    redis = get_redis(app)
    Worker([redis.queue("imports")], connection=redis.connection).work(burst=True)


def test_the_page_of_a_run_that_refused_its_file_says_why_in_the_catalogue(
        pseudo_app, demo_words, demo_texts):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    preview = _upload(client, ORDERS.splitlines(keepends=True)[0].encode())
    started = client.post(preview, data={})
    assert started.status_code == 302, started.get_data(as_text=True)
    with pseudo_app.app_context():
        _run_jobs(pseudo_app)
    page = client.get(started.location).get_data(as_text=True)
    assert 'data-status="failed"' in page
    error = re.search(r'<p class="error" id="import-error">(.*?)</p>', page, re.S).group(1)
    assert error.startswith(OPEN), error
    found = [text for text in page_texts(page)
             if unmarked_words(without_texts(text, demo_texts), demo_words)]
    assert found == []
