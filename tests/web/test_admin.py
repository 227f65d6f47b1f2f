"""Administration of users and roles."""

from sqlalchemy import select

from abm.users.models import Role, User


def test_an_admin_creates_a_user(client, session, login, users):
    login("admin")
    response = client.post("/admin/users", data={
        "new-email": "New.Person@Test.local", "new-name": "New Person", "new-role": "marketing",
        "new-password": "long-enough-password"})
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "new.person@test.local"))
    assert user.role is Role.MARKETING


def test_a_duplicate_email_comes_back_with_a_message(client, login, users):
    login("admin")
    response = client.post("/admin/users", data={
        "new-email": "sales@test.local", "new-name": "Again", "new-role": "sales",
        "new-password": "long-enough-password"})
    assert response.status_code == 422
    assert "A user with this email exists already." in response.get_data(as_text=True)


def test_a_short_password_is_refused(client, login, users):
    login("admin")
    response = client.post("/admin/users", data={
        "new-email": "x@test.local", "new-name": "X", "new-role": "sales", "new-password": "short"})
    assert response.status_code == 422


def test_an_admin_changes_a_role_and_deactivates(client, session, login, users):
    login("admin")
    client.post(f"/admin/users/{users['rival'].id}", data={"role": "manager"})
    session.expire_all()
    rival = session.get(User, users["rival"].id)
    assert (rival.role, rival.active) == (Role.MANAGER, False)


def test_an_admin_cannot_demote_themselves(client, session, login, users):
    login("admin")
    client.post(f"/admin/users/{users['admin'].id}", data={"role": "sales", "active": "y"})
    session.expire_all()
    assert session.get(User, users["admin"].id).role is Role.ADMIN


def test_a_manager_cannot_change_roles(client, session, login, users):
    login("manager")
    response = client.post(f"/admin/users/{users['rival'].id}", data={"role": "admin"})
    assert response.status_code == 403


def test_a_role_change_is_written_to_the_audit_log(client, session, login, users):
    from abm.audit.models import AuditEvent

    login("admin")
    client.post(f"/admin/users/{users['rival'].id}", data={"role": "manager", "active": "y"})
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user_role_changed"))
    assert event.actor_id == users["admin"].id
    assert event.target == f"user:{users['rival'].id}"
    assert event.details["from"]["role"] == "sales" and event.details["to"]["role"] == "manager"


def test_creating_a_user_is_written_to_the_audit_log(client, session, login, users):
    from abm.audit.models import AuditEvent

    login("admin")
    client.post("/admin/users", data={
        "new-email": "aud@test.local", "new-name": "Aud", "new-role": "sales",
        "new-password": "long-enough-password"})
    created = session.scalar(select(User).where(User.email == "aud@test.local"))
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert event.target == f"user:{created.id}" and event.details == {"role": "sales"}
