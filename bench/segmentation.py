"""Benchmark: segmentation and potential on 100k accounts, end to end.

Builds a fresh database (SQLite in a temporary folder unless --database-url is
given) with synthetic sales: every account buys on a few days a month with its
own rhythm, spend and churn. Then it measures

* end to end: potential fit (features from the database, BG/NBD, Gamma-Gamma,
  store) plus segmentation (features from the database, k by silhouette,
  store), as the monthly job runs them; once on a fresh database and once
  more (the steady state: matching with the previous run, replacing rows);
* the BG/NBD fit alone on the same customers;
* peak resident memory during each phase (sampled from /proc).

Usage: python bench/segmentation.py [--accounts N] [--quick] [--database-url URL]
The last line of output is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from datetime import date
from typing import Any

import numpy as np

from abm.app import create_app
from abm.db import get_db, upgrade

MONTHS = 24
FIRST = date(2024, 7, 1)


class PeakRSS:
    """Peak resident set size of this process while the block runs, sampled every 5 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.005)

    def __enter__(self) -> PeakRSS:
        self.peak = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def month(i: int) -> date:
    index = FIRST.year * 12 + FIRST.month - 1 + i
    return date(index // 12, index % 12 + 1, 1)


def populate(session, n_accounts: int, seed: int = 1) -> int:
    """Accounts, products and order lines (one line per purchase day); returns the lines."""
    from sqlalchemy import insert

    from abm.accounts.models import Account
    from abm.sales.models import OrderLine, Product
    from abm.sales.services import refresh_monthly_aggregates

    rng = np.random.default_rng(seed)
    session.execute(insert(Product), [
        {"id": p, "sku": f"P{p}", "name": f"Product {p}", "top_assortment": p <= 10}
        for p in range(1, 51)])
    session.execute(insert(Account), [
        {"id": a, "name": f"Account {a}", "external_id": f"B{a}"}
        for a in range(1, n_accounts + 1)])
    start = rng.integers(0, MONTHS - 1, n_accounts) * (rng.random(n_accounts) < 0.4)
    churn = np.where(rng.random(n_accounts) < 0.3, rng.integers(3, MONTHS, n_accounts), MONTHS)
    p_month = rng.beta(2, 1.2, n_accounts)
    days_per_month = rng.gamma(1.2, 1.5, n_accounts)
    spend = rng.lognormal(6, 1.2, n_accounts)
    lines: list[dict] = []
    total = 0
    for a in range(n_accounts):
        for m in range(int(start[a]), int(max(churn[a], start[a] + 1))):
            if m > start[a] and rng.random() > p_month[a]:
                continue
            first = month(m)
            n_days = min(1 + rng.poisson(days_per_month[a]), 20)
            for day in rng.choice(28, n_days, replace=False):
                total += 1
                revenue = round(float(spend[a] * rng.uniform(0.5, 1.5)), 2)
                lines.append({"id": total, "account_id": a + 1,
                              "product_id": int(rng.integers(1, 51)), "document": f"D{total}",
                              "line_no": 1, "date": first.replace(day=int(day) + 1),
                              "month": first, "quantity": 1, "revenue": revenue,
                              "margin": round(revenue * 0.2, 2), "currency": "EUR"})
        if len(lines) >= 50_000:  # insert as we go: the whole history never sits in memory
            session.execute(insert(OrderLine.__table__), lines)
            lines = []
    if lines:
        session.execute(insert(OrderLine.__table__), lines)
    refresh_monthly_aggregates(session)
    session.commit()
    return total


def timed(label: str, func):
    """Run ``func``; print and return its result, wall and CPU seconds and peak RSS."""
    with PeakRSS() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        result = func()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<40} {seconds:7.2f} s wall {cpu:7.2f} s CPU   peak RSS "
          f"{memory.peak / 2**20:6.0f} MiB", flush=True)
    return result, seconds, cpu, memory.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="10k accounts: under a minute")
    parser.add_argument("--database-url", default=None, help="an empty database to fill")
    args = parser.parse_args()
    n = args.accounts or (10_000 if args.quick else 100_000)

    folder = tempfile.mkdtemp(prefix="abm-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    upgrade(url)
    app = create_app({"database_url": url, "instance_path": folder, "secret_key": "bench"})
    with app.app_context():
        from abm.ml.bgnbd import fit_bgnbd
        from abm.segments.potential import fit_potential
        from abm.segments.queries import purchase_histories, sales_span
        from abm.segments.services import run_segmentation

        session = get_db(app).session()
        started = time.perf_counter()
        lines = populate(session, n)
        print(f"database: {url.split(':')[0]}, {n} accounts, {lines} order lines "
              f"(built in {time.perf_counter() - started:.1f} s)", flush=True)

        def end_to_end(label: str) -> tuple:
            def fit_and_commit() -> Any:
                fit = fit_potential(session)
                session.commit()
                return fit

            fit, fit_s, fit_cpu, fit_peak = timed(f"{label}: potential fit + store",
                                                  fit_and_commit)
            def segment_and_commit() -> Any:
                summary = run_segmentation(session)
                session.commit()
                return summary

            summary, seg_s, seg_cpu, seg_peak = timed(f"{label}: segmentation + store",
                                                      segment_and_commit)
            print(f"{label}: end to end {fit_s + seg_s:.2f} s wall, {fit_cpu + seg_cpu:.2f} s CPU",
                  flush=True)
            return fit, summary, fit_s + seg_s, fit_cpu + seg_cpu, max(fit_peak, seg_peak)

        load_before = os.getloadavg()[0]
        fit, summary, first_s, first_cpu, first_peak = end_to_end("first run")
        _, again, second_s, second_cpu, second_peak = end_to_end("second run")
        _, last, _ = sales_span(session)
        history, read_s, _, _ = timed("purchase histories from SQL",
                                      lambda: purchase_histories(session, last, last))
        x = history.days - 1
        t_x = (history.last - history.first).astype(float) / 7
        T = (np.datetime64(last, "D") - history.first).astype(float) / 7
        _, fit_s, fit_cpu, fit_peak = timed(f"BG/NBD fit alone ({len(x)} customers)",
                                            lambda: fit_bgnbd(x, t_x, T))
        load_after = os.getloadavg()[0]
        kept = sum(1 for a, b in zip(summary.segments, again.segments, strict=False)
                   if a.id == b.id and a.name == b.name)
        print(f"segments: k={summary.k}, silhouette {summary.metrics['silhouette']:.3f}, "
              f"{kept}/{again.k} kept id and name on the second run")
        for s in again.segments:
            print(f"  {s.size:>7}  {s.name}")
        figures = {
            "database": url.split(":")[0].split("+")[0],
            "accounts": n, "order_lines": lines, "customers_fit": fit.customers,
            "end_to_end_s": round(first_s, 2), "end_to_end_cpu_s": round(first_cpu, 2),
            "end_to_end_second_run_s": round(second_s, 2),
            "end_to_end_second_run_cpu_s": round(second_cpu, 2),
            "end_to_end_peak_rss_mib": round(max(first_peak, second_peak) / 2**20),
            "histories_sql_s": round(read_s, 2),
            "bgnbd_fit_s": round(fit_s, 2), "bgnbd_fit_cpu_s": round(fit_cpu, 2),
            "bgnbd_fit_peak_rss_mib": round(fit_peak / 2**20),
            "load_average": [round(load_before, 1), round(load_after, 1)],
            "k": summary.k, "silhouette": round(summary.metrics["silhouette"], 3),
            "segments_kept_on_rerun": kept,
        }
        session.close()
    get_db(app).dispose()
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
