"""Writing batches of order lines: one upsert per batch, on the raw driver connection.

Both writers run inside the session's transaction (they use the connection the
session holds), insert new keys, update only the lines whose values differ, and
say how many lines they created and updated. They also collect the accounts that
lost a line to another account, whose aggregates must be refreshed too.

- SQLite: ``executemany`` of ``INSERT ... ON CONFLICT DO NOTHING`` straight into the
  table, then, if some keys existed, of ``UPDATE ... WHERE key AND changed``; a
  temporary trigger records the accounts that lose a line.
- PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT ...
  ON CONFLICT DO UPDATE ... WHERE changed RETURNING (xmax = 0)`` that counts both;
  into an empty table, ``COPY`` straight into it. Two imports racing to fill the
  same empty table would then stop on the unique key rather than merge: the
  second fails with the database's error, and its re-run completes it.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.orm import Session

from abm.imports.orders import COLUMNS, PLAIN_COLUMNS

_KEY = ("document", "date", "line_no")
CACHE_SIZE = -65536  # SQLite page cache while importing: 64 MB (negative: in KiB)


def order_writer(session: Session, updatable: list[str]):
    """The writer for the session's database (SQLite or PostgreSQL).

    Each :meth:`write` sets up and removes its temporary objects inside the
    batch's transaction: the caller commits between batches, after which the
    session may hold another pooled connection.
    """
    if session.connection().dialect.name == "postgresql":
        return PostgresOrderWriter(session, updatable)
    return SqliteOrderWriter(session, updatable)


def _driver(session: Session):
    return session.connection().connection.driver_connection


def _split(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The lines in the workspace currency (ten values) and the converted ones (all)."""
    converted = [row for row in rows if len(row) > len(PLAIN_COLUMNS)]
    if not converted:
        return rows, converted
    return [row for row in rows if len(row) == len(PLAIN_COLUMNS)], converted


def _sqlite_statements(columns: tuple[str, ...], updatable: list[str]) -> tuple[str, str]:
    """The insert and the update of rows of ``columns``; an updatable column the rows lack
    (an original of a line that needs no conversion) is set to NULL."""
    # ?N parameters name tuple positions, so one row tuple serves both statements.
    pos = {c: i + 1 for i, c in enumerate(columns)}
    insert_sql = (
        f"INSERT INTO order_lines ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))}) ON CONFLICT DO NOTHING"
    )
    sets = ", ".join(f"{c} = ?{pos[c]}" if c in pos else f"{c} = NULL" for c in updatable)
    changed = " OR ".join(f"{c} IS NOT ?{pos[c]}" if c in pos else f"{c} IS NOT NULL"
                          for c in updatable)
    update_sql = (
        f"UPDATE order_lines SET {sets} WHERE document = ?{pos['document']} "
        f"AND date = ?{pos['date']} AND line_no = ?{pos['line_no']} AND ({changed}) "
        # SQLite wants every tuple position used; this one is true for any value.
        f"AND ?{len(columns)} IS ?{len(columns)}"
    )
    return insert_sql, update_sql


class SqliteOrderWriter:
    """Insert new keys first (``DO NOTHING``), then update changed lines only if some existed.

    SQLite's ``ON CONFLICT DO UPDATE`` costs about two and a half times a plain
    insert per line, and a first import has no conflict at all: this order pays
    the update pass only for batches that met lines already in the table.
    """

    def __init__(self, session: Session, updatable: list[str]) -> None:
        self.session = session
        self.moved: set[int] = set()
        self.cache_size: int | None = None
        self.mmap_size = 0
        self.statements = (_sqlite_statements(PLAIN_COLUMNS, updatable),
                           _sqlite_statements(COLUMNS, updatable))

    def write(self, rows: list[tuple]) -> tuple[int, int]:
        """Upsert a batch; returns (created, updated)."""
        cursor = _driver(self.session).cursor()
        if self.cache_size is None:
            self.cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
            self.mmap_size = cursor.execute("PRAGMA mmap_size").fetchone()[0]
        # Keep the index pages of a big table in memory from batch to batch (64 MB), and
        # read them through that cache, not a memory map: the pages of a map the size of the
        # file would count in the process's resident memory (256 MB more on a 5M-line file).
        # :meth:`close` gives the pooled connection its usual settings back.
        cursor.execute(f"PRAGMA cache_size = {CACHE_SIZE}")
        cursor.execute("PRAGMA mmap_size = 0")
        created = updated = 0
        for part, (insert_sql, update_sql) in zip(_split(rows), self.statements, strict=True):
            if not part:
                continue
            cursor.executemany(insert_sql, part)
            inserted = cursor.rowcount  # summed over the batch: lines inserted
            created += inserted
            if inserted < len(part):
                updated += self._update(cursor, update_sql, part)
        return created, updated

    def close(self) -> None:
        if self.cache_size is not None:
            # Also runs after a failure; a cache size left large must not hide that failure.
            with contextlib.suppress(Exception):
                driver = _driver(self.session)
                driver.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
                driver.execute(f"PRAGMA mmap_size = {int(self.mmap_size)}")

    def _update(self, cursor, update_sql: str, rows: list[tuple]) -> int:
        # A temporary trigger notes the accounts that lose a line to another account.
        cursor.execute("CREATE TEMP TABLE _abm_moved_accounts (account_id INTEGER)")
        cursor.execute(
            "CREATE TEMP TRIGGER _abm_order_line_moved "
            "AFTER UPDATE OF account_id ON main.order_lines "
            "WHEN old.account_id <> new.account_id "
            "BEGIN INSERT INTO _abm_moved_accounts VALUES (old.account_id); END"
        )
        try:
            cursor.executemany(update_sql, rows)
            updated = cursor.rowcount
            self.moved.update(
                r[0] for r in cursor.execute("SELECT account_id FROM _abm_moved_accounts")
            )
        finally:
            cursor.execute("DROP TRIGGER IF EXISTS _abm_order_line_moved")
            cursor.execute("DROP TABLE IF EXISTS _abm_moved_accounts")
        return updated


