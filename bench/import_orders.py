"""Benchmark: import order lines from CSV into SQLite and PostgreSQL.

Generates a file of N order lines (document, line, date, account, SKU, quantity,
revenue) for 2,000 accounts and 1,000 products that exist beforehand, then:

- parses it with the bare ``csv`` module (the floor any importer pays);
- imports it into a fresh SQLite database, then again (every line unchanged), and
  inserts the same lines, already converted, with a bare ``executemany`` (SQLite's
  floor on this schema);
- the same into PostgreSQL when a server answers (``--postgres URL``; default
  127.0.0.1:5432), through COPY, and COPYs the converted lines with and without
  the checks of the lines' account and product (the server's floor, and what the
  checks cost: statement triggers since migration 0009, foreign keys before);
- imports a 5M-line file into SQLite in a child process and reports its peak RSS.

Each import runs in its own process, so that its peak resident memory is its own.
Usage: ``python bench/import_orders.py [--quick] [--lines N] [--big-lines N]``.
The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

N_ACCOUNTS = 2_000
N_PRODUCTS = 1_000
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """Write ``lines`` order lines; returns the file size in bytes."""
    rng = random.Random(seed)
    first = date(2024, 1, 1)
    days = [(first + timedelta(days=d)).isoformat() for d in range(730)]
    accounts = [f"C{i:05d}" for i in range(N_ACCOUNTS)]
    products = [f"P{i:04d}" for i in range(N_PRODUCTS)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write("document,line,date,account,sku,quantity,revenue\n")
        # Each account buys from its own assortment, as customers do.
        assortments = [rng.sample(products, 40) for _ in accounts]
        written, doc = 0, 0
        while written < lines:
            doc += 1
            day = days[min(729, doc * 730 // (lines // 4 + 1))]
            a = rng.randrange(N_ACCOUNTS)
            for line_no in range(1, min(1 + rng.randrange(1, 8), lines - written + 1)):
                qty = rng.randrange(1, 20)
                fh.write(f"R{doc:07d},{line_no},{day},{accounts[a]},"
                         f"{rng.choice(assortments[a])},{qty},"
                         f"{qty * rng.randrange(100, 20000) / 100:.2f}\n")
                written += 1
    return path.stat().st_size


def bare_csv_seconds(path: Path) -> float:
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        for _row in csv.reader(fh):
            pass
    return time.perf_counter() - start


def converted_rows(url: str, path: Path) -> list[tuple]:
    """The file's lines as the importer hands them to the database (ids resolved)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT external_id, id FROM accounts")).all())
        skus = dict(conn.execute(text("SELECT sku, id FROM products")).all())
    engine.dispose()
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for doc, line, day, account, sku, qty, revenue in reader:
            rows.append((ids[account], skus[sku], doc, int(line), day, day[:8] + "01",
                         float(qty), float(revenue), None, "EUR"))
    return rows


def sqlite_floor_seconds(url: str, path: Path) -> float:
    """SQLite's own floor: the file's lines, already converted, inserted in batches.

    Same table, indexes, foreign keys and batch size as the import, but no parsing,
    checking or counting: no importer writing to this schema can be faster than this.
    """
    import sqlite3

    from abm.imports.orders import BATCH
    from abm.imports.orders import PLAIN_COLUMNS as COLUMNS

    prepare(url)
    rows = converted_rows(url, path)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-65536")
    sql = (f"INSERT INTO order_lines ({', '.join(COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(COLUMNS))}) "
           "ON CONFLICT DO NOTHING")
    start = time.perf_counter()
    for first in range(0, len(rows), BATCH):
        conn.execute("BEGIN")
        conn.executemany(sql, rows[first:first + BATCH])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def postgres_floor_seconds(url: str, path: Path, *, checks: bool) -> float:
    """PostgreSQL's floor: the converted lines COPYed into an empty ``order_lines``.

    A transaction per batch, as the import does. Without ``checks`` the table's checks
    of the account and product (its triggers) are disabled first: what they cost the server.
    """
    import psycopg
    from sqlalchemy import make_url

    from abm.imports.orders import BATCH
    from abm.imports.orders import PLAIN_COLUMNS as COLUMNS

    rows = converted_rows(url, path)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        conn.execute("TRUNCATE order_lines")
        if not checks:
            conn.execute("ALTER TABLE order_lines DISABLE TRIGGER USER")
        conn.commit()
        copy_sql = f"COPY order_lines ({', '.join(COLUMNS)}) FROM STDIN"
        start = time.perf_counter()
        for first in range(0, len(rows), BATCH):
            with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows[first:first + BATCH]:
                    copy.write_row(row)
            conn.commit()
        return time.perf_counter() - start


