"""A refused file: one English sentence for the API and the logs, and its code and
parameters, for the pages and the command line to word it in their reader's language."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from abm import ROOT
from abm.imports.refusals import MESSAGES, reason
from abm.imports.results import ImportFileError

RUSSIAN = {
    MESSAGES["control_in_header"]: "%(file)s, строка %(line)s, столбец %(column)s: %(reason)s "
                                   "— в строке заголовков или до неё",
    MESSAGES["control"]: "управляющий символ %(char)s в значении",
    MESSAGES["line_too_long"]: "строка %(line)s длиннее %(limit)s символов: файл CSV непригоден",
}


def _russian(message: str) -> str:
    return RUSSIAN.get(message, message)


def _russian_number(value, digits: int = 0) -> str:
    return format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale="ru")


def test_a_refusal_says_its_english_sentence_with_figures_grouped_and_places_as_they_are():
    refused = ImportFileError("line_too_long", line=12345, limit=1_048_576)
    assert str(refused) == ("line 12345 is longer than 1,048,576 characters: not a usable CSV "
                            "file")
    assert (refused.code, refused.params) == ("line_too_long", {"line": 12345,
                                                                "limit": 1_048_576})


def test_a_refusal_is_worded_in_the_readers_language_with_its_digits():
    refused = ImportFileError("line_too_long", line=12345, limit=1_048_576)
    assert refused.message(_russian, _russian_number) == (
        "строка 12345 длиннее 1\xa0048\xa0576 символов: файл CSV непригоден")


def test_a_reason_inside_a_refusal_is_worded_with_it():
    refused = ImportFileError("control_in_header", file="h.csv", line=1, column=2,
                              reason=reason("control", char="U+0000"))
    assert str(refused) == ("h.csv, line 1, column 2: control character U+0000 in the value, "
                            "before or in the header row")
    assert refused.message(_russian) == ("h.csv, строка 1, столбец 2: управляющий символ U+0000 "
                                         "в значении — в строке заголовков или до неё")


def test_a_list_is_shown_joined():
    refused = ImportFileError("no_sheet", sheet="Sales", sheets=["Продажи", "Возвраты"])
    assert str(refused) == "no sheet named 'Sales'; the sheets are: Продажи, Возвраты"


def test_a_refusal_crosses_a_process_border_whole():
    refused = pickle.loads(pickle.dumps(ImportFileError("no_rows")))  # noqa: S301 - ours
    assert (type(refused), refused.code, str(refused)) == (
        ImportFileError, "no_rows", "the file has a header but no rows")


def test_a_refusal_keeps_its_code_and_parameters_as_plain_data():
    refused = ImportFileError("mixed_encodings", file="a.csv", line=3, encoding="utf-8")
    assert refused.as_data() == {"error_code": "mixed_encodings",
                                 "error_params": {"file": "a.csv", "line": 3,
                                                  "encoding": "utf-8"}}


def _raised_codes() -> list[tuple[str, str]]:
    """The code of every refusal the importer raises, where it raises it."""
    found = []
    for path in sorted((Path(ROOT) / "abm" / "imports").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                    "ImportFileError", "UnsupportedFile", "EmptyUpload", "reason")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.append((f"{path.name}:{node.lineno}", node.args[0].value))
    return found


def test_every_refusal_raised_has_its_message_in_the_catalogue():
    raised = _raised_codes()
    assert len(raised) > 40, "the scan found too few refusals"
    assert [(where, code) for where, code in raised if code not in MESSAGES] == []


def test_an_unknown_code_is_refused_at_once():
    with pytest.raises(KeyError):
        ImportFileError("no_such_code")
