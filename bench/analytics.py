"""Benchmark: the full analytics refresh and one account's analytics, on SQLite and PostgreSQL.

Generates a sales history (default 100,000 accounts, 10,000,000 order lines,
500 products of which 50 in the top assortment, 24 full months), writes the
order lines AND the monthly aggregate tables directly (computed with numpy/
pandas from the same arrays, exactly what the import keeps up to date), then
times on each database:

- the full refresh: every account's shares, flags, Pareto, ABC-XYZ (stored),
  churn states (stored), monitoring alerts, the key-account reports of the last
  two full months and the dashboard's company figures;
- one account's analytics (:func:`abm.analytics.account_analytics.account_analytics`)
  for 50 random accounts: median and maximum.

Analytics reads the aggregates, plus the order lines of one month per account
for the first and last purchase days; the bench loads both. Writing the data
is not timed. Usage:
``python bench/analytics.py [--quick] [--accounts N] [--lines N] [--db sqlite|postgresql|both]
[--postgres URL]``. The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import abm.models  # noqa: E402, F401 - every mapper, before any query
from abm.analytics.periods import add_months, last_full_month  # noqa: E402
from abm.db import Database, upgrade  # noqa: E402

TODAY = date(2026, 11, 15)
N_PRODUCTS, N_TOP, N_MONTHS = 500, 50, 24
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CHUNK = 500_000


def generate(accounts: int, lines: int, seed: int = 11) -> dict:
    """Arrays of order lines: documents of 4 lines, accounts by a heavy-tailed weight."""
    rng = np.random.default_rng(seed)
    weight = rng.lognormal(0, 1.5, accounts)
    weight /= weight.sum()
    docs = lines // 4
    doc_account = rng.choice(accounts, size=docs, p=weight).astype(np.int64)
    # Some accounts stop buying (churn), some start late (new): a window per account.
    start = np.zeros(accounts, dtype=np.int64)
    end = np.full(accounts, N_MONTHS - 1, dtype=np.int64)
    kind = rng.random(accounts)
    end[kind < 0.10] = rng.integers(6, N_MONTHS - 1, (kind < 0.10).sum())
    start[kind > 0.95] = rng.integers(6, N_MONTHS - 1, (kind > 0.95).sum())
    span = end - start + 1
    doc_month = start[doc_account] + (rng.random(docs) * span[doc_account]).astype(np.int64)
    doc_day = rng.integers(0, 28, docs)
    line_account = np.repeat(doc_account, 4)
    line_month = np.repeat(doc_month, 4)
    line_day = np.repeat(doc_day, 4)
    line_doc = np.repeat(np.arange(docs), 4)
    line_no = np.tile(np.arange(1, 5), docs)
    popularity = 1 / np.arange(1, N_PRODUCTS + 1) ** 0.9
    product = rng.choice(N_PRODUCTS, size=docs * 4, p=popularity / popularity.sum())
    base = 50 * (weight * accounts) ** 0.3
    revenue = np.round(base[line_account] * rng.lognormal(0, 0.6, docs * 4), 2)
    revenue[rng.random(docs * 4) < 0.01] *= -1  # returns
    margin = np.round(revenue * rng.uniform(0.1, 0.3, docs * 4), 2)
    return {"account": line_account, "month": line_month, "day": line_day, "doc": line_doc,
            "line_no": line_no, "product": product, "revenue": revenue, "margin": margin,
            "quantity": np.ones(docs * 4)}


def aggregates(data: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame({k: data[k] for k in ("account", "month", "day", "doc", "product",
                                               "revenue", "margin", "quantity")})
    mas = frame.groupby(["account", "month"]).agg(
        revenue=("revenue", "sum"), margin=("margin", "sum"), quantity=("quantity", "sum"),
        lines=("revenue", "size"), documents=("doc", "nunique"), purchase_days=("day", "nunique"),
    ).reset_index()
    maps = frame.groupby(["account", "product", "month"]).agg(
        revenue=("revenue", "sum"), margin=("margin", "sum"), quantity=("quantity", "sum"),
        lines=("revenue", "size"),
    ).reset_index()
    return mas, maps


def _month_strings() -> tuple[np.ndarray, np.ndarray]:
    first = add_months(last_full_month(TODAY), -(N_MONTHS - 1))
    months = [add_months(first, m) for m in range(N_MONTHS)]
    return (np.array([m.isoformat() for m in months], dtype=object),
            np.array([[(m + timedelta(days=d)).isoformat() for d in range(28)] for m in months],
                     dtype=object))


def _tables(accounts: int, data: dict, mas: pd.DataFrame, maps: pd.DataFrame):
    """Yield (table, frames) in load order; each frame is a chunk of rows, columns named."""
    months, days = _month_strings()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    ids = np.arange(1, accounts + 1)
    yield "accounts", [pd.DataFrame({
        "id": ids, "kind": np.where(ids % 50 == 0, "prospect", "customer").astype(object),
        "competitor_key_client": ids % 50 == 0, "name": [f"Account {i}" for i in ids],
        "name_folded": [f"account {i}" for i in ids],
        "external_id": [f"B{i:06d}" for i in ids],
        "terms_reviewed_on": (TODAY - timedelta(days=40)).isoformat(),
        "created_at": now, "updated_at": now})]
    pids = np.arange(1, N_PRODUCTS + 1)
    yield "products", [pd.DataFrame({
        "id": pids, "sku": [f"SKU-{p:04d}" for p in pids], "name": [f"Product {p}" for p in pids],
        "top_assortment": pids <= N_TOP})]

    def lines():
        for begin in range(0, len(data["account"]), CHUNK):
            sl = slice(begin, begin + CHUNK)
            month = data["month"][sl]
            yield pd.DataFrame({
                "account_id": data["account"][sl] + 1, "product_id": data["product"][sl] + 1,
                "document": np.char.add("D", data["doc"][sl].astype(str)).astype(object),
                "line_no": data["line_no"][sl], "date": days[month, data["day"][sl]],
                "month": months[month], "quantity": 1, "revenue": data["revenue"][sl],
                "margin": data["margin"][sl], "currency": "EUR"})

    def chunks(frame: pd.DataFrame, columns: list[str]):
        for begin in range(0, len(frame), CHUNK):
            part = frame.iloc[begin:begin + CHUNK]
            out = pd.DataFrame({"account_id": part["account"].to_numpy() + 1})
            if "product" in part:
                out["product_id"] = part["product"].to_numpy() + 1
            out["month"] = months[part["month"].to_numpy()]
            for column in columns:
                out[column] = part[column].to_numpy()
            out["revenue"] = out["revenue"].round(2)
            out["margin"] = out["margin"].round(2)
            yield out

    yield "order_lines", lines()
    yield "monthly_account_sales", chunks(
        mas, ["revenue", "margin", "quantity", "lines", "documents", "purchase_days"])
    yield "monthly_account_product_sales", chunks(
        maps, ["revenue", "margin", "quantity", "lines"])
    yield from _work(accounts)


def _work(accounts: int, seed: int = 5):
    """The team's work that the monitoring and churn rules read: two interactions per
    account on average over the last 200 days (visits, calls, complaints, refusals ...),
    a tender for one account in ten (half of them lost), and one account in fifty a
    prospect that is a competitor's key client."""
    rng = np.random.default_rng(seed)
    count = accounts * 2
    kinds = np.array(["call", "meeting", "visit", "email", "complaint", "refusal", "note"],
                     dtype=object)
    start = datetime.combine(TODAY, datetime.min.time())
    when = [(start - timedelta(minutes=int(m))).strftime("%Y-%m-%d %H:%M:%S.000000")
            for m in rng.integers(0, 200 * 24 * 60, count)]
    yield "interactions", [pd.DataFrame({
        "account_id": rng.integers(1, accounts + 1, count),
        "kind": kinds[rng.choice(len(kinds), count, p=[.3, .1, .15, .25, .08, .04, .08])],
        "occurred_at": when, "text": ""})]
    tenders = accounts // 10
    yield "tenders", [pd.DataFrame({
        "account_id": rng.choice(accounts, tenders, replace=False) + 1,
        "title": "Annual supply",
        "held_on": [(TODAY - timedelta(days=int(d))).isoformat()
                    for d in rng.integers(0, 200, tenders)],
        "outcome": np.array(["won", "lost"], dtype=object)[rng.integers(0, 2, tenders)]})]