def prepare(url: str) -> None:
    """Migrate the database and add the accounts and products the file names."""
    from sqlalchemy import create_engine, insert

    from abm.accounts.models import Account
    from abm.db import upgrade, utcnow
    from abm.sales.models import Product

    upgrade(url)
    engine = create_engine(url)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Account), [
            {"name": f"Account {i}", "external_id": f"C{i:05d}", "kind": "customer",
             "created_at": now, "updated_at": now}
            for i in range(N_ACCOUNTS)])
        conn.execute(insert(Product), [
            {"sku": f"P{i:04d}", "name": f"Product {i}", "top_assortment": False}
            for i in range(N_PRODUCTS)])
    engine.dispose()


def child_import(url: str, path: str) -> None:
    """Run one import in this process; print its seconds, counts and peak RSS as JSON."""
    from abm.app import create_app
    from abm.db import get_session
    from abm.imports import services
    from abm.imports.services import import_file

    aggregates = [0.0]
    refresh = services.refresh_monthly_aggregates

    def timed_refresh(*args) -> None:
        start = time.perf_counter()
        refresh(*args)
        aggregates[0] += time.perf_counter() - start

    services.refresh_monthly_aggregates = timed_refresh
    app = create_app({"database_url": url, "instance_path": tempfile.mkdtemp()})
    app_rss_mb = peak_rss_mb()  # what the application costs before reading a line
    with app.app_context():
        session = get_session()
        server_cpu = server_cpu_s(session)
        session.commit()
        start, cpu = time.perf_counter(), time.process_time()
        result = import_file(session, path, "orders", on_batch=lambda *_: session.commit())
        session.commit()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        server_cpu = server_cpu_s(session) - server_cpu
    rss_mb = peak_rss_mb()
    # The process that read the file, when the import used one (a big file): its own peak,
    # and its CPU time, which runs beside this process's.
    import resource

    reader = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "server_cpu_s": server_cpu,
                      "reader_cpu_s": reader.ru_utime + reader.ru_stime,
                      "reader_rss_mb": reader.ru_maxrss / 1024,
                      "created": result.created,
                      "updated": result.updated, "unchanged": result.unchanged,
                      "errors": result.error_count, "rss_mb": rss_mb, "app_rss_mb": app_rss_mb,
                      "aggregates_s": aggregates[0]}))


