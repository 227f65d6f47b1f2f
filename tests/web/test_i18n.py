"""English and Russian: the user's choice, translated pages, locale formats, a current catalogue."""

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from abm import ROOT
from abm.users.models import User

CATALOGUE = Path(ROOT) / "abm" / "translations" / "ru" / "LC_MESSAGES"


def test_the_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        po = read_po(fh)
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        mo = read_mo(fh)
    def key(message):
        return tuple(message.id) if isinstance(message.id, list | tuple) else message.id

    def text(message):
        return tuple(message.string) if isinstance(message.string, list | tuple) else message.string

    expected = {key(m): text(m) for m in po if m.id and m.string and "fuzzy" not in m.flags}
    compiled = {key(m): text(m) for m in mo if m.id}
    assert compiled == expected, "run: pybabel compile -d abm/translations"


def test_every_message_is_translated_into_russian():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        po = read_po(fh)
    untranslated = [m.id for m in po if m.id and (not m.string or not all(
        m.string if isinstance(m.string, tuple) else [m.string]))]
    assert untranslated == []


def test_every_entry_of_the_catalogue_stands_once_and_apart():
    """Branches add entries side by side (the .po merges as a union): two of one message, or
    an entry glued to the one before it, would be taken silently by babel but not by msgfmt."""
    text = (CATALOGUE / "messages.po").read_text(encoding="utf-8")
    ids = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid ("(?:.*)"\n(?:".*"\n)*)(?:msgid_plural|msgstr)',
                     text, flags=re.MULTILINE)
    twice = sorted({key for key in ids if ids.count(key) > 1})
    glued = re.findall(r'^(?:msgstr\S* |")[^\n]*\n(?=#|msgid |msgctxt )', text, flags=re.MULTILINE)
    assert (twice, glued) == ([], [])


def test_the_browser_language_is_used_before_any_choice(client):
    page = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert "Войти" in page.get_data(as_text=True)


def test_choosing_a_language_keeps_it_on_the_user(client, session, login, users):
    login("sales")
    response = client.post("/language", data={"lang": "ru", "next": "/accounts/"})
    assert response.location == "/accounts/"
    session.expire_all()
    assert session.get(User, users["sales"].id).language == "ru"
    assert "Клиенты" in client.get("/accounts/").get_data(as_text=True)


def test_an_unknown_language_or_foreign_next_is_ignored(client, login):
    login("sales")
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.location == "/"
    assert "Dashboard" in client.get("/").get_data(as_text=True)


def test_money_and_counts_follow_the_locale(client, login, book):
    login("manager")
    english = client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    assert "€55,000" in english and "1 account" in english
    client.post("/language", data={"lang": "ru"})
    russian = client.get("/accounts/?q=Own Customer").get_data(as_text=True)
    assert "55\u00a0000\u00a0€" in russian and "1 клиент" in russian


def test_russian_plural_forms(client, login, book):
    login("manager")
    client.post("/language", data={"lang": "ru"})
    assert "4 клиента" in client.get("/accounts/").get_data(as_text=True)
