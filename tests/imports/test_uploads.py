"""Stored uploads: a random name on disk, and the user's file name kept as text beside it."""

from __future__ import annotations

import io

import pytest

from abm.imports.uploads import find_upload, shown_name, store_upload, upload_name


def test_the_users_file_name_is_kept_beside_the_upload_and_never_names_it(tmp_path):
    upload = store_upload(tmp_path, io.BytesIO(b"a;b\n1;2\n"), ".csv", name="Отгрузки.csv")
    assert upload.path.name == f"{upload.token}.csv"
    assert upload_name(find_upload(tmp_path, upload.token)) == "Отгрузки.csv"


@pytest.mark.parametrize(("sent", "shown"), [
    ("../../instance/secret_key", "secret_key"),
    ("C:\\Users\\me\\Отгрузки.csv", "Отгрузки.csv"),
    ("a\x00b\nc.csv", "a b c.csv"),
    ("report\u202evsc.exe", "report vsc.exe"),  # a right-to-left override, shown reversed
    ("x" * 500, "x" * 200),
    ("", None),
    ("/", None),
])
def test_only_the_last_part_of_a_sent_name_is_shown_without_control_characters(sent, shown):
    assert shown_name(sent) == shown


def test_an_upload_without_a_name_kept_has_none(tmp_path):
    upload = store_upload(tmp_path, io.BytesIO(b"a;b\n1;2\n"), ".csv")
    assert upload.name is None and upload_name(upload.path) is None
