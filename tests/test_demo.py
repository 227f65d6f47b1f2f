"""The demo data: realistic, deterministic, with something for every alert to show."""

import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind, Contact, Interaction, Task
from abm.analytics.company import company_figures
from abm.analytics.models import Alert, ChurnState, KeyAccountReport
from abm.app import create_app
from abm.campaigns.models import Campaign, CampaignStatus
from abm.db import get_db, get_session
from abm.demo import DEMO_USERS, DemoNotEmpty, last_full_month, load_demo
from abm.demo.activity import MARKETING_TASK, SALES_TASK, VOLUME_BONUS, WIN_BACK
from abm.notifications.services import inbox
from abm.sales.models import MonthlyAccountSales, OrderLine, Product, Receivable
from abm.segments.models import AccountSegment
from abm.segments.potential import potential_count
from abm.users.models import User

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_app(migrated_database, redis_url, tmp_path_factory):
    """One demo load shared by the module's tests (it takes seconds)."""
    url = migrated_database()
    app = create_app({"database_url": url, "redis_url": redis_url,
                      "instance_path": str(tmp_path_factory.mktemp("demo"))})
    with app.app_context():
        summary = load_demo(get_session(), seed=1, today=TODAY)
        get_session().commit()
        yield app, summary
    get_db(app).dispose()


@pytest.fixture
def demo(demo_app):
    return demo_app[1]


@pytest.fixture
def session(demo_app):
    """A session whose work is rolled back at the end of the test."""
    db = get_db(demo_app[0])
    connection = db.engine.connect()
    transaction = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield s
    s.close()
    transaction.rollback()
    connection.close()


def _digest(session) -> str:
    rows = session.execute(
        select(Account.external_id, OrderLine.document, OrderLine.date, OrderLine.line_no,
               OrderLine.revenue, OrderLine.margin, Product.sku)
        .join(Account, Account.id == OrderLine.account_id)
        .join(Product, Product.id == OrderLine.product_id)
        .order_by(OrderLine.date, OrderLine.document, OrderLine.line_no)
    )
    return hashlib.sha256(repr(rows.all()).encode()).hexdigest()


def _shares(session, first: date) -> list[float]:
    m = MonthlyAccountSales
    rows = session.execute(
        select(func.sum(m.revenue)).where(m.month >= first).group_by(m.account_id)
    ).scalars().all()
    total = sum(rows)
    return sorted((r / total for r in rows), reverse=True)


def test_the_demo_has_the_promised_size(demo, session):
    assert demo["customers"] == 400 and demo["prospects"] == 60
    assert session.scalar(select(func.count()).select_from(Product)) == 150
    assert session.scalar(select(func.count()).where(Product.top_assortment)) == 20
    assert 120_000 <= demo["order_lines"] <= 180_000
    assert (demo["first_month"], demo["last_month"]) == ("2024-11-01", "2026-10-01")


def test_the_order_lines_end_with_the_last_full_month(demo, session):
    first, last = session.execute(select(func.min(OrderLine.date), func.max(OrderLine.date))).one()
    assert first >= date(2024, 11, 1)
    assert last <= date(2026, 10, 31) and last >= date(2026, 10, 1)
    assert last_full_month(TODAY) == date(2026, 10, 1)


def test_exactly_one_account_is_above_the_dependency_threshold(demo, session):
    shares = _shares(session, date(2025, 11, 1))
    assert 0.20 < shares[0] < 0.50  # dependency, not mono-client
    assert shares[1] <= 0.20
    assert sum(1 for s in shares if s >= 0.10) >= 3  # a handful of key accounts
    assert sum(shares[:20]) > 0.8  # heavy tail


def test_some_accounts_have_churned_and_some_fell_silent(demo, session):
    last_purchase = dict(session.execute(
        select(OrderLine.account_id, func.max(OrderLine.date)).group_by(OrderLine.account_id)
    ).all())
    churned = [a for a, d in last_purchase.items() if d < date(2026, 3, 1)]
    silent = [a for a, d in last_purchase.items() if date(2026, 5, 1) <= d < date(2026, 9, 1)]
    assert len(churned) >= 10
    assert len(silent) >= 10


def test_some_receivables_are_overdue(demo, session):
    overdue = session.scalar(
        select(func.count()).select_from(Receivable)
        .where(Receivable.due_on < TODAY, Receivable.paid_amount < Receivable.amount)
    )
    assert overdue >= 5