def load(url: str, tables) -> None:
    """Write the rows: executemany on SQLite, COPY on PostgreSQL."""
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, frames in tables:
            for frame in frames:
                columns = ", ".join(frame.columns)
                if engine.dialect.name == "sqlite":
                    cur.executemany(
                        f"INSERT INTO {table} ({columns}) "  # noqa: S608
                        f"VALUES ({', '.join('?' for _ in frame.columns)})",
                        frame.astype(object).itertuples(index=False, name=None))
                else:
                    # Generated rows are consistent: skip the per-row foreign key
                    # triggers while loading, as a restore does.
                    cur.execute("SET session_replication_role = replica")
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        copy.write(frame.to_csv(sep="\t", header=False, index=False))
            raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def measure(url: str, accounts: int, cpu: bool = False) -> dict:
    """Time the full refresh and one account's analytics.

    ``cpu``: also report this process's CPU seconds (SQLite runs in-process, so
    on a shared machine they show the work apart from waiting for a core).
    """
    from abm.analytics.account_analytics import account_analytics
    from abm.analytics.refresh import refresh_analytics

    db = Database(url)
    session = db.session()
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = refresh_analytics(session, today=TODAY)  # the reports included
        session.commit()
        full = time.perf_counter() - started
        full_cpu = time.process_time() - cpu_started
        rng = np.random.default_rng(3)
        times = []
        for account_id in rng.integers(1, accounts + 1, 50):
            session.expire_all()
            t0 = time.perf_counter()
            account_analytics(session, int(account_id))
            times.append((time.perf_counter() - t0) * 1000)
        with open("/proc/loadavg") as fh:
            load = float(fh.read().split()[0])
        return {
            "full_refresh_s": round(full, 2),
            **({"full_refresh_cpu_s": round(full_cpu, 2)} if cpu else {}),
            "load_average": load, "steps_s": summary.seconds,
            "labelled_accounts": summary.accounts, "churn": asdict(summary.churn),
            "alerts": asdict(summary.alerts), "report_rows": summary.reports.rows,
            "one_account_ms_median": round(statistics.median(times), 2),
            "one_account_ms_max": round(max(times), 2),
        }
    finally:
        session.close()
        db.dispose()


