"""Deterministic demo data for a B2B distributor.

About 400 customers and 60 prospects, 150 products (20 in the top assortment)
and 24 full months of shipments ending with the last full month: a heavy-tailed
revenue distribution with one account above the dependency threshold, seasonality,
and accounts that grow, decline, fall silent and churn. The same seed (and the
same current month) always gives the same data.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from flask_babel import gettext, ngettext
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from abm.accounts.models import (
    Account,
    AccountCategory,
    AccountKind,
    Category,
    Contact,
    ContactRole,
    Interaction,
    InteractionKind,
    Task,
    TaskStatus,
)
from abm.analytics.refresh import refresh_analytics
from abm.audit.services import NOBODY
from abm.campaigns.settings import CampaignSettings
from abm.demo.activity import recent_activity
from abm.loyalty.services import TierInput, programmes, save_programme, update_membership
from abm.sales.models import OrderLine, Product, Receivable
from abm.sales.services import refresh_monthly_aggregates
from abm.segments.services import segment_and_fit_potential
from abm.settings.services import update_settings
from abm.users.models import User
from abm.users.passwords import password_matches
from abm.users.services import create_user
from abm.workspace.services import settings_of

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published on purpose: demo logins
DEMO_USERS = [
    ("admin@abm.local", "Anna Admin", "admin"),
    ("manager@abm.local", "Mikhail Manager", "manager"),
    ("marketing@abm.local", "Maria Marketing", "marketing"),
    ("sales@abm.local", "Sergei Sales", "sales"),
]
N_CUSTOMERS = 400
N_PROSPECTS = 60
N_PRODUCTS = 150
N_TOP = 20
N_MONTHS = 24
TARGET_LINES = 150_000

PLACES = [  # country, region, city, weight
    ("RU", "Moscow", "Moscow", 30), ("RU", "Saint Petersburg", "Saint Petersburg", 14),
    ("RU", "Tatarstan", "Kazan", 6), ("RU", "Sverdlovsk", "Yekaterinburg", 6),
    ("RU", "Novosibirsk", "Novosibirsk", 5), ("IS", "Capital Region", "Reykjavik", 12),
    ("IS", "Northeast", "Akureyri", 4), ("DE", "Hamburg", "Hamburg", 8),
    ("DE", "Berlin", "Berlin", 7), ("FI", "Uusimaa", "Helsinki", 8),
]
SUFFIX = {"RU": "LLC", "IS": "ehf.", "DE": "GmbH", "FI": "Oy"}
INDUSTRIES = ["Retail", "HoReCa", "Construction", "Manufacturing", "Pharmacy", "Automotive",
              "Agriculture", "Logistics", "Food production", "Facility services"]
SYLLABLES = ["nor", "vel", "tra", "kom", "sib", "alt", "mar", "pro", "gel", "ter", "ost", "lin",
             "vik", "ber", "sun", "dal", "rok", "fin", "tek", "avo", "gra", "sta", "mir", "hol"]
CATEGORIES = {
    "Packaging": ["Stretch film", "Carton box", "Packing tape", "Bubble wrap", "Pallet wrap"],
    "Cleaning": ["Floor cleaner", "Degreaser", "Hand soap", "Paper towels", "Disinfectant"],
    "Safety": ["Work gloves", "Safety glasses", "Hard hat", "Hi-vis vest", "Ear plugs"],
    "Fasteners": ["Wood screws", "Anchor bolts", "Cable ties", "Rivets", "Washers"],
    "Electrical": ["LED panel", "Extension cord", "Cable drum", "Circuit breaker", "Work light"],
    "Office": ["Copy paper", "Toner cartridge", "Binders", "Labels", "Archive boxes"],
}
VARIANTS = ["S", "M", "L", "XL", "Pro"]
FIRST_NAMES = ["Ivan", "Olga", "Dmitry", "Elena", "Jón", "Guðrún", "Anna", "Pavel", "Katrín",
               "Lukas", "Sofia", "Mikko", "Irina", "Sigurður", "Jana", "Alexei"]
LAST_NAMES = ["Petrov", "Ivanova", "Smirnov", "Kuznetsova", "Jónsson", "Sigurðardóttir",
              "Müller", "Virtanen", "Sokolov", "Volkova", "Gunnarsson", "Schmidt"]
ROLES = [ContactRole.OWNER, ContactRole.PURCHASING, ContactRole.WAREHOUSE,
         ContactRole.LOGISTICS, ContactRole.ACCOUNTING, ContactRole.TECHNICAL]


class DemoNotEmpty(Exception):
    """The database has accounts already; the demo is loaded only into an empty one."""


def last_full_month(today: date) -> date:
    """The first day of the last calendar month that has fully ended."""
    first_this = today.replace(day=1)
    return (first_this - timedelta(days=1)).replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def ensure_demo_users(session: Session) -> dict[str, User]:
    """Create the demo users that do not exist yet; return them by role."""
    existing = {u.email: u for u in session.scalars(select(User))}
    users = {}
    for email, name, role in DEMO_USERS:
        user = existing.get(email) or create_user(
            session, email=email, name=name, role=role, password=DEMO_PASSWORD
        )
        users[role] = user
    return users


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """The demo users whose password is still the published demo password."""
    users = {u.email: u for u in session.scalars(select(User).where(
        User.email.in_([email for email, *_ in DEMO_USERS]), User.active))}
    return [
        (email, DEMO_PASSWORD, role) for email, _name, role in DEMO_USERS
        if email in users and password_matches(users[email].password_hash, DEMO_PASSWORD)
    ]


def load_demo(
    session: Session, *, seed: int = 1, today: date | None = None, force: bool = False, echo=None
) -> dict:
    """Load the demo data and compute everything derived from it. The caller commits.

    Besides the data: the analytics refresh as of ``today`` (labels, churn,
    alerts, the key-account reports of the last two full months, the
    dashboard's figures), then potential and segments; last, the team's latest
    work (:mod:`abm.demo.activity`), which leaves each demo user news in the inbox.

    Raises:
        DemoNotEmpty: the database has accounts and ``force`` is not set.
    """
    started = time.perf_counter()
    echo = echo or (lambda _msg: None)
    if not force and session.scalar(select(func.count()).select_from(Account)):
        raise DemoNotEmpty("the database has accounts already; use --force to add the demo anyway")
    rng = np.random.default_rng(seed)
    today = today or date.today()
    end = last_full_month(today)
    first = add_months(end, -(N_MONTHS - 1))
    users = ensure_demo_users(session)

    products = _products(session, rng)
    echo("  " + ngettext("%(num)s product", "%(num)s products", len(products)))
    customers, profiles = _customers(session, rng, users, end)
    prospects = _prospects(session, rng, users)
    echo("  " + gettext("%(customers)s customers, %(prospects)s prospects",
                        customers=len(customers), prospects=len(prospects)))
    _contacts(session, rng, customers + prospects, end)
    n_lines = _order_lines(session, rng, customers, profiles, products, first, end)
    echo("  " + ngettext("%(num)s order line", "%(num)s order lines", n_lines))
    refresh_monthly_aggregates(session)
    _receivables(session, rng, customers, profiles, end, today)
    _interactions_and_tasks(session, rng, customers, profiles, users, end)
    derived = time.perf_counter()
    # The first page a new user sees is complete: the same refresh as after an
    # import, and the segments and potential the monthly job would compute.
    refresh_analytics(session, today=today)
    segment_and_fit_potential(session)
    echo("  " + gettext("analytics, segments and potential in %(seconds)s s",
                        seconds=f"{time.perf_counter() - derived:.1f}"))
    _sender_settings(session)
    unread = recent_activity(session, users, today)
    echo("  " + ngettext("%(num)s unread notification in the demo users' inboxes",
                         "%(num)s unread notifications in the demo users' inboxes", unread))
    return {
        "customers": len(customers),
        "prospects": len(prospects),
        "products": len(products),
        "order_lines": n_lines,
        "first_month": first.isoformat(),
        "last_month": end.isoformat(),
        "seconds": time.perf_counter() - started,
    }


# Who signs for the accounts without a KAM, and where the messages link to: the demo
# company's, so that demo campaigns are signed and their clicks counted.
DEMO_SENDER = {"sender_name": "Key Account Team",
               "signature": "Demo Distribution · +7 495 000-00-00",
               "website_url": "https://www.example.com/"}


def _sender_settings(session: Session) -> None:
    """The demo sender's settings, where the workspace has none of its own."""
    current, default = settings_of(session, CampaignSettings), CampaignSettings()
    unset: dict[str, Any] = {name: value for name, value in DEMO_SENDER.items()
                             if getattr(current, name) == getattr(default, name)}
    update_settings(session, CampaignSettings, **unset)


def _company_name(rng: np.random.Generator, country: str, taken: set[str]) -> str:
    while True:
        parts = rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))
        name = "".join(parts).capitalize() + " " + SUFFIX[country]
        if name not in taken:
            taken.add(name)
            return name


