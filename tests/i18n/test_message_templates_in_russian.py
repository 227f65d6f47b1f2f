"""The Russian default message templates say nothing in English.

What a template says itself is its text between the tags and the quoted literals in
its printed expressions (``kam.name or 'Ваша команда'``); the rest (variables, filters, tags,
markup) is code. The English templates are the English version and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from abm import ROOT
from tests.i18n.pseudo import unmarked_words

TEMPLATES = sorted((Path(ROOT) / "templates" / "campaigns").glob("*.ru.*"))
_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_OUTPUT = re.compile(r"\{\{.*?\}\}", re.S)
_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_MARKUP = re.compile(r"<[^>]*>|&\w+;")


def what_it_says(source: str) -> list[str]:
    """The template's own words: its text outside code and markup, and the literals its
    expressions may print (those of ``{% if kind == 'birthday' %}`` are codes compared)."""
    literals = [a or b for code in _OUTPUT.findall(source) for a, b in _LITERAL.findall(code)]
    text = _MARKUP.sub(" ", _CODE.sub(" ", source))
    return [*text.splitlines(), *literals]


def test_there_are_russian_templates_of_every_kind():
    from abm.campaigns.models import CampaignKind

    kinds = {path.name.split(".")[0] for path in TEMPLATES}
    assert {kind.value for kind in CampaignKind} <= kinds


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
def test_a_russian_template_says_nothing_in_english(path):
    found = [line for line in what_it_says(path.read_text(encoding="utf-8"))
             if unmarked_words(line)]
    assert found == []


def test_the_check_finds_english_text_and_literals():
    source = "<p>Здравствуйте, {{ name or 'dear customer' }}!</p>\n<p>Best regards</p>"
    found = [line.strip() for line in what_it_says(source) if unmarked_words(line)]
    assert found == ["Best regards", "dear customer"]