class PostgresOrderWriter:
    def __init__(self, session: Session, updatable: list[str]) -> None:
        self.session = session
        self.moved: set[int] = set()
        # Into an empty table (a first load) no line of the file can meet an existing one:
        # lines repeated in the file never reach a writer. COPY then goes straight into
        # the table, with neither staging, conflict handling nor the lookup of moved lines.
        self.first_load = not session.connection().exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM order_lines)"
        ).scalar()
        cols = ", ".join(COLUMNS)
        # Lines in the workspace currency and converted ones are COPYed apart: their
        # tuples differ in length; the originals of the first stay NULL.
        self.direct_copy_sql = tuple(f"COPY order_lines ({', '.join(c)}) FROM STDIN"
                                     for c in (PLAIN_COLUMNS, COLUMNS))
        sets = ", ".join(f"{c} = excluded.{c}" for c in updatable)
        old = ", ".join(f"order_lines.{c}" for c in updatable)
        new = ", ".join(f"excluded.{c}" for c in updatable)
        self.copy_sql = tuple(f"COPY _abm_order_lines_stage ({', '.join(c)}) FROM STDIN"
                              for c in (PLAIN_COLUMNS, COLUMNS))
        self.upsert_sql = (
            f"WITH up AS (INSERT INTO order_lines ({cols}) SELECT {cols} "
            f"FROM _abm_order_lines_stage "
            f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET {sets} "
            f"WHERE ROW({old}) IS DISTINCT FROM ROW({new}) "
            f"RETURNING (xmax = 0) AS created) "
            f"SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up"
        )
        # A lateral lookup, so that the plan is one index probe per staged line.
        self.moved_sql = (
            "SELECT DISTINCT o.account_id FROM _abm_order_lines_stage s "
            "JOIN LATERAL (SELECT account_id FROM order_lines o WHERE o.document = s.document "
            "AND o.date = s.date AND o.line_no = s.line_no) o ON o.account_id <> s.account_id"
        )

    def close(self) -> None:
        """Nothing to undo: each batch drops its staging table."""

    def write(self, rows: list[tuple]) -> tuple[int, int]:
        """Upsert a batch; returns (created, updated)."""
        if self.first_load:
            with _driver(self.session).cursor() as cursor:
                _copy(cursor, self.direct_copy_sql, rows)
            return len(rows), 0
        with _driver(self.session).cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE _abm_order_lines_stage ("
                "account_id integer, product_id integer, document varchar(100), "
                "line_no integer, date date, month date, quantity numeric(18, 3), "
                "revenue numeric(18, 2), margin numeric(18, 2), currency varchar(3), "
                "original_currency varchar(3), original_revenue numeric(18, 2), "
                "original_margin numeric(18, 2))"
            )
            _copy(cursor, self.copy_sql, rows)
            cursor.execute(self.moved_sql)
            self.moved.update(r[0] for r in cursor.fetchall())
            cursor.execute(self.upsert_sql)
            created, updated = cursor.fetchone()
            cursor.execute("DROP TABLE _abm_order_lines_stage")
        return created, updated


def _copy(cursor, statements: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY the plain lines with the first statement, the converted ones with the second."""
    for part, statement in zip(_split(rows), statements, strict=True):
        if part:
            with cursor.copy(statement) as copy:
                write_row = copy.write_row
                for row in part:
                    write_row(row)
