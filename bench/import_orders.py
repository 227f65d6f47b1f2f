"""Benchmark: import order lines from CSV into SQLite and PostgreSQL.

Generates a file of N order lines (document, line, date, account, SKU, quantity,
revenue) for 2,000 accounts and 1,000 products that exist beforehand, then:

- parses it with the bare ``csv`` module (the floor any importer pays);
- imports it into a fresh SQLite database, then again (every line unchanged);
- the same into PostgreSQL when a server answers (``--postgres URL``; default
  127.0.0.1:5432), through COPY;
- imports a 5M-line file into SQLite in a child process and reports its peak RSS.

Each import runs in its own process, so that its peak resident memory is its own.
Usage: ``python bench/import_orders.py [--quick] [--lines N] [--big-lines N]``.
The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
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


def bare_insert_seconds(url: str, path: Path) -> float:
    """The database's own floor: the file's lines, already converted, inserted in batches.

    Same table, indexes and batch size as the import, but no parsing, checking or
    counting: no importer writing to this schema can be faster than this.
    """
    import sqlite3
    from datetime import date as date_

    prepare(url)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-65536")
    ids = dict(conn.execute("SELECT external_id, id FROM accounts"))
    skus = dict(conn.execute("SELECT sku, id FROM products"))
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for doc, line, day, account, sku, qty, revenue in reader:
            rows.append((ids[account], skus[sku], doc, int(line), day,
                         date_.fromisoformat(day).replace(day=1).isoformat(), float(qty),
                         float(revenue), None, "EUR"))
    sql = ("INSERT INTO order_lines (account_id, product_id, document, line_no, date, month, "
           "quantity, revenue, margin, currency) VALUES (?,?,?,?,?,?,?,?,?,?)")
    start = time.perf_counter()
    for first in range(0, len(rows), 50_000):
        conn.execute("BEGIN")
        conn.executemany(sql, rows[first:first + 50_000])
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


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
             "loyalty_member": False, "created_at": now, "updated_at": now}
            for i in range(N_ACCOUNTS)])
        conn.execute(insert(Product), [
            {"sku": f"P{i:04d}", "name": f"Product {i}", "top_assortment": False}
            for i in range(N_PRODUCTS)])
    engine.dispose()


def child_import(url: str, path: str) -> None:
    """Run one import in this process; print its seconds, counts and peak RSS as JSON."""
    from abm import create_app
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
    with app.app_context():
        session = get_session()
        start = time.perf_counter()
        result = import_file(session, path, "orders", on_batch=lambda *_: session.commit())
        session.commit()
        seconds = time.perf_counter() - start
    rss_mb = peak_rss_mb()
    print(json.dumps({"seconds": seconds, "created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "errors": result.error_count,
                      "rss_mb": rss_mb, "aggregates_s": aggregates[0]}))


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
    parser.add_argument("--quick", action="store_true", help="100k lines, 200k for RSS")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--big-lines", type=int, default=5_000_000)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL ('' to skip)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(*args.child)
        return
    if args.quick:
        args.lines, args.big_lines = 100_000, 200_000

    figures: dict = {"lines": args.lines}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "orders.csv"
        figures["file_mb"] = round(generate(path, args.lines) / 1e6, 1)
        csv_s = bare_csv_seconds(path)
        figures["bare_csv_lines_per_s"] = round(args.lines / csv_s)
        print(f"{args.lines:,} lines, {figures['file_mb']} MB; bare csv parse {csv_s:.2f} s")

        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        prepare(url)
        first = run_child(url, path)
        again = run_child(url, path)
        floor_s = bare_insert_seconds(f"sqlite:///{tmp / 'floor.sqlite3'}", path)
        figures["sqlite_bare_insert_lines_per_s"] = round(args.lines / floor_s)
        figures["sqlite_lines_per_s"] = round(args.lines / first["seconds"])
        figures["sqlite_aggregates_s"] = round(first["aggregates_s"], 2)
        figures["sqlite_reimport_lines_per_s"] = round(args.lines / again["seconds"])
        figures["sqlite_ratio_to_bare_csv"] = round(csv_s / first["seconds"], 3)
        print(f"SQLite: import {first['seconds']:.2f} s ({figures['sqlite_lines_per_s']:,}/s, "
              f"of which aggregates {first['aggregates_s']:.2f} s), re-import "
              f"{again['seconds']:.2f} s, {again['unchanged']:,} unchanged; bare executemany "
              f"of the same lines {floor_s:.2f} s "
              f"({figures['sqlite_bare_insert_lines_per_s']:,}/s)")

        if args.postgres and postgres_answers(args.postgres):
            pg_url, drop = fresh_postgres(args.postgres)
            try:
                prepare(pg_url)
                first = run_child(pg_url, path)
                again = run_child(pg_url, path)
            finally:
                drop()
            figures["postgres_lines_per_s"] = round(args.lines / first["seconds"])
            figures["postgres_aggregates_s"] = round(first["aggregates_s"], 2)
            figures["postgres_reimport_lines_per_s"] = round(args.lines / again["seconds"])
            figures["postgres_ratio_to_bare_csv"] = round(csv_s / first["seconds"], 3)
            print(f"PostgreSQL: import {first['seconds']:.2f} s "
                  f"({figures['postgres_lines_per_s']:,}/s), re-import {again['seconds']:.2f} s")
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
            figures["big_sqlite_lines_per_s"] = round(args.big_lines / result["seconds"])
            print(f"{args.big_lines:,} lines into SQLite: {result['seconds']:.1f} s, "
                  f"peak RSS {result['rss_mb']:.0f} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
