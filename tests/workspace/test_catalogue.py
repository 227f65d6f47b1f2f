"""The catalogue of settings sections: complete, with distinct keys, the same whatever was
imported, and the only way the code reads a setting."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from abm.settings.catalogue import KEYS, SECTIONS
from abm.workspace.sections import REASONS, SettingsSection

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "abm").rglob("*.py"))


def _trees():
    for path in SOURCES:
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_every_key_belongs_to_one_section_only():
    keys = [key for section in SECTIONS for key in section.stored_keys()]
    assert len(keys) == len(set(keys)) == len(KEYS)
    assert len({section.__name__ for section in SECTIONS}) == len(SECTIONS)


def test_every_section_declared_in_the_code_is_in_the_catalogue():
    declared = {node.name for _, tree in _trees() for node in ast.walk(tree)
                if isinstance(node, ast.ClassDef)
                and any(getattr(base, "id", None) == "SettingsSection" for base in node.bases)}
    assert declared == {section.__name__ for section in SECTIONS}


def test_every_section_a_reader_uses_is_in_the_catalogue():
    used = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if getattr(func, "id", None) in ("settings_of", "update_settings") and \
                    len(node.args) > 1 and isinstance(node.args[1], ast.Name):
                used.add(node.args[1].id)
            if isinstance(func, ast.Attribute) and func.attr == "from_stored" and \
                    isinstance(func.value, ast.Name):
                used.add(func.value.id)
    named = {name for name in used if name[0].isupper()}  # a class, not a variable
    assert len(named) >= 5, "the scan found too few readers"
    assert named <= {section.__name__ for section in SECTIONS}


def test_the_catalogue_is_the_same_whatever_was_imported_before():
    """Nothing registers on import: a fresh interpreter that imports only the catalogue
    sees every key that this one, which has imported every domain, sees."""
    fresh = subprocess.run(
        [sys.executable, "-c", "from abm.settings.catalogue import KEYS; print(*KEYS)"],
        capture_output=True, text=True, check=True, cwd=ROOT)
    import abm.demo  # noqa: F401 - imports every domain's services
    import abm.web.settings  # noqa: F401

    assert fresh.stdout.split() == list(KEYS)


# A setting read by its stored key, as settings["analytics.top_n"] once was.
PREFIXES = "|".join(sorted({section.prefix for section in SECTIONS}))
LOOKUP = re.compile(r"""\[\s*["'](?:""" + PREFIXES + r""")\.[a-z_]+["']\s*\]""")


def test_no_setting_is_read_by_its_key_outside_the_settings_modules():
    allowed = {ROOT / "abm/workspace/sections.py", ROOT / "abm/workspace/services.py"}
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for path in SOURCES if path not in allowed and path.name != "settings.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LOOKUP.search(line)]
    assert found == []


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.__name__)
def test_every_setting_has_a_default_that_passes_and_a_description(section):
    assert issubclass(section, SettingsSection)
    for name, field in section.model_fields.items():
        assert not field.is_required(), f"{section.key(name)} has no default"
        assert section.check(name, field.default) == field.default
        assert field.description, f"{section.key(name)} has no description"
        # The page translates it with Jinja's gettext, which %-formats what it returns.
        assert "%" not in field.description


def test_every_description_and_refusal_is_translated_into_russian():
    with open(ROOT / "abm/translations/ru/LC_MESSAGES/messages.po", "rb") as fh:
        po = read_po(fh, locale="ru")
    messages = [info.description for section in SECTIONS for info in section.describe_all()]
    messages += REASONS.values()
    missing = [m for m in messages if m not in po or not po[m].string]
    assert missing == []
