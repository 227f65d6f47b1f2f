"""Encodings told, never guessed silently: each file is read in its own encoding, or
refused with the reason until the user confirms one."""

import random

import pytest
from sqlalchemy import select

from abm.accounts.models import Account
from abm.imports import encodings
from abm.imports.readers import open_table
from abm.imports.results import ImportFileError

_RNG = random.Random(18)
RUSSIAN_NAMES = ["ООО Ромашка", "ИП Иванов Петр", "АО Северсталь", 'ООО "Вектор-М"',
                 "ЗАО Электросила", "ТД Уральский", "Шурупы оцинкованные"]
GERMAN_NAMES = ["Müller Straße", "Bäcker AG", "Größe GmbH", "Öl-Händler KG"]
ICELANDIC_NAMES = ["Þórður Guðmundsson ehf.", "Reykjavík", "Ísafjörður", "Sæmundur hf."]


def _accounts(names: list[str], rows: int, header: str = "ИНН;Контрагент") -> str:
    # Document numbers as 1C writes them: Cyrillic letters run into digits.
    lines = [f"РН{i:06d};{_RNG.choice(names)} {i}" if header.startswith("ИНН")
             else f"C{i};{_RNG.choice(names)} {i}" for i in range(rows)]
    return header + "\n" + "\n".join(lines) + "\n"


FILES = {
    "Latin-1 German": (_accounts(GERMAN_NAMES, 50, "id;name"), "latin_1"),
    "Latin-1 German, two lines": ("id;name\nC1;Müller Straße\n", "latin_1"),
    "Windows-1252 Icelandic": (_accounts(ICELANDIC_NAMES, 50, "id;name"), "cp1252"),
    "KOI8-R Russian": (_accounts(RUSSIAN_NAMES, 50), "koi8_r"),
    "KOI8-R Russian, two lines": ("ИНН;Контрагент\n1;Ромашка\n", "koi8_r"),
    "Windows-1251 Russian": (_accounts(RUSSIAN_NAMES, 50), "cp1251"),
    "Windows-1251 Russian, two lines": ("ИНН;Контрагент\n1;Ромашка\n", "cp1251"),
    "DOS (866) Russian": (_accounts(RUSSIAN_NAMES, 50), "cp866"),
    "UTF-8 with BOM": (_accounts(RUSSIAN_NAMES + GERMAN_NAMES, 50), "utf-8-sig"),
    "UTF-8": (_accounts(RUSSIAN_NAMES + GERMAN_NAMES, 50), "utf-8"),
    "UTF-16": (_accounts(RUSSIAN_NAMES + GERMAN_NAMES, 50), "utf-16"),
}


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_read_in_its_own_encoding_or_refused(write_file, name):
    text, encoding = FILES[name]
    path = write_file(text.encode(encoding))
    try:
        table = open_table(path)
    except ImportFileError as exc:
        assert "If that is right, confirm the encoding" in str(exc), exc
        return
    with table:
        read = [table.headers, *table.rows]
        assert table.told.detected and table.told.plausible
    assert read == [line.split(";") for line in text.splitlines()], table.encoding


@pytest.mark.parametrize(("name", "expected"), [
    ("KOI8-R Russian", "koi8_r"), ("Windows-1251 Russian", "cp1251"),
    ("DOS (866) Russian", "cp866"), ("UTF-8 with BOM", "utf-8-sig"), ("UTF-16", "utf-16"),
    ("Latin-1 German", "cp1252"), ("Windows-1252 Icelandic", "cp1252"),
])
def test_the_encoding_is_named_with_its_confidence(write_file, name, expected):
    text, encoding = FILES[name]
    with open_table(write_file(text.encode(encoding))) as table:
        assert table.encoding == expected
        # charset-normalizer's own: digits run into Cyrillic letters ("РН000123") cost some.
        assert 0.8 <= table.told.confidence <= 1.0
        if expected.startswith("utf"):
            assert table.told.confidence == 1.0


def test_a_file_of_two_encodings_is_refused_with_the_reason_naming_the_file(write_file):
    text = (_accounts(RUSSIAN_NAMES, 30).encode("cp1251")
            + _accounts(GERMAN_NAMES, 30, "id;name").encode("latin_1"))
    path = write_file(text, "mixed.csv")
    with pytest.raises(ImportFileError, match=r"mixed.csv: read as \w+, (its letters do not "
                                              r"form words|.* words mix Latin and Cyrillic).*\. "
                                              r"If that is right, confirm the encoding"):
        open_table(path)


def test_a_confirmed_encoding_is_read_however_it_reads(write_file):
    text = (_accounts(RUSSIAN_NAMES, 30).encode("cp1251")
            + _accounts(GERMAN_NAMES, 30, "id;name").encode("latin_1"))
    with open_table(write_file(text), confirmed=True) as table:
        assert not table.told.plausible
        assert len(list(table.rows)) == 61  # 60 rows and the second header


@pytest.mark.parametrize(("text", "source", "read_as", "code"), [
    ("id;name\nC1;Müller Straße\nC2;Bäcker AG\n", "latin_1", "cp1251", "mixed_scripts"),
    (_accounts(RUSSIAN_NAMES, 30), "koi8_r", "cp1251", "mess"),
    (_accounts(RUSSIAN_NAMES, 30), "cp1251", "koi8_r", "mess"),
])
def test_a_wrong_encoding_chosen_reads_implausibly_and_says_why(text, source, read_as, code):
    told = encodings.given(text.encode(source), read_as)
    assert (told.name, told.detected, told.code) == (read_as, False, code)
    assert told.confidence < 0.9


def test_a_chosen_encoding_is_read_as_chosen(write_file):
    path = write_file("id;name\nC1;Müller Straße\n".encode("latin_1"))
    with open_table(path, encoding="cp1251") as table:
        assert list(table.rows) == [["C1", "Mьller StraЯe"]]  # what the user asked for
        assert not table.told.detected and not table.told.plausible


def test_an_encoding_that_cannot_read_the_file_is_refused(write_file):
    path = write_file("id;name\nC1;Ромашка\n".encode("cp1251"), "cp.csv")
    with pytest.raises(ImportFileError, match=r"cp.csv: byte 12 is not valid utf-8 \(invalid "
                                              r"continuation byte\); choose another encoding"):
        open_table(path, encoding="utf-8")


def test_an_unknown_encoding_is_refused(write_file):
    with pytest.raises(ImportFileError, match="unknown encoding 'base64'"):
        open_table(write_file("id;name\n"), encoding="base64")


def test_a_latin1_file_keeps_its_names_through_an_import(session, write_file, do_import):
    do_import(write_file("id;name\nC1;Müller Straße\nC2;Bäcker AG\n".encode("latin_1")),
              "accounts")
    assert sorted(session.scalars(select(Account.name))) == ["Bäcker AG", "Müller Straße"]


def test_a_koi8_file_does_not_overwrite_cyrillic_names_with_garbage(session, write_file,
                                                                     do_import):
    names = [f"ООО Ромашка {i}" for i in range(50)]
    utf8 = "ИНН;Контрагент\n" + "".join(f"{i};{n}\n" for i, n in enumerate(names))
    do_import(write_file(utf8), "accounts")
    result = do_import(write_file(utf8.encode("koi8_r")), "accounts")
    assert (result.unchanged, result.encoding) == (50, "koi8_r")
    assert sorted(session.scalars(select(Account.name))) == sorted(names)
