"""The CSV export of the account list."""

import csv
import io

import pytest

from abm.web.csv_export import safe_cell


def _rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\n=1+1",
                                       " =1+1", "  \n @SUM(A1)", "\u00a0=1", "＝1+1",
                                       "＋1", "－1", "＠SUM(A1)", " ＝1"])
def test_formula_like_text_gets_a_leading_quote(dangerous):
    assert safe_cell(dangerous) == "'" + dangerous


def test_text_that_only_starts_with_spaces_is_kept():
    assert safe_cell("  Acme") == "  Acme"


def test_plain_text_and_numbers_are_kept():
    assert safe_cell("Acme") == "Acme"
    assert safe_cell(-5.5) == -5.5


def test_the_export_holds_the_filtered_accounts(client, login, book):
    login("manager")
    response = client.get("/accounts/export.csv?region=North")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:3] == ["id", "external_id", "name"]
    assert sorted(r[2] for r in rows[1:]) == ["Own Customer", "Rival Customer"]


def test_the_export_follows_the_visibility_rule(client, login, book):
    login("sales")
    names = {r[2] for r in _rows(client.get("/accounts/export.csv"))[1:]}
    assert names == {"Own Customer", "Another Own"}


def test_an_account_name_cannot_inject_a_formula(client, session, login, book):
    book["own"].name = '=HYPERLINK("http://evil.example","click")'
    session.commit()
    login("sales")
    names = [r[2] for r in _rows(client.get("/accounts/export.csv"))[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in names
