"""Page latency of the web UI under concurrent clients, served by gunicorn on loopback.

Builds a database of N accounts with 12 months of monthly aggregates (the pages
read the aggregates and the stored analytics labels, never the order lines),
runs the analytics refresh, starts gunicorn, and lets C clients (threads, each
logged in with its own session) request the dashboard, the accounts list (plain,
searched, filtered by ABC-XYZ cell, a later page) and an account page.

    python bench/web.py            # 100,000 accounts, 20 clients
    python bench/web.py --quick    # 5,000 accounts, 10 clients, under a minute

The last line of output is one JSON object of the figures (milliseconds).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database


def build(url: str, n_accounts: int) -> dict:
    from sqlalchemy import insert, select

    from abm import create_app
    from abm.accounts.models import Account
    from abm.analytics.refresh import refresh_labels
    from abm.analytics.topn import build_key_account_report
    from abm.db import get_session, upgrade
    from abm.sales.models import MonthlyAccountSales
    from abm.users.services import create_user

    upgrade(url)
    app = create_app({"database_url": url, "instance_path": tempfile.mkdtemp()})
    started = time.perf_counter()
    with app.app_context():
        session = get_session()
        sales = create_user(session, email="sales@bench.local", name="Sales", role="sales",
                            password=PASSWORD)
        create_user(session, email="manager@bench.local", name="Manager", role="manager",
                    password=PASSWORD)
        rng = random.Random(1)
        regions = ["North", "South", "East", "West", "Capital", "Coast"]
        rows = [{"name": f"Company {rng.randrange(10**6):06d} {i}", "external_id": f"B{i:06d}",
                 "region": rng.choice(regions), "owner_id": sales.id if i % 10 == 0 else None}
                for i in range(n_accounts)]
        for k in range(0, len(rows), 10_000):
            session.execute(insert(Account), rows[k:k + 10_000])
        ids = list(session.scalars(select(Account.id)))
        months = [date(2025, 11, 1), date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 11)]
        batch = []
        for account_id in ids:
            scale = rng.paretovariate(1.2) * 100
            for month in months:
                if rng.random() < 0.85:
                    batch.append({"account_id": account_id, "month": month,
                                  "revenue": round(scale * rng.uniform(0.5, 1.5), 2),
                                  "quantity": 1, "lines": 1, "documents": 1, "purchase_days": 1})
            if len(batch) >= 50_000:
                session.execute(insert(MonthlyAccountSales), batch)
                batch = []
        if batch:
            session.execute(insert(MonthlyAccountSales), batch)
        session.commit()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        refresh_labels(session, today=date(2026, 11, 15))
        build_key_account_report(session, today=date(2026, 11, 15))
        session.commit()
        refreshed = time.perf_counter() - started
        sample = ids[len(ids) // 2]
    app.extensions["abm.db"].dispose()
    return {"load_s": round(loaded, 1), "refresh_s": round(refreshed, 1), "account_id": sample}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(base: str, email: str):
    """A urllib opener logged in as ``email`` (CSRF token read from the login form)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(f"{base}/login", data=data).read()
    return opener


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    parser.add_argument("--accounts", type=int)
    parser.add_argument("--clients", type=int)
    parser.add_argument("--rounds", type=int, help="requests of each page per client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    n = args.accounts or (5_000 if args.quick else 100_000)
    clients = args.clients or (10 if args.quick else 20)
    rounds = args.rounds or (3 if args.quick else 10)

    folder = Path(tempfile.mkdtemp(prefix="abm-bench-web-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    built = build(url, n)
    print(f"built {n:,} accounts in {built['load_s']} s, analytics in {built['refresh_s']} s")

    port = free_port()
    env = dict(os.environ, ABM_DATABASE_URL=url, ABM_INSTANCE_PATH=str(folder))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "abm:create_app()"],
        cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        pages = {
            "dashboard": "/",
            "accounts": "/accounts/",
            "accounts_search": "/accounts/?q=12345",
            "accounts_cell": "/accounts/?cell=AX",
            "accounts_later_page": f"/accounts/?sort=-created&after={built['account_id']}",
            "account": f"/accounts/{built['account_id']}",
        }
        timings: dict[str, list[float]] = {name: [] for name in pages}
        lock = threading.Lock()
        errors = []

        # Logged in one after the other: a login writes an audit row, and SQLite
        # refuses a second writer at once (the load measured here is reading).
        emails = ["sales@bench.local" if k % 4 == 3 else "manager@bench.local"
                  for k in range(clients)]
        openers = [client(base, email) for email in emails]

        def work(k: int) -> None:
            email, opener = emails[k], openers[k]
            for name, path in pages.items():  # warm-up, not timed: caches and connections
                if not (name == "account" and email.startswith("sales")):
                    opener.open(base + path).read()
            for _ in range(rounds):
                for name, path in pages.items():
                    if name == "account" and email.startswith("sales"):
                        continue  # a sales user sees only their own accounts
                    started = time.perf_counter()
                    try:
                        opener.open(base + path).read()
                    except OSError as exc:
                        errors.append(f"{path}: {exc}")
                        continue
                    with lock:
                        timings[name].append((time.perf_counter() - started) * 1000)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = {"accounts": n, "clients": clients, "gunicorn_workers": args.workers,
               "requests": sum(len(v) for v in timings.values()), "errors": len(errors),
               "seconds": round(wall, 1), **built}
    for name, values in timings.items():
        print(f"{name:22} p50 {percentile(values, 50):7.0f} ms   p95 {percentile(values, 95):7.0f}"
              f" ms   ({len(values)} requests)")
        figures[f"{name}_p50_ms"] = round(percentile(values, 50))
        figures[f"{name}_p95_ms"] = round(percentile(values, 95))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
