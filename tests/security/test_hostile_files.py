"""Hostile files against the real importer: each is imported by ``abm import`` (and the
XLSX ones previewed as the upload page does) in a child process whose peak memory is
measured and recorded. Every probe answers with a clear message or honest counts, peaks
under 300 MB, and answers within 2 s (one legitimate-looking sheet of a million empty
rows is read to its end: bounded memory, its time recorded)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from abm.sales.models import OrderLine
from tests.imports.xlsx_files import (
    MAIN,
    SHEET,
    inline_row,
    repeated,
    rewrite,
    sheet_xml,
    with_shared_strings,
    workbook,
)

MAX_RSS_MB = 300
MAX_SECONDS = 2.0
ROOT = Path(__file__).resolve().parents[2]
ORDERS_HEADER = inline_row(1, "Документ", "Дата", "Контрагент", "Сумма")
SHEET_HEAD = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{ORDERS_HEADER}'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
CSV_HEADER = "Документ;Дата;ИНН;Контрагент;Сумма\n"


def _csv_line(i: int, name: str = "Ромашка") -> str:
    return f"D{i};31.10.2026;77{i % 10};{name};10\n"


def _empty_rows_gigabyte(base, out):
    """The probe of the issue: 1.5 MB of XLSX whose sheet is 1 GB of empty rows."""
    return rewrite(base, out, {SHEET: repeated(b"<row/>", 1 << 30, SHEET_HEAD, SHEET_TAIL)})


def _numbered_empty_rows(base, out):
    """A million numbered empty rows: compresses only 7 times, so no zip bomb; read through."""
    def write(stream):
        stream.write(SHEET_HEAD)
        for start in range(2, 1_000_002, 100_000):
            stream.write(b"".join(b'<row r="%d"/>' % i for i in range(start, start + 100_000)))
        stream.write(SHEET_TAIL)

    return rewrite(base, out, {SHEET: write})


def _one_row_of_a_million_cells(base, out):
    def write(stream):
        stream.write(SHEET_HEAD + b'<row r="2">')
        for start in range(0, 1_000_000, 100_000):
            stream.write(b"".join(b"<c><v>%d</v></c>" % i for i in range(start, start + 100_000)))
        stream.write(b"</row>" + SHEET_TAIL)

    return rewrite(base, out, {SHEET: write})


def _no_dimension(base, out):
    rows = "".join(inline_row(i, f"D{i}", "2026-01-01", "Ромашка", "1") for i in range(2, 5002))
    return rewrite(base, out, {SHEET: sheet_xml(ORDERS_HEADER + rows, dimension=None)})


def _xxe(base, out):
    secret = out.parent / "secret.txt"
    secret.write_text("TOPSECRET")
    rows = ORDERS_HEADER + '<row r="2"><c t="inlineStr"><is><t>&x;</t></is></c></row>'
    prolog = f'<!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>'
    return rewrite(base, out, {SHEET: sheet_xml(rows, prolog=prolog)})


def _billion_laughs(base, out):
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    strings = (f'<?xml version="1.0"?><!DOCTYPE s [{entities}]><sst xmlns="{MAIN}"><si><t>&j;'
               "</t></si></sst>").encode()
    return with_shared_strings(base, out, strings)


def _many_parts(base, out):
    return rewrite(base, out, {f"xl/media/p{i}.bin": b"" for i in range(20_000)})


XLSX_PROBES = {
    "1 GB of empty rows in the sheet": (_empty_rows_gigabyte, "refused", "(a zip bomb)"),
    "1 GB of blanks in the shared strings": (
        lambda base, out: with_shared_strings(base, out, repeated(b" ", 1 << 30)),
        "refused", "(a zip bomb)"),
    "1 GB of blanks in the styles": (
        lambda base, out: rewrite(base, out, {"xl/styles.xml": repeated(b" ", 1 << 30)}),
        "refused", "(a zip bomb)"),
    "1 GB of blanks in a part nobody reads": (
        lambda base, out: rewrite(base, out, {"customXml/item1.xml": repeated(b" ", 1 << 30)}),
        "refused", "(a zip bomb)"),
    "a row of a million cells": (_one_row_of_a_million_cells, "refused",
                                 "a row of more than 200,000 XML tags"),
    "an external entity": (_xxe, "refused", "declares a DTD"),
    "billion laughs in the shared strings": (_billion_laughs, "refused", "declares a DTD"),
    "20,000 parts": (_many_parts, "refused", "20,009 parts in the archive"),
    "a sheet without dimension": (_no_dimension, "imported", None),
    "a million numbered empty rows": (_numbered_empty_rows, "empty", None),
}


def _long_line(path):
    with open(path, "w", encoding="utf-8") as out:
        out.write(CSV_HEADER)
        for _ in range(100):
            out.write("x" * 1_000_000)
        out.write("\n")
    return path


def _nul_after_a_mib(path):
    lines = [_csv_line(i) for i in range(32_000)]  # 1.1 MB
    lines[31_000] = _csv_line(31_000, "Ром\x00ашка")
    path.write_text(CSV_HEADER + "".join(lines), encoding="utf-8")
    return path


CSV_PROBES = {
    "a 100 MB line": (_long_line, "refused", "line 2 is longer than 1,048,576 characters"),
    "a NUL after the first MiB": (_nul_after_a_mib, "bad rows", "control character U+0000"),
    "two encodings": (lambda p: p.write_bytes(
        (CSV_HEADER + _csv_line(1, "Ромашка") * 50).encode("cp1251")
        + (_csv_line(2, "Müller Straße") * 50).encode("latin_1")) and p,
        "refused", "If that is right, confirm the encoding"),
    "200,000 columns": (lambda p: p.write_text(CSV_HEADER + ";" * 200_000 + "\n") and p,
                        "refused", "has 200,001 columns"),
    "a 200 KB field": (lambda p: p.write_text(CSV_HEADER + 'D1;"' + "x" * 200_000 + '"\n')
                       and p, "refused", "field larger than field limit"),
}


@pytest.fixture(scope="module")
def probe_env(migrated_database, redis_url, tmp_path_factory):
    url = migrated_database()
    folder = tmp_path_factory.mktemp("probes")
    env = dict(os.environ, ABM_DATABASE_URL=url, ABM_REDIS_URL=redis_url,
               ABM_INSTANCE_PATH=str(folder / "instance"),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    engine = create_engine(url)
    yield env, folder, engine
    engine.dispose()


def _run(env, mode: str, path: Path) -> tuple[dict, float]:
    """Run the probe in a child; returns (its outcome, its peak resident memory in MB)."""
    result = subprocess.run([sys.executable, "-m", "tests.security.probe_import", mode,
                             "orders", str(path)], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome, outcome["peak_rss_mb"]


def _lines(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(OrderLine))


def _check(record_property, name, mode, outcome, peak_mb, expect, text, slow_ok=False):
    record_property(f"{mode}_peak_rss_mb", round(peak_mb))
    record_property(f"{mode}_seconds", outcome["seconds"])
    print(f"\n{name} ({mode}): peak {peak_mb:.0f} MB, {outcome['seconds']} s")
    assert peak_mb < MAX_RSS_MB, (name, mode, peak_mb)
    if not slow_ok:
        # The work's own CPU time: the wall clock of a shared machine measures its load.
        assert outcome["cpu_seconds"] < MAX_SECONDS, (name, mode, outcome)
    if mode == "preview":
        if expect == "refused":
            assert text in outcome["refused"], outcome
        else:
            assert "refused" not in outcome, outcome
        return
    code = {"refused": 2, "bad rows": 1, "imported": 0, "empty": 2}[expect]
    assert outcome["exit_code"] == code, outcome
    assert "Traceback" not in outcome["stdout"] + outcome["stderr"]
    if text:
        assert text in outcome["stdout"] + outcome["stderr"], outcome
    assert "TOPSECRET" not in outcome["stdout"] + outcome["stderr"]


@pytest.mark.slow
@pytest.mark.parametrize("name", XLSX_PROBES)
def test_a_hostile_xlsx_file_is_answered_in_bounded_memory(probe_env, record_property, name):
    env, folder, engine = probe_env
    build, expect, text = XLSX_PROBES[name]
    slug = re.sub(r"\W+", "-", name)
    base = workbook(folder / f"base-{slug}.xlsx")
    path = build(base, folder / f"{slug}.xlsx")
    before = _lines(engine)
    slow_ok = expect != "refused"  # reading a sheet through takes the time it takes
    for mode in ("import", "preview"):
        outcome, peak_mb = _run(env, mode, path)
        _check(record_property, name, mode, outcome, peak_mb, expect, text, slow_ok)
    if expect != "imported":
        assert _lines(engine) == before  # nothing half-written


@pytest.mark.slow
@pytest.mark.parametrize("name", CSV_PROBES)
def test_a_hostile_csv_file_is_answered_in_bounded_memory(probe_env, record_property, name):
    env, folder, engine = probe_env
    build, expect, text = CSV_PROBES[name]
    path = build(folder / (re.sub(r"\W+", "-", name) + ".csv"))
    before = _lines(engine)
    outcome, peak_mb = _run(env, "import", path)
    _check(record_property, name, "import", outcome, peak_mb, expect, text,
           slow_ok=expect != "refused")
    if expect == "refused":
        assert _lines(engine) == before