def _products(session: Session, rng: np.random.Generator) -> list[dict]:
    rows: list[dict[str, Any]] = []
    for category, bases in CATEGORIES.items():
        for base in bases:
            for variant in VARIANTS:
                rows.append({"category": category, "name": f"{base} {variant}"})
    rows = rows[:N_PRODUCTS]
    top = set(rng.choice(len(rows), size=N_TOP, replace=False).tolist())
    for i, row in enumerate(rows):
        row.update(
            sku=f"SKU-{i + 1:04d}",
            top_assortment=i in top,
            price=round(float(rng.lognormal(3.0, 0.8)), 2),
        )
    session.execute(insert(Product), rows)
    ids = session.execute(select(Product.sku, Product.id)).all()
    by_sku = dict(ids)
    for row in rows:
        row["id"] = by_sku[row["sku"]]
        row["margin_rate"] = float(rng.uniform(0.12, 0.35))
    return rows


# Trajectory of an account over the 24 months: a multiplier per month.
TRAJECTORIES = ["stable", "growing", "declining", "silent", "churned", "new"]
TRAJECTORY_P = [0.58, 0.12, 0.12, 0.08, 0.06, 0.04]


def _trajectory(kind: str, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(N_MONTHS)
    curve = np.ones(N_MONTHS)
    if kind == "growing":
        curve = np.exp(np.linspace(-0.8, 0.5, N_MONTHS))
    elif kind == "declining":
        curve = np.exp(np.linspace(0.4, -1.0, N_MONTHS))
    elif kind == "silent":  # stops 3 to 5 months before the end
        curve[t >= N_MONTHS - int(rng.integers(3, 6))] = 0
    elif kind == "churned":  # stopped 8 to 14 months before the end
        curve[t >= N_MONTHS - int(rng.integers(8, 15))] = 0
    elif kind == "new":
        curve[t < int(rng.integers(6, 16))] = 0
    return curve


def _customers(session, rng, users, end) -> tuple[list[int], list[dict]]:
    weights = rng.lognormal(0.0, 1.4, N_CUSTOMERS)
    weights.sort()
    weights = weights[::-1].copy()
    rest = weights[6:].sum()
    # A handful of key accounts: one above the 20% dependency threshold, three
    # above the 10% key threshold, two just under it (near-key).
    head = np.array([0.24, 0.12, 0.105, 0.10, 0.085, 0.075])
    weights[:6] = head / (1 - head.sum()) * rest
    kinds = rng.choice(TRAJECTORIES, size=N_CUSTOMERS, p=TRAJECTORY_P)
    kinds[:6] = ["stable", "stable", "declining", "growing", "growing", "stable"]
    places = _pick_places(rng, N_CUSTOMERS)
    taken: set[str] = set()
    rows, profiles, members = [], [], []
    now = datetime.now(UTC)
    for i in range(N_CUSTOMERS):
        country, region, city = places[i]
        employees = int(rng.lognormal(4.0 + weights[i] / weights.max() * 3, 0.8))
        if i < 30 and rng.random() < 0.6:
            members.append(i)
        rows.append({
            "kind": AccountKind.CUSTOMER, "name": _company_name(rng, country, taken),
            "external_id": f"C{i + 1:05d}", "industry": str(rng.choice(INDUSTRIES)),
            "country": country, "region": region, "city": city, "employees": employees,
            "website": None, "owner_id": users["sales"].id if i < 120 else None,
            "terms_reviewed_on": end - timedelta(days=int(rng.integers(-20, 170))),
            "description": f"{['Regional', 'National', 'Local'][i % 3]} company in "
                           f"{city}, customer since {2012 + i % 12}.",
            "created_at": now, "updated_at": now,
        })
        profiles.append({"weight": float(weights[i]), "trajectory": str(kinds[i])})
    session.execute(insert(Account), rows)
    ids = dict(session.execute(
        select(Account.external_id, Account.id).where(Account.kind == AccountKind.CUSTOMER)
    ).all())
    account_ids = [ids[row["external_id"]] for row in rows]
    _loyalty(session, [account_ids[i] for i in members])
    categories = [{"account_id": account_ids[0], "category": Category.BREADWINNER},
                  {"account_id": account_ids[1], "category": Category.BREADWINNER},
                  {"account_id": account_ids[2], "category": Category.DEMANDING},
                  {"account_id": account_ids[3], "category": Category.LOYAL}]
    for i in rng.choice(np.arange(10, N_CUSTOMERS), size=25, replace=False):
        categories.append({"account_id": account_ids[i],
                           "category": rng.choice([Category.IMAGE, Category.INNOVATOR,
                                                   Category.LOYAL, Category.DEMANDING])})
    session.execute(insert(AccountCategory), categories)
    return account_ids, profiles


def _loyalty(session: Session, member_ids: list[int]) -> None:
    """A programme with tiers by revenue; the members of the first accounts, two of them gold."""
    name = "Partner programme"
    kept = next((p.id for p in programmes(session) if p.name == name), None)  # a reload's
    programme = save_programme(
        session, NOBODY, name=name, programme_id=kept, rule="revenue", period_months=12,
        description="Priority service and special terms for our key partners.",
        tiers=[TierInput("silver", 1_000_000), TierInput("gold", 5_000_000)])
    for n, account_id in enumerate(member_ids):
        update_membership(session, NOBODY, account_id, programme.id, status="member",
                          tier="gold" if n < 2 else "silver")


def _pick_places(rng, n) -> list[tuple[str, str, str]]:
    p = np.array([w for *_, w in PLACES], dtype=float)
    picks = rng.choice(len(PLACES), size=n, p=p / p.sum())
    return [PLACES[k][:3] for k in picks]


def _prospects(session, rng, users) -> list[int]:
    places = _pick_places(rng, N_PROSPECTS)
    taken = set(session.scalars(select(Account.name)))
    now = datetime.now(UTC)
    rows = []
    for i in range(N_PROSPECTS):
        country, region, city = places[i]
        rows.append({
            "kind": AccountKind.PROSPECT, "name": _company_name(rng, country, taken),
            "external_id": f"P{i + 1:05d}", "industry": str(rng.choice(INDUSTRIES)),
            "country": country, "region": region, "city": city,
            "employees": int(rng.lognormal(4.5, 1.0)),
            "has_need": bool(rng.random() < 0.7), "can_pay": bool(rng.random() < 0.6),
            "has_authority": bool(rng.random() < 0.5),
            "current_supplier": "Competitor " + "ABC"[i % 3] if rng.random() < 0.5 else None,
            "owner_id": users["sales"].id if i % 2 == 0 else None,
            "created_at": now, "updated_at": now,
        })
    session.execute(insert(Account), rows)
    ids = dict(session.execute(
        select(Account.external_id, Account.id).where(Account.kind == AccountKind.PROSPECT)
    ).all())
    prospect_ids = [ids[row["external_id"]] for row in rows]
    session.execute(insert(AccountCategory), [
        {"account_id": pid, "category": Category.PROSPECTIVE} for pid in prospect_ids[:20]
    ])
    return prospect_ids


def _contacts(session, rng, account_ids, end) -> None:
    countries = dict(session.execute(select(Account.id, Account.country)).all())
    rows = []
    for account_id in account_ids:
        n = int(rng.integers(1, 5))
        for role in rng.choice(ROLES, size=n, replace=False):
            first = str(rng.choice(FIRST_NAMES))
            last = str(rng.choice(LAST_NAMES))
            birthday = date(int(rng.integers(1960, 2000)), int(rng.integers(1, 13)),
                            int(rng.integers(1, 29)))
            rows.append({
                "account_id": account_id, "name": f"{first} {last}", "role": role,
                "email": f"{first}.{last}.{account_id}@example.com".lower(),
                "phone": f"+{rng.integers(10**9, 10**10)}", "birthday": birthday,
                "language": "ru" if countries[account_id] == "RU" else "en",
                "marketing_consent": bool(rng.random() < 0.85),
                "created_at": datetime.now(UTC),
            })
    session.execute(insert(Contact), rows)


def _order_lines(session, rng, account_ids, profiles, products, first, end) -> int:
    months = [add_months(first, m) for m in range(N_MONTHS)]
    season = 1 + 0.25 * np.sin(2 * np.pi * (np.array([m.month for m in months]) - 3) / 12)
    weights = np.array([p["weight"] for p in profiles])
    # Orders per month grow slower than revenue: big accounts buy more per order.
    order_rate = np.clip(weights ** 0.55, 0, None)
    lines_per_order = 4.0
    order_rate *= TARGET_LINES / (order_rate.sum() * N_MONTHS * lines_per_order) * 1.15
    n_products = len(products)
    popularity = 1 / np.arange(1, n_products + 1) ** 0.8
    product_order = rng.permutation(n_products)
    prices = np.array([p["price"] for p in products])
    margins = np.array([p["margin_rate"] for p in products])
    product_ids = np.array([p["id"] for p in products])

    rows = []
    doc_seq: dict[int, int] = {}
    for i, account_id in enumerate(account_ids):
        curve = _trajectory(profiles[i]["trajectory"], rng)
        breadth = int(np.clip(8 + weights[i] / weights.max() * 90, 5, n_products))
        mine = product_order[rng.choice(n_products, size=breadth, replace=False,
                                        p=popularity / popularity.sum())]
        p_mine = popularity[:breadth] / popularity[:breadth].sum()
        monthly_revenue = weights[i] / weights.sum() * 2_000_000
        for m, month in enumerate(months):
            level = curve[m] * season[m]
            if level == 0:
                continue
            n_orders = rng.poisson(order_rate[i] * level)
            if n_orders == 0:
                continue
            days_in_month = (add_months(month, 1) - month).days
            per_line = monthly_revenue * level / max(order_rate[i] * level * lines_per_order, 1)
            for _ in range(n_orders):
                day = month + timedelta(days=int(rng.integers(0, days_in_month)))
                seq = doc_seq.get(day.year, 0) + 1
                doc_seq[day.year] = seq
                document = f"RS-{seq:06d}"
                n_lines = 1 + rng.poisson(lines_per_order - 1)
                picks = rng.choice(mine, size=min(n_lines, breadth), replace=False, p=p_mine)
                revenue = per_line * rng.lognormal(-0.08, 0.4, len(picks))
                for line_no, (k, rev) in enumerate(zip(picks, revenue, strict=True), start=1):
                    qty = max(1.0, round(rev / prices[k]))
                    rev = round(qty * prices[k], 2)
                    rows.append((account_id, int(product_ids[k]), document, line_no, day, month,
                                 qty, rev, round(rev * margins[k] * rng.uniform(0.7, 1.3), 2)))
    keys = ("account_id", "product_id", "document", "line_no", "date", "month", "quantity",
            "revenue", "margin")
    batch = 20_000
    for start in range(0, len(rows), batch):
        session.execute(
            insert(OrderLine),
            [dict(zip(keys, r, strict=True)) | {"currency": "EUR"}
             for r in rows[start:start + batch]],
        )
    return len(rows)


def _receivables(session, rng, account_ids, profiles, end, today) -> None:
    """An invoice per account per month of the last quarter; some left unpaid past due."""
    rows = []
    for i, account_id in enumerate(account_ids):
        if profiles[i]["trajectory"] in ("churned",):
            continue
        overdue = rng.random() < 0.08 or i == 2
        for m in range(3):
            issued = add_months(end, -m) + timedelta(days=int(rng.integers(0, 20)))
            amount = round(profiles[i]["weight"] * float(rng.uniform(800, 1200)), 2)
            due = issued + timedelta(days=30)
            paid = amount if due >= today or not overdue else round(amount * rng.uniform(0, .5), 2)
            if due >= today and rng.random() < 0.5:
                paid = 0.0
            rows.append({"account_id": account_id, "document": f"INV-{account_id}-{m}",
                         "issued_on": issued, "due_on": due, "amount": amount,
                         "paid_amount": paid, "currency": "EUR"})
    session.execute(insert(Receivable), rows)


def _interactions_and_tasks(session, rng, account_ids, profiles, users, end) -> None:
    kinds = [InteractionKind.CALL, InteractionKind.MEETING, InteractionKind.VISIT,
             InteractionKind.EMAIL, InteractionKind.NOTE]
    texts = {"call": "Discussed next month's volumes.", "meeting": "Quarterly business review.",
             "visit": "Visited the warehouse; checked shelf availability.",
             "email": "Sent the updated price list.", "note": "Prefers deliveries on Tuesdays."}
    horizon = datetime.combine(add_months(end, 1), datetime.min.time(), tzinfo=UTC)
    rows = []
    for i, account_id in enumerate(account_ids[:80]):
        count = 12 if i < 6 else int(rng.integers(0, 6))
        if i == 1:
            count = 0  # a key account nobody has talked to: a silence alert
        for _ in range(count):
            kind = kinds[int(rng.integers(0, len(kinds)))]
            when = horizon - timedelta(days=int(rng.integers(1, 180)), hours=int(rng.integers(8)))
            rows.append({"account_id": account_id, "user_id": users["sales"].id, "kind": kind,
                         "occurred_at": when, "text": texts[kind.value]})
    complaints = [i for i, p in enumerate(profiles) if p["trajectory"] in ("declining", "silent")]
    for i in complaints[:15]:
        rows.append({"account_id": account_ids[i], "user_id": users["sales"].id,
                     "kind": InteractionKind.COMPLAINT,
                     "occurred_at": horizon - timedelta(days=int(rng.integers(20, 150))),
                     "text": "Late delivery; two pallets arrived damaged."})
    session.execute(insert(Interaction), rows)
    titles = ["Prepare a personalised offer", "Invite to the loyalty programme",
              "Review trade terms", "Call about overdue invoice", "Plan a visit",
              "Send the new catalogue", "Win-back call"]
    statuses = list(TaskStatus)
    now = datetime.now(UTC)
    tasks = []
    for n in range(60):
        i = int(rng.integers(0, 60))
        tasks.append({
            "account_id": account_ids[i], "title": titles[n % len(titles)],
            "assignee_id": users["sales" if n % 2 else "marketing"].id,
            "creator_id": users["manager"].id,
            "due_on": add_months(end, 1) + timedelta(days=int(rng.integers(-20, 40))),
            "status": statuses[int(rng.integers(0, len(statuses)))],
            "created_at": now, "updated_at": now,
        })
    session.execute(insert(Task), tasks)
