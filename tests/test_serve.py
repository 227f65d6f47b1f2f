"""The first run: migrate, demo data, demo logins, and the first page behind the login."""

from datetime import date

from sqlalchemy import func, select

from abm.accounts.models import Account
from abm.app import create_app
from abm.db import get_db
from abm.demo import DEMO_PASSWORD
from abm.sales.models import MonthlyAccountSales
from abm.serve import prepare, public_url
from abm.users.models import User


def test_the_first_page_redirects_to_login_without_a_session(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_first_page_answers_after_login(app, client, auth, session):
    session.add(Account(name="Acme Ltd"))
    session.add(Account(name="Prospect Co", kind="prospect"))
    session.commit()
    assert auth.login("sales").status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="count-customer">1<' in page
    assert 'id="count-prospect">1<' in page


def test_the_first_page_shows_revenue_by_month(app, client, auth, session):
    account = Account(name="Acme Ltd")
    session.add(account)
    session.flush()
    session.add_all([
        MonthlyAccountSales(account_id=account.id, month=date(2026, 9, 1), revenue=1234.5,
                            margin=200, quantity=3, lines=2, documents=1, purchase_days=1),
        MonthlyAccountSales(account_id=account.id, month=date(2026, 10, 1), revenue=99,
                            margin=9, quantity=1, lines=1, documents=1, purchase_days=1),
    ])
    session.commit()
    auth.login("manager")
    page = client.get("/").get_data(as_text=True)
    assert "Sep 2026" in page and "€1,234.50" in page and "Oct 2026" in page


def test_a_wrong_password_is_refused(client, auth):
    auth.login("sales")
    auth.logout()
    response = client.post("/login", data={"email": "sales@test.local", "password": "nope"})
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_follows_only_local_next_paths(client, auth, session):
    auth.login("sales")
    auth.logout()
    for target, expected in [("/?x=1", "/?x=1"), ("https://evil.example/", "/"),
                             ("//evil.example/", "/"), ("/\\evil.example", "/")]:
        response = client.post(f"/login?next={target}",
                               data={"email": "sales@test.local", "password": "secret-password"})
        assert response.headers["Location"] == expected, target
        auth.logout()


def test_logout_ends_the_session(client, auth):
    auth.login("sales")
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_prepare_migrates_loads_the_demo_and_creates_the_demo_users(fresh_database, redis_url,
                                                                    tmp_path):
    url = fresh_database()
    app = create_app({"database_url": url, "redis_url": redis_url,
                      "instance_path": str(tmp_path)})
    database = get_db(app)

    def count(model) -> int:
        with database.unit_of_work(read_only=True) as session:
            return session.scalar(select(func.count()).select_from(model))

    try:
        with app.app_context():
            logins = prepare(app, echo=lambda _m: None)
            assert database.engine.pool.checkedout() == 0  # every step ended its transaction
            assert count(Account) == 460
            assert {role for _e, _p, role in logins} == {"admin", "manager", "marketing", "sales"}
            assert all(password == DEMO_PASSWORD for _e, password, _r in logins)
            assert count(User) == 4
            # A second start changes nothing and still shows the logins.
            assert prepare(app, echo=lambda _m: None) == logins
            assert count(Account) == 460
    finally:
        database.dispose()


def test_links_point_at_the_served_address_when_no_public_url_is_set():
    assert public_url("127.0.0.1", 5123) == "http://127.0.0.1:5123"
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("0.0.0.0", 80).endswith(":80")  # noqa: S104 - the machine's name
    assert "0.0.0.0" not in public_url("0.0.0.0", 80)  # noqa: S104
