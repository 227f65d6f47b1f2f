"""Greetings through the running product: contacts imported with their language and birthday,
a birthday campaign scheduled on its trigger, and each contact greeted in their own language
at the loopback SMTP server."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import date
from pathlib import Path

from tests.e2e.test_campaigns import _account_codes, _new_campaign, _save_offer

RUSSIAN = "olga.birthday@greetings.test"
ENGLISH = "john.birthday@greetings.test"


def _contacts_file(path: Path, code: str) -> Path:
    """A contacts export as a Russian CRM writes it: Russian headers, today's birthdays."""
    today = date.today()
    born = today.replace(year=1985) if (today.month, today.day) != (2, 29) else date(1984, 2, 29)
    rows = ["ФИО;Код клиента;E-mail;Роль;Согласие на рассылку;Источник согласия;Язык;"
            "Дата рождения;Телефон",
            f"Ольга Петрова;{code};{RUSSIAN};Закупки;да;выставка;ru;{born:%d.%m.%Y};"
            "+7 495 123-45-67",
            f"John Smith;{code};{ENGLISH};technical;yes;web form;en;{born:%d.%m.%Y};"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import_contacts(page, base: str, source: Path) -> dict[str, str]:
    page.goto(base + "/imports/")
    page.select_option("#kind", "contacts")
    page.set_input_files("#file", str(source))
    page.click("#upload-form button[type=submit]")
    assert page.locator("#map-language").input_value() == "Язык"
    assert page.locator("#map-marketing_consent").input_value() == "Согласие на рассылку"
    page.click("#mapping-form button[type=submit]")
    page.wait_for_url("**/imports/runs/**")
    page.wait_for_selector("#import-run[data-status=finished]", timeout=60_000)
    facts = page.locator("#import-result dt").all_inner_texts()
    values = page.locator("#import-result dd").all_inner_texts()
    return dict(zip(facts, values, strict=True))


def _received(inbox, address: str, seconds: float = 120) -> email.message.EmailMessage:
    deadline = time.monotonic() + seconds
    while not inbox.to(address):
        assert time.monotonic() < deadline, f"no greeting reached {address} in {seconds} s"
        time.sleep(1)
    _at, raw = inbox.to(address)[0]
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_imported_contacts_get_a_birthday_greeting_each_in_their_language(
        served_mail, visit_mail, inbox, tmp_path):
    manager = visit_mail("manager")
    (_id, code), = _account_codes(manager.page, served_mail.url, 1, "sort=name", skip=1)
    result = _import_contacts(manager.page, served_mail.url,
                              _contacts_file(tmp_path / "contacts.csv", code))
    assert (result["Created"], result["Rows with errors"]) == ("2", "0")

    marketing = visit_mail("marketing")
    page = marketing.page
    campaign_id = _new_campaign(page, served_mail.url, "Birthdays", "greeting", [code])
    url = f"{served_mail.url}/campaigns/{campaign_id}"
    page.goto(url)
    _save_offer(page, title="Birthday wishes", holdout_percent="0")
    page.check("#schedule-form input[name=mode][value=trigger]")
    page.select_option("#schedule-form select[name=trigger]", "birthday")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("text=each occasion is greeted as it comes")
    marketing.shot("greeting-scheduled")

    russian = _received(inbox, RUSSIAN)
    body = russian.get_body(("plain",)).get_content()
    assert "день рождения" in body, body
    assert "рождения" in russian["subject"]
    assert "Ольга" in russian["subject"]
    english = _received(inbox, ENGLISH)
    assert "birthday" in english["subject"].lower()
    assert "birthday" in english.get_body(("plain",)).get_content().lower()
    assert "рождения" not in english.get_body(("plain",)).get_content()
    assert manager.errors == [] and marketing.errors == []
