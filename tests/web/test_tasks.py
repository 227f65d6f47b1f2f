"""Tasks and comments between sales and marketing."""

from sqlalchemy import select

from abm.accounts.models import Task, TaskComment, TaskStatus


def _task(client, book, users, **extra):
    data = {"task-title": "Prepare an offer", "task-assignee_id": str(users["sales"].id),
            "task-due_on": "2026-12-01", **extra}
    return client.post(f"/accounts/{book['own'].id}/tasks", data=data)


def _made(session, title: str = "Prepare an offer") -> Task | None:
    """The task of this title (the book's rival account has tasks of its own)."""
    return session.scalar(select(Task).where(Task.title == title))


def test_marketing_assigns_a_task_with_a_due_date(client, session, login, users, book):
    login("marketing")
    assert _task(client, book, users).status_code == 302
    task = _made(session)
    assert (task.title, task.assignee_id, task.creator_id, str(task.due_on)) == (
        "Prepare an offer", users["sales"].id, users["marketing"].id, "2026-12-01")


def test_the_assignee_sees_the_task_in_their_list(client, login, users, book):
    login("marketing")
    _task(client, book, users)
    client.post("/logout")
    login("sales")
    page = client.get("/tasks").get_data(as_text=True)
    assert "Prepare an offer" in page and "Own Customer" in page


def test_a_task_without_a_title_is_refused(client, session, login, users, book):
    login("marketing")
    response = _task(client, book, users, **{"task-title": ""})
    assert response.status_code == 302
    assert session.scalar(select(Task).where(Task.account_id == book["own"].id)) is None


def test_comment_then_mark_done(client, session, login, users, book):
    login("marketing")
    _task(client, book, users)
    task = _made(session)
    client.post("/logout")
    login("sales")
    client.post(f"/tasks/{task.id}/comments", data={"comment-text": "Sent on Monday"})
    client.post(f"/tasks/{task.id}/status", data={"status": "done"})
    session.expire_all()
    assert session.scalar(select(TaskComment.text)) == "Sent on Monday"
    assert session.get(Task, task.id).status is TaskStatus.DONE


def test_a_sales_user_cannot_touch_a_task_on_someone_elses_account(client, session, login,
                                                                    users, book):
    session.add(Task(account_id=book["rival"].id, title="Theirs"))
    session.commit()
    task = _made(session, "Theirs")
    login("sales")
    assert client.post(f"/tasks/{task.id}/status", data={"status": "done"}).status_code == 404


def test_an_unknown_status_is_a_bad_request(client, session, login, users, book):
    login("marketing")
    _task(client, book, users)
    task = _made(session)
    assert client.post(f"/tasks/{task.id}/status", data={"status": "won"}).status_code == 400