def server_cpu_s(session) -> float:
    """CPU seconds of the PostgreSQL backends of this database (0 elsewhere or off-host)."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pids = session.connection().exec_driver_sql(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()").scalars().all()
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0  # the server runs elsewhere
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    VmHWM where there is /proc: after fork and exec, getrusage still reports the
    parent's peak if it was higher.
    """
    try:
        with open("/proc/self/status") as status:
            hwm = next(line for line in status if line.startswith("VmHWM:"))
        return int(hwm.split()[1]) / 1024
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(url: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", url, str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def postgres_answers(url: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    return url.startswith("postgresql")


def fresh_postgres(server_url: str):
    from sqlalchemy import create_engine, make_url, text

    url = make_url(server_url)
    name = f"abm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k lines, also for RSS")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--big-lines", type=int, default=5_000_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL ('' to skip)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(*args.child)
        return
    if args.quick:
        args.lines, args.big_lines = 100_000, 100_000

    figures: dict = {"lines": args.lines, "load_average": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "orders.csv"
        figures["file_mb"] = round(generate(path, args.lines) / 1e6, 1)
        csv_s = bare_csv_seconds(path)
        figures["bare_csv_lines_per_s"] = rate(args.lines, csv_s)
        print(f"{args.lines:,} lines, {figures['file_mb']} MB, load average "
              f"{figures['load_average']}; bare csv parse {csv_s:.2f} s "
              f"({figures['bare_csv_lines_per_s']:,}/s)")

        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        prepare(url)
        figures.update(measure("sqlite", url, path, csv_s))
        floor_s = sqlite_floor_seconds(f"sqlite:///{tmp / 'floor.sqlite3'}", path)
        figures["sqlite_floor_lines_per_s"] = rate(args.lines, floor_s)
        print(f"  SQLite floor, executemany of the converted lines: {floor_s:.2f} s "
              f"({figures['sqlite_floor_lines_per_s']:,}/s)")

        if args.postgres and postgres_answers(args.postgres):
            pg_url, drop = fresh_postgres(args.postgres)
            try:
                prepare(pg_url)
                figures.update(measure("postgres", pg_url, path, csv_s))
                for checks in (True, False):
                    floor_s = postgres_floor_seconds(pg_url, path, checks=checks)
                    name = f"postgres_floor{'' if checks else '_no_checks'}_lines_per_s"
                    figures[name] = rate(args.lines, floor_s)
                    print(f"  PostgreSQL floor, COPY of the converted lines"
                          f"{'' if checks else ' without the checks'}: {floor_s:.2f} s "
                          f"({figures[name]:,}/s)")
            finally:
                drop()
        else:
            print("PostgreSQL: no server answers, skipped")

        if args.big_lines:
            path.unlink()
            big = tmp / "big.csv"
            generate(big, args.big_lines)
            url = f"sqlite:///{tmp / 'big.sqlite3'}"
            prepare(url)
            result = run_child(url, big)
            figures["big_lines"] = args.big_lines
            figures["big_peak_rss_mb"] = round(result["rss_mb"])
            figures["big_app_rss_mb"] = round(result["app_rss_mb"])
            figures["big_reader_peak_rss_mb"] = round(result["reader_rss_mb"])
            figures["big_sqlite_lines_per_s"] = rate(args.big_lines, result["seconds"])
            print(f"{args.big_lines:,} lines into SQLite: {result['seconds']:.1f} s, "
                  f"peak RSS {result['rss_mb']:.0f} MB, of which {result['app_rss_mb']:.0f} MB "
                  "before the import began (the application's modules); the process "
                  f"reading the file: peak RSS {result['reader_rss_mb']:.0f} MB")
    figures["load_average_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(figures))


def rate(lines: int, seconds: float) -> int:
    return round(lines / seconds)


def measure(name: str, url: str, path: Path, csv_s: float) -> dict:
    """Import the file into a fresh database, then again; the figures, prefixed by ``name``."""
    first, again = run_child(url, path), run_child(url, path)
    lines = first["created"]
    figures = {
        f"{name}_lines_per_s": rate(lines, first["seconds"]),
        f"{name}_seconds": round(first["seconds"], 2),
        f"{name}_cpu_s": round(first["cpu_s"], 2),
        f"{name}_reader_cpu_s": round(first["reader_cpu_s"], 2),
        f"{name}_aggregates_s": round(first["aggregates_s"], 2),
        f"{name}_reimport_lines_per_s": rate(lines, again["seconds"]),
        f"{name}_ratio_to_bare_csv": round(csv_s / first["seconds"], 3),
    }
    if first["server_cpu_s"]:
        figures[f"{name}_server_cpu_s"] = round(first["server_cpu_s"], 2)
    title = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[name]
    print(f"{title}: import {first['seconds']:.2f} s ({figures[f'{name}_lines_per_s']:,}/s, "
          f"{figures[f'{name}_ratio_to_bare_csv']} of the bare csv rate; CPU: this process "
          f"{first['cpu_s']:.2f} s, the reader process {first['reader_cpu_s']:.2f} s"
          + (f", the server {first['server_cpu_s']:.2f} s"
                                       if first["server_cpu_s"] else "")
          + f"; aggregates {first['aggregates_s']:.2f} s), re-import "
          f"{again['seconds']:.2f} s ({figures[f'{name}_reimport_lines_per_s']:,}/s, "
          f"{again['unchanged']:,} unchanged)")
    return figures

if __name__ == "__main__":
    main()
