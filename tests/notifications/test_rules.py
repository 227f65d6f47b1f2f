"""Who is told what: the events that raise notifications, once each."""

from __future__ import annotations

from datetime import date

from abm.accounts import work
from abm.analytics.alerts import refresh_alerts
from abm.campaigns import services as campaigns
from abm.notifications import services
from abm.notifications.models import NotificationKind
from abm.notifications.texts import render, translations_for
from abm.runs.services import create_run
from tests.analytics.shop import PERIOD, TODAY, Shop


def _kinds(session, user) -> list[str]:
    return [n.kind for n in services.inbox(session, user.id)]


def test_a_task_assigned_to_someone_else_lands_in_their_inbox(session, users, account):
    task = work.create_task(session, account_id=account.id, creator_id=users["manager"].id,
                            title="Call the buyer", assignee_id=users["sales"].id)
    [n] = services.inbox(session, users["sales"].id)
    assert n.kind == "task_assigned"
    assert n.params == {"task_id": task.id, "title": "Call the buyer",
                        "account_id": account.id, "account": "Nordic Steel", "by": "Manager"}
    assert services.inbox(session, users["manager"].id) == []


def test_a_task_one_gives_oneself_tells_nobody(session, users, account):
    work.create_task(session, account_id=account.id, creator_id=users["sales"].id,
                     title="Mine", assignee_id=users["sales"].id)
    assert services.unread_count(session, users["sales"].id) == 0


def test_reassigning_a_task_tells_the_new_assignee_only(session, users, account):
    task = work.create_task(session, account_id=account.id, creator_id=users["manager"].id,
                            title="Visit", assignee_id=users["sales"].id)
    work.update_task(session, task, {"assignee_id": users["rival"].id},
                     by_id=users["manager"].id)
    work.update_task(session, task, {"title": "Visit them"}, by_id=users["manager"].id)
    assert _kinds(session, users["rival"]) == ["task_assigned"]
    assert _kinds(session, users["sales"]) == ["task_assigned"]


def test_a_task_due_today_is_told_once_however_often_the_scan_runs(session, users, account):
    today = date(2026, 12, 7)
    work.create_task(session, account_id=account.id, creator_id=users["sales"].id,
                     title="Due", assignee_id=users["sales"].id, due_on=today)
    work.create_task(session, account_id=account.id, creator_id=users["sales"].id,
                     title="Tomorrow", assignee_id=users["sales"].id, due_on=date(2026, 12, 8))
    done = work.create_task(session, account_id=account.id, creator_id=users["sales"].id,
                            title="Done", assignee_id=users["sales"].id, due_on=today)
    work.set_task_status(session, done, "done")
    assert work.notify_tasks_due(session, today) == 1
    assert work.notify_tasks_due(session, today) == 0
    [n] = services.inbox(session, users["sales"].id)
    assert (n.kind, n.params["title"]) == ("task_due", "Due")


def test_an_approval_request_waits_in_every_managers_inbox_and_the_decision_returns(
        session, users):
    campaign = campaigns.create_campaign(session, name="Bonus Q1", kind="volume_bonus", offer={})
    campaigns.request_approval(session, campaign.id, user_id=users["marketing"].id)
    for who in ("manager", "admin"):
        assert _kinds(session, users[who]) == ["approval_waiting"]
    assert _kinds(session, users["sales"]) == []
    campaigns.decide(session, campaign.id, users["manager"].id, approve=False, reason="Too much")
    [n] = services.inbox(session, users["marketing"].id)
    assert n.kind == "approval_decided"
    assert n.params == {"campaign_id": campaign.id, "name": "Bonus Q1", "approved": False,
                        "reason": "Too much"}


def test_new_alerts_tell_the_owner_how_many(session, users):
    shop = Shop(session)
    account = shop.account("Key", owner_id=users["sales"].id, terms_reviewed_on=None)
    shop.monthly(account, {m: 100 for m in PERIOD if m != date(2026, 9, 1)})
    shop.refresh()
    raised = refresh_alerts(session, today=TODAY).raised
    assert raised >= 2
    [n] = services.inbox(session, users["sales"].id)
    assert (n.kind, n.params) == ("alerts_raised", {"count": raised})
    refresh_alerts(session, today=TODAY)  # nothing new: nothing told
    assert services.unread_count(session, users["sales"].id) == 1


def test_a_finished_run_tells_who_started_it(app, session, users, run_jobs):
    from abm.queue import get_redis
    from tests.jobs_for_tests import count_to, fail

    for func, args in ((count_to, (3,)), (fail, ("boom",))):
        job = get_redis().queue("default").enqueue(func, *args)
        create_run(session, job.id, kind=f"import:{func.__name__}", queue="default",
                   user_id=users["manager"].id)
    session.commit()
    run_jobs(["default"])
    session.expire_all()
    notes = sorted((n.params["kind"], n.params["failed"])
                   for n in services.inbox(session, users["manager"].id))
    assert notes == [("import:count_to", False), ("import:fail", True)]


def test_mark_read_touches_only_the_readers_own_notifications(session, users):
    services.notify(session, [users["sales"].id, users["rival"].id],
                    NotificationKind.ALERTS_RAISED, {"count": 1})
    [theirs] = services.inbox(session, users["rival"].id)
    assert services.mark_read(session, users["sales"].id, [theirs.id]) == 0
    assert services.unread_count(session, users["rival"].id) == 1
    assert services.mark_read(session, users["sales"].id) == 1
    assert services.unread_count(session, users["sales"].id) == 0


def test_notifications_are_worded_in_the_readers_language():
    params = {"count": 5}
    assert render(translations_for("en"), "alerts_raised", params) == \
        "5 new alerts on your accounts"
    assert render(translations_for("ru"), "alerts_raised", params) == \
        "5 новых сигналов по вашим клиентам"
    assert render(translations_for("ru"), "alerts_raised", {"count": 2}) == \
        "2 новых сигнала по вашим клиентам"
    assert render(translations_for("ru"), "task_due", {"title": "Звонок", "account": "ООО"}) \
        == "Срок задачи «Звонок» по клиенту ООО — сегодня"
