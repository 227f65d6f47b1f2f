"""The archive of an XLSX file, checked member by member before anything reads it.

How many members there are, their names (none twice, none outside the archive), their
unpacked size and compression ratio (a zip bomb in any member, read or not, refuses the
file); the parts openpyxl parses whole (shared strings, styles, the workbook...) are
unpacked once here and their XML tags counted, and none may declare a DTD. The sizes
checked are those the archive declares: :mod:`zipfile` never unpacks more than a member
declares (it fails on the checksum instead).
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from abm.imports.results import ImportFileError

MAX_MEMBERS = 10_000  # parts in one archive
MAX_PART = 256 * 1024 * 1024  # unpacked bytes of a part openpyxl reads whole
MAX_SHEET = 1024 * 1024 * 1024  # unpacked bytes of a worksheet (streamed)
MAX_TOTAL = 2 * 1024 * 1024 * 1024  # unpacked bytes of all parts together
MAX_RATIO = 100  # unpacked / packed size of a part (Apache POI's default too)
RATIO_FROM = 1024 * 1024  # parts smaller than this unpacked may compress better
MAX_PART_TAGS = 4_000_000  # "<" in a part read whole: about 2M elements, 300 MB parsed
DTD = (b"<!DOCTYPE", b"<!ENTITY")  # openpyxl's defusedxml refuses them too: twice safe


def check_archive(path: Path) -> None:
    """Refuse an archive whose members would unpack to more than the limits allow.

    Raises:
        ImportFileError: naming the file, the member and the limit.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(path, members)
            for member in members:
                if not _is_worksheet(member.filename):
                    _check_whole_part(path, archive, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ImportFileError("xlsx_unreadable", file=path.name, detail=str(exc)) from None


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ImportFileError("xlsx_parts", file=path.name, count=len(members),
                              limit=MAX_MEMBERS)
    names: set[str] = set()
    total = 0
    for member in members:
        name = member.filename
        normal = posixpath.normpath(name)
        if (not name or name.startswith("/") or "\\" in name or normal.startswith("..")
                or len(name) > 1024 or not name.isprintable()):
            # Shown as Python writes it: the name may hold what cannot be printed.
            raise ImportFileError("xlsx_part_name", file=path.name, part=repr(name))
        if name.casefold() in names:
            raise ImportFileError("xlsx_part_twice", file=path.name, part=name)
        names.add(name.casefold())
        if (member.file_size > RATIO_FROM
                and member.file_size > MAX_RATIO * max(member.compress_size, 1)):
            raise ImportFileError("xlsx_zip_bomb", file=path.name, part=name,
                                  ratio=member.file_size // max(member.compress_size, 1),
                                  limit=MAX_RATIO)
        limit = MAX_SHEET if _is_worksheet(name) else MAX_PART
        if member.file_size > limit:
            raise ImportFileError("xlsx_part_size", file=path.name, part=name,
                                  size=member.file_size, limit=limit)
        total += member.file_size
    if total > MAX_TOTAL:
        raise ImportFileError("xlsx_total_size", file=path.name, size=total, limit=MAX_TOTAL)


def _check_whole_part(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Count the elements of a part openpyxl would parse whole, and refuse a DTD."""
    tags = 0
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(1024 * 1024):
            tags += chunk.count(b"<")
            window = tail + chunk[:16]
            if any(d in chunk or d in window for d in DTD):
                raise ImportFileError("xlsx_part_dtd", file=path.name, part=member.filename)
            tail = chunk[-16:]
            if tags > MAX_PART_TAGS:
                raise ImportFileError("xlsx_part_tags", file=path.name, part=member.filename,
                                      limit=MAX_PART_TAGS)
