"""The text output of the main commands, with ``ABM_LANGUAGE=ru``, in the pseudo-locale.

As for the pages (see :mod:`tests.i18n.pseudo`): a finding is a Latin word of three
letters or more outside the catalogue's markers and outside the data (names, codes,
and the field names and values an import error quotes from the file); the JSON
output keeps its stable codes and is not checked.
"""

from __future__ import annotations

import re

import pytest

from abm.cli import cli
from tests.i18n.pseudo import CLOSE, OPEN, data_words, unmarked_words
from tests.i18n.test_pages_in_pseudo_locale import ORDERS

TODAY = ("--today", "2026-11-23")
COMMANDS = [
    ("analytics", "concentration", *TODAY),
    ("analytics", "abcxyz", *TODAY),
    ("report", "key-accounts", *TODAY),
    ("analytics", "churn", "--limit", "5", *TODAY),
    ("create-user", "--email", "new@abm.local", "--name", "Nina New", "--role", "sales",
     "--password", "a-long-password"),
]
_QUOTED = re.compile(r"'[^']*'")


def _findings(output: str, words: frozenset[str]) -> list[str]:
    return [line for line in output.splitlines()
            if unmarked_words(_QUOTED.sub(" ", line), words)]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_the_main_commands_speak_the_catalogue(pseudo_app, demo_words, args):
    result = pseudo_app.test_cli_runner().invoke(cli, list(args), env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 0, result.output
    assert "⟦" in result.output
    found = _findings(result.output, demo_words)
    assert found == [], "\n".join(found)


def test_an_import_with_a_bad_row_speaks_the_catalogue(pseudo_app, demo_words, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    result = pseudo_app.test_cli_runner().invoke(
        cli, ["import", "orders", str(orders), "--no-refresh"], env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 1, result.output
    found = _findings(result.output, demo_words)
    assert found == [], "\n".join(found)


# Bad rows whose reasons carry a value (a rate, a limit, a character) and a fixed phrase.
VALUED = (ORDERS.splitlines()[0] + ";currency\n"
          "D-3;2026-10-02;1;Pseudo Buyer LLC;P-1;Bolt;2;100;JPY\n"
          + "D" * 101 + ";2026-10-02;1;Pseudo Buyer LLC;P-1;Bolt;2;100;\n"
          "D-5;2026-10-02;1;Pseudo \x07Buyer LLC;P-1;Bolt;2;100;\n"
          "D-6;2026-10-02;1;Pseudo Buyer LLC;P-1;Bolt;2;100;EURO\n")


def test_the_reasons_of_bad_rows_that_carry_a_value_speak_the_catalogue(pseudo_app,
                                                                       demo_words, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(VALUED, encoding="utf-8")
    result = pseudo_app.test_cli_runner().invoke(
        cli, ["import", "orders", str(orders), "--no-refresh"], env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 1, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith(OPEN)
            and "'" in line]
    assert len(rows) == 4 and all(line.count(OPEN) >= 2 for line in rows), result.stdout
    found = _findings(result.output, demo_words)
    assert found == [], "\n".join(found)


def test_a_price_another_price_refuses_speaks_the_catalogue(pseudo_app, demo_words, tmp_path):
    from sqlalchemy import select

    from abm.db import get_session
    from abm.sales.models import Product

    sku = "PSEUDO-PRICE"  # a product of its own: the demo's prices stay as other tests find them
    with pseudo_app.app_context():
        session = get_session()
        if session.scalar(select(Product.id).where(Product.sku == sku)) is None:
            session.add(Product(sku=sku, name="Pseudo price product"))
            session.commit()
        session.close()
    prices = tmp_path / "prices.csv"
    prices.write_text(f"sku;price;valid from;valid to\n{sku};10;2030-06-01;2030-06-30\n"
                      f"{sku};11;2030-05-01;2030-06-15\n", encoding="utf-8")
    result = pseudo_app.test_cli_runner().invoke(
        cli, ["import", "prices", str(prices), "--no-refresh"], env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 1, result.output
    assert f"{OPEN}действует с: период пересекается с ценой от {CLOSE}2030-06-01" in result.stdout
    found = _findings(result.output, demo_words)
    assert found == [], "\n".join(found)


REFUSED = [("", ()), (ORDERS.splitlines(keepends=True)[0], ()),
           (ORDERS, ("--map", "revenue=Итого"))]


@pytest.mark.parametrize(("content", "args"), REFUSED,
                         ids=["empty", "header only", "unknown --map column"])
def test_an_import_of_a_refused_file_speaks_the_catalogue(pseudo_app, demo_words, tmp_path,
                                                          content, args):
    orders = tmp_path / "orders.csv"
    orders.write_text(content, encoding="utf-8")
    result = pseudo_app.test_cli_runner().invoke(
        cli, ["import", "orders", str(orders), "--no-refresh", *args],
        env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 2, result.output
    assert result.stderr.count(OPEN) >= 2, result.stderr  # "Error:" and the refusal itself
    found = _findings(result.output, demo_words)
    assert found == [], "\n".join(found)


def test_the_locale_chooses_the_language_when_abm_language_is_unset(pseudo_app):
    english = pseudo_app.test_cli_runner().invoke(
        cli, ["analytics", "abcxyz", *TODAY], env={"ABM_LANGUAGE": "", "LC_ALL": "C",
                                                 "LANG": "en_GB.UTF-8"})
    russian = pseudo_app.test_cli_runner().invoke(
        cli, ["analytics", "abcxyz", *TODAY], env={"ABM_LANGUAGE": "", "LC_ALL": "",
                                                 "LANG": "ru_RU.UTF-8"})
    assert "⟦" not in english.output and "Period" in english.output
    assert "⟦" in russian.output


def test_the_alerts_command_words_the_near_key_reasons(pseudo_app, demo_words):
    from abm.analytics.models import AlertKind, AlertStatus

    result = pseudo_app.test_cli_runner().invoke(
        cli, ["analytics", "alerts", "--no-refresh", *TODAY], env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 0, result.output
    near = [line for line in result.output.splitlines() if line.startswith("⟦почти ключевой ⟧")]
    assert near and all("⟦почти ключевой: ⟧" in line for line in near), result.output
    # The alerts' kinds and statuses stay codes, as the --status option takes them.
    found = _findings(result.output, demo_words | data_words([*AlertKind, *AlertStatus]))
    assert found == [], "\n".join(found)


# The usage line names the command and the placeholders of its options as click writes them.
USAGE = data_words(["cli analytics alerts concentration churn create-user segment potential fit",
                    "OPTIONS COMMAND ARGS"])
REFUSED_BY_CLICK = [
    ("nosuch",),
    ("create-user", "--email", "new@abm.local"),
    ("create-user", "--email", "new@abm.local", "--name", "Nina New", "--role", "boss",
     "--password", "a-long-password"),
    ("analytics", "alerts", "--bogus"),
    ("analytics", "churn", "--limit", "0"),
    ("analytics", "concentration", "--end", "2026-13"),
    ("analytics", "concentration", "--months"),
]


@pytest.mark.parametrize("args", REFUSED_BY_CLICK, ids=lambda args: " ".join(args[:3]))
def test_what_click_itself_refuses_is_said_in_the_catalogue(pseudo_app, demo_words, args):
    result = pseudo_app.test_cli_runner().invoke(cli, list(args), env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 2, result.output
    assert "Usage:" not in result.stderr and "Error:" not in result.stderr, result.stderr
    assert result.stderr.count(OPEN) >= 2, result.stderr  # "Error:" and what it is
    found = _findings(result.output, demo_words | USAGE)
    assert found == [], "\n".join(found)


MODEL_REFUSALS = [("segment", "--k", "500", "--keep-potential"),
                  ("potential", "fit", "--calibration-end", "2000-01-01"),
                  ("potential", "fit", "--calibration-end", "2024-11-20")]


@pytest.mark.parametrize("args", MODEL_REFUSALS, ids=["too many segments", "end before orders",
                                                      "too short a history"])
def test_a_segmentation_or_potential_fit_refused_says_why_in_the_catalogue(pseudo_app,
                                                                          demo_words, args):
    result = pseudo_app.test_cli_runner().invoke(cli, list(args), env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 2, result.output
    error = result.stderr.splitlines()[-1]
    assert error.startswith("⟦Ошибка: ⟧⟦"), result.stderr
    found = _findings(result.output, demo_words | USAGE)
    assert found == [], "\n".join(found)


# The models and their parameters are named as in the literature, in every language.
MODEL_NAMES = data_words(["BG/NBD r alpha a b Gamma-Gamma p q gamma x t_x T CLV"])


@pytest.mark.parametrize("args", [("potential", "fit", "--limit", "3"),
                                  ("segment", "--keep-potential")], ids=["potential", "segment"])
def test_the_potential_fit_and_the_segmentation_speak_the_catalogue(pseudo_app, demo_words,
                                                                    args):
    result = pseudo_app.test_cli_runner().invoke(cli, list(args), env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 0, result.output
    found = _findings(result.output, demo_words | MODEL_NAMES)
    assert found == [], "\n".join(found)
