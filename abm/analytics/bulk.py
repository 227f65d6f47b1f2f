"""Writing many rows at once, fast on both databases.

The full refresh writes a row per account (100k and more). Going through
SQLAlchemy's per-parameter type processing costs more CPU than the database
spends storing the rows, so the values are converted here, once, to what the
driver stores, and handed to the driver's executemany in one batch per call.
The stored forms are exactly SQLAlchemy's, so the ORM reads them back as usual.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Boolean
from sqlalchemy.orm import Session

_BATCH = 20_000


def _sqlite_value(value, is_json: bool):
    if value is None:
        return None
    if is_json:
        return json.dumps(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        # SQLAlchemy's SQLite storage format, in UTC like abm.db.UTCDateTime.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert_rows(session: Session, model, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys): executemany on SQLite, COPY on PostgreSQL.

    Args:
        model: a mapped class; the keys of ``rows`` are its column names.
    """
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    if sqlite:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 - model names
        flags = [c in json_columns for c in columns]
        params = [tuple(_sqlite_value(row[c], f) for c, f in zip(columns, flags, strict=True))
                  for row in rows]
        for begin in range(0, len(params), _BATCH):
            connection.exec_driver_sql(sql, params[begin:begin + _BATCH])
    else:
        from psycopg.types.json import Json  # the PostgreSQL driver of the project

        booleans = {c for c in columns if isinstance(table.c[c].type, Boolean)}

        def convert(column, value):
            if value is None:
                return None
            if column in json_columns:
                return Json(value)
            if isinstance(value, enum.Enum):
                return value.value
            if column in booleans:
                return bool(value)
            return value

        # COPY: one stream for all rows, in this session's transaction; executemany
        # would still send one statement per row to the server.
        dbapi = connection.connection.dbapi_connection
        if dbapi is None:  # only after the pool invalidated it; the session's is live
            raise RuntimeError("the session's database connection was invalidated")
        cursor = dbapi.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(convert(c, row[c]) for c in columns))
        finally:
            cursor.close()