def test_contacts_interactions_tasks_and_users_are_there(demo, session):
    roles = set(session.scalars(select(Contact.role).distinct()))
    assert len(roles) >= 5
    assert session.scalar(select(func.count()).where(Contact.birthday.is_not(None))) > 400
    assert session.scalar(select(func.count()).select_from(Interaction)) > 50
    assert session.scalar(select(func.count()).select_from(Task)) == 62  # two from the inbox news
    assert {u.role.value for u in session.scalars(select(User))} == {r for *_, r in DEMO_USERS}
    prospects = session.scalars(select(Account).where(Account.kind == AccountKind.PROSPECT)).all()
    assert any(p.qualified for p in prospects) and not all(p.qualified for p in prospects)


def test_the_aggregates_match_the_order_lines(demo, session):
    direct = session.scalar(select(func.sum(OrderLine.revenue)))
    aggregated = session.scalar(select(func.sum(MonthlyAccountSales.revenue)))
    assert aggregated == pytest.approx(direct, rel=1e-9)


def _empty(session) -> None:
    """Delete the demo in bulk; the database cascades, so forget the loaded objects too
    (SQLite reuses the freed ids, which the identity map would still hold)."""
    session.execute(OrderLine.__table__.delete())
    session.execute(Account.__table__.delete())
    session.execute(Product.__table__.delete())
    session.expunge_all()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(demo, session):
    first = _digest(session)
    _empty(session)
    load_demo(session, seed=1, today=TODAY)
    assert _digest(session) == first
    _empty(session)
    load_demo(session, seed=2, today=TODAY)
    assert _digest(session) != first


def test_the_demo_refuses_a_database_that_has_accounts(demo, session):
    with pytest.raises(DemoNotEmpty):
        load_demo(session, seed=1, today=TODAY)


def test_the_demo_leaves_every_figure_of_the_first_page_computed(demo, session):
    figures = company_figures(session)
    assert figures.snapshot["period_end"] == date(2026, 10, 1)
    assert figures.flag_counts["dependency"] == 1
    assert figures.top_n.month == "2026-10" and figures.top_n.previous_stored
    assert figures.win_back
    months = session.scalars(select(KeyAccountReport.month).order_by(KeyAccountReport.month))
    assert list(months) == [date(2026, 9, 1), date(2026, 10, 1)]
    assert session.scalar(select(func.count()).select_from(Alert)) > 0
    assert session.scalar(select(func.count()).select_from(ChurnState)) >= 400
    assert session.scalar(select(func.count()).select_from(AccountSegment)) >= 300
    assert potential_count(session) >= 400


def _news(session, role: str) -> dict[str, list[dict]]:
    """The user's unread notifications, their parameters by kind."""
    email = next(e for e, _name, r in DEMO_USERS if r == role)
    user_id = session.scalar(select(User.id).where(User.email == email))
    found: dict[str, list[dict]] = {}
    for n in inbox(session, user_id, unread_only=True):
        found.setdefault(n.kind, []).append(n.params)
    return found


def test_every_demo_user_finds_news_in_the_inbox_from_the_demos_own_events(demo, session):
    for role in ("admin", "manager"):
        news = _news(session, role)
        assert set(news) == {"approval_waiting"}, role
        assert [p["name"] for p in news["approval_waiting"]] == [VOLUME_BONUS["name"]]
    marketing = _news(session, "marketing")
    assert [(p["name"], p["approved"]) for p in marketing["approval_decided"]] == [
        (WIN_BACK["name"], True)]
    assert [(p["title"], p["by"]) for p in marketing["task_assigned"]] == [
        (MARKETING_TASK, "Mikhail Manager")]
    sales = _news(session, "sales")
    assert sales["alerts_raised"][0]["count"] == session.scalar(
        select(func.count()).select_from(Alert).where(Alert.owner_id.is_not(None)))
    assert [p["title"] for p in sales["task_assigned"]] == [SALES_TASK]


def test_the_demos_news_come_from_its_campaigns_alerts_and_tasks(demo, session):
    status = dict(session.execute(select(Campaign.name, Campaign.status)).all())
    assert status == {WIN_BACK["name"]: CampaignStatus.APPROVED,
                      VOLUME_BONUS["name"]: CampaignStatus.PENDING_APPROVAL}
    sales_id = session.scalar(select(User.id).where(User.email == "sales@abm.local"))
    for role, alert in (("sales", "overdue_receivable"), ("marketing", "decline_vs_previous")):
        [told] = _news(session, role)["task_assigned"]
        task = session.get(Task, told["task_id"])
        assert task.account_id == told["account_id"] and task.due_on > TODAY
        kinds = set(session.scalars(select(Alert.kind).where(
            Alert.account_id == task.account_id)))
        assert alert in kinds, role
    [sales_task] = _news(session, "sales")["task_assigned"]
    assert session.get(Account, sales_task["account_id"]).owner_id == sales_id
