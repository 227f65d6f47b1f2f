"""Uploaded files waiting for their import: stored once, found again by their token.

A file sent through the upload page or the API is written under the instance
folder with a random name (its token, 128 bits) and the suffix of its format;
a worker imports it from there (:func:`abm.imports.jobs.start_import`). A token is
never trusted as a path: only 32 hexadecimal digits name a file.

The name the user's file had is kept beside it, as text (``<token>.name``), for the
messages that name the file: it is what the user sent, so it is never a path; only its
last part is kept, without control or format characters, at most :data:`NAME_LENGTH`
characters (the pages escape it like any text).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from abm.imports.results import ImportFileError

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHUNK = 1 << 20  # bytes copied at a time: a big file never sits in memory whole
NAME_LENGTH = 200
_PATH_SEPARATORS = re.compile(r"[/\\]")


class UnsupportedFile(ImportFileError):
    """A file whose name says it is neither CSV nor XLSX."""


class EmptyUpload(ImportFileError):
    """A file of no bytes (nothing is kept)."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A stored upload.

    Attributes:
        token: what names it in addresses (the upload page's preview).
        path: where the workers read it.
        size: its size in bytes.
        name: the name the user's file had (see :func:`shown_name`), or None.
    """

    token: str
    path: Path
    size: int
    name: str | None = None


def upload_folder(instance_path: str | Path) -> Path:
    folder = Path(instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(instance_path: str | Path, stream: IO[bytes], suffix: str,
                 name: str | None = None) -> Upload:
    """Write ``stream`` to a new file of the uploads folder.

    Args:
        instance_path: the instance folder.
        stream: the file's bytes, read to the end in chunks.
        suffix: the file's format as a suffix (``.csv``, ``.xlsx``...), any case.
        name: the name of the user's file, as their browser sent it (kept as text, see
            :func:`shown_name`).

    Raises:
        UnsupportedFile: the suffix is not one of :data:`SUFFIXES` (nothing written).
        EmptyUpload: the stream held no bytes (nothing kept).
    """
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFile("unsupported", suffixes=list(SUFFIXES))
    token = uuid.uuid4().hex
    path = upload_folder(instance_path) / f"{token}{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(stream, out, CHUNK)
    size = path.stat().st_size
    if size == 0:
        path.unlink()
        raise EmptyUpload("empty")
    name = shown_name(name)
    if name is not None:
        path.with_suffix(".name").write_text(name, encoding="utf-8")
    return Upload(token=token, path=path, size=size, name=name)


def shown_name(name: str | None) -> str | None:
    """The part of a sent file name that the messages show: its last part (a browser may
    send a path), without control or format characters (a right-to-left override would
    show it reversed), at most :data:`NAME_LENGTH` characters; None when nothing is left."""
    if not name:
        return None
    last = _PATH_SEPARATORS.split(name)[-1]
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in last)
    return " ".join(kept.split())[:NAME_LENGTH] or None


def upload_name(path: Path) -> str | None:
    """The name the user's file had, kept with the stored upload ``path`` (None: none was
    kept)."""
    try:
        return path.with_suffix(".name").read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None


def find_upload(instance_path: str | Path, token: str) -> Path | None:
    """The stored upload named by ``token``, or None (no such file, or not a token)."""
    if not TOKEN.match(token):
        return None
    for suffix in SUFFIXES:
        path = upload_folder(instance_path) / f"{token}{suffix}"
        if path.exists():
            return path
    return None