def run_on(kind: str, pg_server: str, accounts: int, data, mas, maps, tmp: Path,
           sqlite_path: Path | None = None) -> dict:
    drop = None
    if kind == "sqlite" and sqlite_path is not None:
        # A database loaded by an earlier run with the same sizes (and seed): its
        # load is skipped; copy it first, since the refresh writes to it.
        url = f"sqlite:///{sqlite_path}"
        result = measure(url, accounts, cpu=True)
        print(f"{kind}: {json.dumps(result)}", flush=True)
        return result
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        server = make_url(pg_server)
        name = f"abm_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    try:
        upgrade(url)
        started = time.perf_counter()
        load(url, _tables(accounts, data, mas, maps))
        print(f"{kind}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
        result = measure(url, accounts, cpu=kind == "sqlite")
        print(f"{kind}: {json.dumps(result)}", flush=True)
        return result
    finally:
        if drop:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5k accounts, 400k lines")
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--lines", type=int)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--sqlite-path", type=Path,
                        help="Measure this SQLite database, loaded by an earlier run of the "
                             "same sizes, instead of loading a new one.")
    args = parser.parse_args()
    accounts = args.accounts or (5_000 if args.quick else 100_000)
    lines = args.lines or (400_000 if args.quick else 10_000_000)
    started = time.perf_counter()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if kinds == ["sqlite"] and args.sqlite_path:
        print(json.dumps({"accounts": accounts, "order_lines": lines,
                          "sqlite": run_on("sqlite", "", accounts, None, None, None, Path(),
                                           args.sqlite_path)}))
        return
    data = generate(accounts, lines)
    mas, maps = aggregates(data)
    print(f"generated {len(data['account'])} lines, {len(mas)} account-months, {len(maps)} "
          f"account-product-months in {time.perf_counter() - started:.0f} s", flush=True)
    figures = {"accounts": accounts, "order_lines": int(len(data["account"])),
               "account_months": len(mas), "account_product_months": len(maps)}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            figures[kind] = run_on(kind, args.postgres, accounts, data, mas, maps, Path(tmp))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
