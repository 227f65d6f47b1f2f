"""Why a row was not imported: one English reason for the API and what is stored, worded
again in the reader's language, by one function, for the pages, the error report and the
command line."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.numbers import format_decimal

from abm import ROOT
from abm.imports.orders import _sign_reason
from abm.imports.results import ImportResult, RowProblem
from abm.imports.row_reasons import MESSAGES, PHRASES, REFUSED, row_reason
from abm.sales.prices import PriceConflict
from abm.workspace.refusals import N_

RUSSIAN = {
    "missing value": "нет значения",
    MESSAGES["too_long"]: "длиннее %(limit)s символов",
    MESSAGES["no_rate"]: "нет курса %(from)s→%(to)s на %(day)s",
    "the period overlaps the price from %(day)s": "период пересекается с ценой от %(day)s",
}


def _russian(message: str) -> str:
    return RUSSIAN.get(message, message)


def _russian_number(value, digits: int = 0) -> str:
    return format_decimal(value, "#,##0" + ("." + "0" * digits if digits else ""), locale="ru")


def _reported(problem: RowProblem) -> dict:
    result = ImportResult(kind="orders")
    result.add_problem(2, "Документ", problem)
    return result.errors[0]


def test_a_fixed_phrase_is_its_own_catalogue_message():
    error = _reported(RowProblem("date", "", "missing value"))
    assert (error["reason"], "code" in error) == ("missing value", False)
    assert row_reason(error) == "missing value"
    assert row_reason(error, _russian) == "нет значения"


def test_a_reason_with_a_value_keeps_its_code_and_is_worded_with_the_readers_digits():
    error = _reported(RowProblem.coded("document", "D" * 2000, "too_long", limit=1000))
    assert error["reason"] == "longer than 1,000 characters"
    assert (error["code"], error["params"]) == ("too_long", {"limit": 1000})
    assert row_reason(error, _russian, _russian_number) == "длиннее 1\xa0000 символов"


def test_a_row_refused_by_another_domains_rule_is_worded_from_its_template():
    refusal = PriceConflict.worded(N_("the period overlaps the price from %(day)s"),
                                   day="2026-06-01")
    error = _reported(RowProblem.refused("valid_from", "2026-05-01", refusal))
    assert error["reason"] == "the period overlaps the price from 2026-06-01"
    assert error["code"] == REFUSED
    assert row_reason(error, _russian) == "период пересекается с ценой от 2026-06-01"


def test_a_reason_stored_by_an_older_version_is_shown_as_it_was_stored():
    assert row_reason({"reason": "some old reason"}, _russian) == "some old reason"
    old_rate = {"reason": "no exchange rate USD→EUR", "code": "no_rate",
                "params": {"source": "USD", "target": "EUR", "day": "2026-10-02"}}
    assert row_reason(old_rate, _russian) == "no exchange rate USD→EUR"
    unknown = {"reason": "as stored", "code": "no_such_code", "params": {}}
    assert row_reason(unknown, _russian) == "as stored"


def _reasons_given() -> tuple[list, list]:
    """The literal reasons and the codes of every row problem the importer reports, with
    where it reports them; an f-string reason counts as a reason the catalogue lacks."""
    where = {"RowProblem": 2, "ValueProblem": 0, "add_error": 3}
    phrases, codes = [], []
    for path in sorted((Path(ROOT) / "abm" / "imports").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            place = f"{path.name}:{node.lineno}"
            if name == "coded" and len(node.args) > 2:
                codes.append((place, node.args[2].value))
            elif name in where and len(node.args) > where[name]:
                reason = node.args[where[name]]
                branches = [reason.body, reason.orelse] if isinstance(reason, ast.IfExp) else [
                    reason]
                for branch in branches:
                    if isinstance(branch, ast.Constant):
                        phrases.append((place, branch.value))
                    elif isinstance(branch, ast.JoinedStr):
                        phrases.append((place, ast.unparse(branch)))
    return phrases, codes


def test_every_reason_the_importer_gives_is_in_the_catalogue():
    phrases, codes = _reasons_given()
    assert len(phrases) > 30 and len(codes) >= 5, "the scan found too few reasons"
    assert [(where, text) for where, text in phrases if text not in PHRASES] == []
    assert [(where, code) for where, code in codes if code not in MESSAGES] == []
    assert {_sign_reason(-1.0), _sign_reason(float("inf"))} <= PHRASES
