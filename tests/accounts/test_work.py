from datetime import UTC, date, datetime

import pytest

from abm.accounts import work
from abm.accounts.models import Account, Contact, Task, TaskStatus
from abm.accounts.services import Viewer, set_categories, update_dossier
from abm.sales.models import MonthlyAccountSales
from abm.sales.reads import monthly_revenue


@pytest.fixture
def account(session, people):
    account = Account(name="Acme", owner_id=people["sales"].id)
    session.add(account)
    session.flush()
    return account


def test_monthly_revenue_fills_months_without_shipments_with_zero(session, account):
    session.add_all([
        MonthlyAccountSales(account_id=account.id, month=date(2026, 1, 1), revenue=10),
        MonthlyAccountSales(account_id=account.id, month=date(2026, 3, 1), revenue=30),
    ])
    session.flush()
    months = monthly_revenue(session, account.id, months=4)
    assert [(m.month.month, m.revenue) for m in months] == [
        (12, 0.0), (1, 10.0), (2, 0.0), (3, 30.0)]


def test_monthly_revenue_is_empty_without_any_sales(session, account):
    assert monthly_revenue(session, account.id) == []


def test_an_interaction_cannot_name_another_accounts_contact(session, account, people):
    stranger = Account(name="Other")
    stranger.contacts.append(Contact(name="Not ours"))
    session.add(stranger)
    session.flush()
    with pytest.raises(ValueError, match="does not belong"):
        work.log_interaction(session, account_id=account.id, user_id=people["sales"].id,
                             kind="visit", occurred_at=datetime.now(UTC),
                             contact_id=stranger.contacts[0].id)


def test_interactions_come_newest_first(session, account, people):
    for day in (3, 1, 2):
        work.log_interaction(session, account_id=account.id, user_id=people["sales"].id,
                             kind="call", occurred_at=datetime(2026, 5, day, tzinfo=UTC),
                             text=f"day {day}")
    assert [i.text for i in work.interactions(session, account.id)] == ["day 3", "day 2",
                                                                        "day 1"]


def test_setting_categories_replaces_them(session, account):
    set_categories(session, account, ["image", "loyal"])
    set_categories(session, account, ["loyal", "breadwinner"])
    assert account.category_names == ["breadwinner", "loyal"]


def test_empty_dossier_text_is_stored_as_null(session, account):
    account.industry = "Retail"
    update_dossier(session, account, {"industry": "", "not_a_field": "x"})
    assert account.industry is None


def test_a_task_assigned_to_a_sales_user_is_theirs_to_work_on_any_account(session, people):
    foreign = Account(name="Someone else's", owner_id=people["rival"].id)
    session.add(foreign)
    session.flush()
    mine = work.create_task(session, account_id=foreign.id, creator_id=people["marketing"].id,
                            title="Call them", assignee_id=people["sales"].id)
    theirs = work.create_task(session, account_id=foreign.id, creator_id=people["marketing"].id,
                              title="Not mine")
    viewer = Viewer(user_id=people["sales"].id, role="sales")
    assert work.get_task_for(session, mine.id, viewer) is mine
    assert work.get_task_for(session, theirs.id, viewer) is None


def test_open_tasks_are_listed_soonest_due_first(session, account, people):
    for title, due, status in (("later", date(2026, 3, 1), TaskStatus.OPEN),
                               ("done", date(2026, 1, 1), TaskStatus.DONE),
                               ("sooner", date(2026, 2, 1), TaskStatus.IN_PROGRESS),
                               ("whenever", None, TaskStatus.OPEN)):
        session.add(Task(account_id=account.id, title=title, due_on=due, status=status,
                         assignee_id=people["sales"].id))
    session.flush()
    titles = [t.title for t in work.open_tasks_for(session, people["sales"].id)]
    assert titles == ["sooner", "later", "whenever"]
