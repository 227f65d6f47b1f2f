"""Page latency of the web UI under concurrent clients: gunicorn on loopback, driven by wrk.

Builds a database of N accounts and M order lines (24 months; written with
executemany on SQLite, COPY on PostgreSQL), then runs what an import and the
nightly jobs run on them: the monthly aggregates from the order lines, the
analytics refresh (labels, churn states, alerts), the key-account reports and
the dashboard's company figures. It starts gunicorn, logs in one session per
user (a manager and ten of the 50 sales users: one request in four is a sales
user's, on an account of their own) and lets wrk, with C connections, request
each page for a fixed time: the dashboard, the accounts list (plain, searched,
filtered by ABC-XYZ cell, sorted by share, a later page) and account pages
(random accounts).

wrk is a native load generator (https://github.com/wg/wrk): a Python client
would compete with the server for the same cores. On Debian or Ubuntu:
``apt-get install wrk``; on macOS: ``brew install wrk``.

    python bench/web.py            # 100,000 accounts, 10,000,000 order lines, 20 clients
    python bench/web.py --quick    # 5,000 accounts, 200,000 order lines, under a minute
    python bench/web.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL the bench creates its own database on that server and drops it.
The last line of output is one JSON object of the figures (milliseconds).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import date
from pathlib import Path

import numpy as np
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database
TODAY = date(2026, 11, 15)
MONTHS = [date(2024 + (10 + k) // 12, (10 + k) % 12 + 1, 1) for k in range(24)]  # Nov 24-Oct 26
N_SALES = 50  # key-account managers; each owns 1 in 10 accounts' share of the book
N_PRODUCTS = 2_000
STAMP = "2026-10-01 10:00:00.000000"  # created_at of the generated rows (UTC)
USER_AGENT = "abm-bench"  # sessions are bound to it (Flask-Login strong protection)
REGIONS = ["North", "South", "East", "West", "Capital", "Coast"]
INDUSTRIES = ["Retail", "Wholesale", "Horeca", "Industry", "Public", "Health"]


# -- the database -----------------------------------------------------------------------------

def _insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Many rows at once: executemany on SQLite, COPY on PostgreSQL."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _accounts(connection, n: int, sales_ids: list[int], rng: random.Random) -> None:
    from abm.accounts.folding import fold

    rows = []
    for i in range(n):
        owner = sales_ids[(i // 10) % len(sales_ids)] if i % 10 == 0 else None
        kind = "prospect" if i % 20 == 19 else "customer"
        name = f"Company {rng.randrange(10**6):06d} {i}"
        rows.append((kind, name, fold(name), f"B{i:06d}", rng.choice(REGIONS),
                     rng.choice(INDUSTRIES), owner, STAMP, STAMP))
    _insert(connection, "accounts", ["kind", "name", "name_folded", "external_id", "region",
                                     "industry", "owner_id", "created_at",
                                     "updated_at"], rows)


def _people(connection, customers: np.ndarray) -> None:
    """Two contacts per account, and a few interactions on one account in ten."""
    roles = ["purchasing", "owner"]
    contacts = [(int(a), f"Contact {k} of {a}", f"c{k}.{a}@bench.test", roles[k], "en",
                 k == 0, STAMP) for a in customers for k in range(2)]
    _insert(connection, "contacts", ["account_id", "name", "email", "role", "language",
                                     "marketing_consent", "created_at"], contacts)
    interactions = [(int(a), "call", STAMP, "Discussed the next order") for a in customers[::10]
                    for _ in range(3)]
    _insert(connection, "interactions", ["account_id", "kind", "occurred_at", "text"],
            interactions)


def _order_lines(connection, customers: np.ndarray, n_lines: int, seed: int) -> int:
    """``n_lines`` order lines over the 24 months, about the same number per customer.

    Each customer has its own size (Pareto), rhythm of months (some stop buying,
    some start late, some buy the same every month) and assortment of products;
    documents hold 5 lines.
    """
    gen = np.random.default_rng(seed)
    months = [m.isoformat() for m in MONTHS]
    days = np.array([[f"{m[:8]}{d:02d}" for d in range(1, 29)] for m in months])
    weights = gen.uniform(0.3, 1.7, len(customers))
    counts = np.floor(weights / weights.sum() * n_lines).astype(np.int64)
    counts[: n_lines - counts.sum()] += 1
    scale = np.minimum(gen.pareto(1.3, len(customers)) + 1, 500) * 20
    first = np.where(gen.random(len(customers)) < 0.1, gen.integers(1, 18, len(customers)), 0)
    last = np.where(gen.random(len(customers)) < 0.15, gen.integers(18, 24, len(customers)), 24)
    steady = gen.random(len(customers)) < 0.3  # even months, even amounts: the X class
    sigma = np.where(steady, 0.05, 0.6)
    columns = ["account_id", "product_id", "document", "line_no", "date", "month", "quantity",
               "revenue", "margin", "currency"]
    written = 0
    for start in range(0, len(customers), 2_000):
        part = slice(start, start + 2_000)
        idx = np.repeat(np.arange(start, min(start + 2_000, len(customers))), counts[part])
        offsets = np.concatenate(([0], np.cumsum(counts[part])[:-1]))
        position = np.arange(len(idx)) - np.repeat(offsets, counts[part])
        span = last[idx] - first[idx]
        month = first[idx] + np.where(steady[idx], position * span // counts[idx],
                                      np.floor(gen.random(len(idx)) * span).astype(int))
        order = np.lexsort((month, idx))
        idx, month = idx[order], month[order]
        document = position // 5
        day = (document * 7 + idx) % 28
        account = customers[idx]
        product = (account * 37 + gen.integers(0, 12, len(idx))) % N_PRODUCTS + 1
        quantity = gen.integers(1, 20, len(idx))
        revenue = np.round(scale[idx] * gen.lognormal(0, sigma[idx]), 2)
        rows = list(zip(
            account.tolist(), product.tolist(),
            [f"D{a}-{d}" for a, d in zip(account.tolist(), document.tolist(), strict=True)],
            (position % 5 + 1).tolist(), days[month, day].tolist(),
            [months[m] for m in month.tolist()], quantity.tolist(), revenue.tolist(),
            np.round(revenue * 0.2, 2).tolist(), ["EUR"] * len(idx), strict=True))
        _insert(connection, "order_lines", columns, rows)
        written += len(rows)
    return written


def build(url: str, n_accounts: int, n_lines: int) -> dict:
    """Fill the database at ``url``; returns timings and who may open which account."""
    from sqlalchemy import select

    from abm.accounts.models import Account, AccountKind
    from abm.analytics.refresh import refresh_analytics
    from abm.app import create_app
    from abm.db import get_session, upgrade
    from abm.sales.services import refresh_monthly_aggregates
    from abm.segments.potential import fit_potential
    from abm.segments.services import run_segmentation
    from abm.users.models import Role, User

    upgrade(url)
    app = create_app({"database_url": url, "instance_path": tempfile.mkdtemp()})
    timings = {}
    with app.app_context():
        session = get_session()
        started = time.perf_counter()
        connection = session.connection()
        hashed = generate_password_hash(PASSWORD)  # once: scrypt per user would take seconds
        _insert(connection, "users", ["email", "name", "role", "password_hash", "active",
                                      "created_at"],
                [("manager@bench.local", "Manager", "manager", hashed, True, STAMP)]
                + [(f"sales{k}@bench.local", f"Sales {k}", "sales", hashed, True, STAMP)
                   for k in range(N_SALES)])
        sales = session.scalars(select(User).where(User.role == Role.SALES)
                                .order_by(User.id)).all()
        rng = random.Random(1)
        _accounts(connection, n_accounts, [u.id for u in sales], rng)
        _insert(connection, "products", ["sku", "name", "category", "top_assortment"],
                [(f"P{i:05d}", f"Product {i}", f"Category {i % 20}", i % 10 == 0)
                 for i in range(N_PRODUCTS)])
        customers = np.array(session.scalars(select(Account.id).where(
            Account.kind == AccountKind.CUSTOMER).order_by(Account.id)).all())
        _people(connection, customers)
        lines = _order_lines(connection, customers, n_lines, seed=1)
        session.commit()
        timings["load_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        refresh_monthly_aggregates(session)
        session.commit()
        timings["aggregates_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        # Labels, churn, alerts, the last two months' reports and the company figures.
        refresh_analytics(session, today=TODAY)
        session.commit()
        timings["analytics_s"] = round(time.perf_counter() - started, 1)

        started = time.perf_counter()
        fit_potential(session)
        session.commit()
        run_segmentation(session)
        session.commit()
        timings["segmentation_s"] = round(time.perf_counter() - started, 1)

        owned = {u.email: session.scalars(select(Account.id).where(Account.owner_id == u.id)
                                          .limit(50)).all() for u in sales}
        everyone = customers.tolist()
    app.extensions["abm.db"].dispose()
    if url.startswith("sqlite:///"):  # the write-ahead log back into the database file
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
    os.sync()  # the build's gigabytes on disk before the load starts, not written during it
    return {"timings": timings, "order_lines": lines, "owned": owned, "accounts": everyone}


# -- the server and the sessions --------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_in(base: str, email: str) -> str:
    """The session cookie of ``email`` logged in (CSRF token read from the login form).

    One page is read after the login so that the session already holds its CSRF
    token: wrk replays the same cookie and never stores the ones it gets back.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/login?next=/accounts/%3Fq%3Dwarm-up", data=data).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def start_server(url: str, folder: Path, workers: int, threads: int) -> tuple:
    port = free_port()
    env = dict(os.environ, ABM_DATABASE_URL=url, ABM_INSTANCE_PATH=str(folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "abm.app:create_app()"],
        cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/login", timeout=1).read()  # noqa: S310 - loopback
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer in 30 s")


# -- the load ---------------------------------------------------------------------------------

LUA = """
local requests = %(requests)s
local threads = {}
local counter = 0
function setup(thread)
  thread:set("offset", #threads * 7919)
  thread:set("bad", 0)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local r = requests[(counter + offset) %% #requests + 1]
  return wrk.format("GET", r[1], {["Cookie"] = r[2], ["User-Agent"] = "%(agent)s"})
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad") end
  io.write(string.format(
    'WRK {"requests": %%d, "seconds": %%.2f, "errors": %%d, "not_200": %%d, '
    .. '"p50_ms": %%.1f, "p95_ms": %%.1f, "p99_ms": %%.1f, "max_ms": %%.1f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, bad,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def lua_table(requests: list[tuple[str, str]]) -> str:
    return "{" + ",".join(f"{{{json.dumps(p)}, {json.dumps(c)}}}" for p, c in requests) + "}"


def wrk(base: str, requests: list[tuple[str, str]], clients: int, seconds: int,
        folder: Path) -> dict:
    """Run wrk for ``seconds`` with ``clients`` connections over ``requests`` (path, cookie)."""
    script = folder / f"wrk-{uuid.uuid4().hex}.lua"
    script.write_text(LUA % {"requests": lua_table(requests), "agent": USER_AGENT})
    out = subprocess.run(
        ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s",
         "--timeout", "30s", "-s", str(script), base],
        capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def page_requests(built: dict, cookies: dict[str, str], rng: random.Random) -> dict:
    """Per page, 400 (path, cookie) pairs: one in four a sales user's."""
    sales = [e for e in cookies if e.startswith("sales")]
    pages: dict[str, list] = {}
    someone = built["accounts"][len(built["accounts"]) // 2]
    for name, path in (("dashboard", "/"), ("accounts", "/accounts/"),
                       ("accounts_search", "/accounts/?q=12345"),
                       ("accounts_cell", "/accounts/?cell=AX"),
                       ("accounts_by_share", "/accounts/?sort=-share"),
                       ("accounts_later_page", f"/accounts/?sort=-created&after={someone}"),
                       ("account", None)):
        pairs = []
        for k in range(400):
            email = rng.choice(sales) if k % 4 == 3 else "manager@bench.local"
            target = path
            if target is None:
                ids = built["owned"][email] if email in built["owned"] else built["accounts"]
                target = f"/accounts/{rng.choice(ids)}"
            pairs.append((target, cookies[email]))
        pages[name] = pairs
    return pages


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--lines", type=int, help="order lines")
    parser.add_argument("--clients", type=int, help="concurrent connections (default 20)")
    parser.add_argument("--seconds", type=int, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/web.py needs wrk, the HTTP load generator: install it with "
                         "`apt-get install wrk` (Debian, Ubuntu) or `brew install wrk` (macOS)")
    n = args.accounts or (5_000 if args.quick else 100_000)
    n_lines = args.lines or (200_000 if args.quick else 10_000_000)
    clients = args.clients or 20
    seconds = args.seconds or (2 if args.quick else 15)

    folder = Path(tempfile.mkdtemp(prefix="abm-bench-web-"))
    url, drop = database(args.database_url, folder)
    server = None
    try:
        built = build(url, n, n_lines)
        print(f"built {n:,} accounts, {built['order_lines']:,} order lines: {built['timings']}")
        server, base = start_server(url, folder, args.workers, args.threads)
        emails = ["manager@bench.local"] + [f"sales{k}@bench.local"
                                            for k in range(3 if args.quick else 10)]
        cookies = {e: log_in(base, e) for e in emails}
        pages = page_requests(built, cookies, random.Random(2))
        wrk(base, [p for pairs in pages.values() for p in pairs[::8]], clients,
            2 if args.quick else 5, folder)  # warm-up: templates, connections, page cache
        figures = {"database": url.split(":")[0], "accounts": n,
                   "order_lines": built["order_lines"], "clients": clients,
                   "gunicorn": f"{args.workers} workers x {args.threads} threads",
                   "seconds_per_page": seconds, **built["timings"], "pages": {}}
        for name, pairs in pages.items():
            result = wrk(base, pairs, clients, seconds, folder)
            result["rps"] = round(result["requests"] / result["seconds"], 1)
            result["load_average"] = load_average()
            print(f"{name:20} p50 {result['p50_ms']:7.1f} ms   p95 {result['p95_ms']:7.1f} ms"
                  f"   {result['rps']:6.1f} req/s   non-200 {result['not_200']}"
                  f"   load {result['load_average'][0]}")
            figures["pages"][name] = result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures))


def database(server_url: str | None, folder: Path) -> tuple[str, callable]:
    """The URL to build in, and how to drop it afterwards."""
    if not server_url:
        return f"sqlite:///{folder / 'bench.sqlite3'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"abm_bench_web_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop


if __name__ == "__main__":
    main()
