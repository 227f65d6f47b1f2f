"""A pseudo-locale that marks every catalogue string, and a finder of unmarked English.

The Russian catalogue is copied with each literal part of every translation wrapped
in markers (placeholders stay outside, so the values put into a sentence are checked
too) and compiled for the locale ``ru``: numbers, dates and plural forms stay Russian.
What a page shows outside the markers is either data (names, SKUs, addresses, numbers,
currency codes) or a sentence that never went through the catalogue.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.core import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import list_currencies

from abm import ROOT

OPEN, CLOSE = "\u27e6", "\u27e7"
CATALOGUE = Path(ROOT) / "abm" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
_PLACEHOLDER = re.compile(r"(%\(\w+\)[sdfr]|%[sdf]|\{\w*\})")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|\b(?:https?|mailto)://\S+|\bwww\.\S+")
_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
CURRENCIES = frozenset(Locale.parse("en").currencies) | frozenset(list_currencies())
# Names that are the same in every language: the product, file formats, time zones; and
# CLDR's own currency names (what the locale data says, not the catalogue).
NAMES = frozenset({"abm", "csv", "xlsx", "UTC", "ABC-XYZ", "API", "SMTP", "CSV", "XLSX"}) | {
    word for code, name in Locale.parse("ru").currencies.items()
    for word in (code, *re.findall(r"[^\W\d_][\w'’.-]*", name))}


def mark(text: str) -> str:
    """``"Шаг %(n)s из %(m)s"`` -> ``"⟦Шаг ⟧%(n)s⟦ из ⟧%(m)s"``."""
    parts = _PLACEHOLDER.split(text)
    return "".join(part if _PLACEHOLDER.fullmatch(part) or not part.strip()
                   else f"{OPEN}{part}{CLOSE}" for part in parts)


def build_pseudo_catalogue(directory: Path) -> Path:
    """Write ``directory/ru/LC_MESSAGES/messages.mo``, every translation marked."""
    with open(CATALOGUE, "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(mark(s) for s in message.string)
        elif message.string:
            message.string = mark(message.string)
    target = directory / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.mo", "wb") as fh:
        write_mo(fh, catalog)
    return directory


def strip_marked(text: str) -> str:
    """The text without its marked parts (a marked sentence may hold a marked value)."""
    previous = None
    while previous != text:
        previous, text = text, _MARKED.sub(" ", text)
    return text


def without_texts(text: str, texts: frozenset[str]) -> str:
    """The unmarked text less the parts that are a stored free text whole (a note, a
    reason), as a page shows them: between " · ", in parentheses, after a colon."""
    text = strip_marked(text)
    if text.strip(" :·…") in texts:
        return ""
    parts = re.split(r" · |\(|\)", text)
    return " ".join(p for p in parts if p.strip(" :·…") not in texts)


def unmarked_words(text: str, data_words: frozenset[str] = frozenset()) -> list[str]:
    """The Latin words of three letters or more outside the markers and the data."""
    text = strip_marked(text)
    text = _EMAIL_OR_URL.sub(" ", text)
    found = []
    for token in _TOKEN.findall(text):
        token = token.strip(".-'’")
        if any(ch.isdigit() for ch in token) or token in CURRENCIES or token in NAMES:
            continue
        if token in data_words or token.lower() in data_words:
            continue
        if _LATIN_WORD.search(token):
            found.append(token)
    return found


def data_words(values) -> frozenset[str]:
    """Every word of the given data values (names, SKUs, cities...)."""
    words = set()
    for value in values:
        if isinstance(value, str):
            for token in _TOKEN.findall(value):
                token = token.strip(".-'’")
                words.add(token)
                words.add(token.lower())
    return frozenset(words)


VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


class _Text(HTMLParser):
    """The text nodes of a page and the attributes a person reads, outside scripts and styles
    and codes (``<code>``: a setting's key, an audit target: identifiers typed as they are),
    and outside elements that declare another language (``lang="en"``: a message shown in
    its recipient's language, a language's own name in the language switch)."""

    READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if self._skip or tag in ("script", "style", "textarea", "code") or any(
                name == "lang" and value not in ("ru", None) for name, value in attrs):
            if tag not in VOID:
                self._skip += 1
            return
        for name, value in attrs:
            if name in self.READ_ATTRIBUTES and value:
                self.texts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if self._skip and tag not in VOID:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def page_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts
