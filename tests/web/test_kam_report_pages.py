"""The KAM report page: a KAM sees their own, a manager anyone's; printable; mailed monthly."""

from __future__ import annotations

import email
from datetime import date
from email import policy

from abm.delivery.jobs import mail_kam_reports
from tests.analytics.kam_book import kam_book  # noqa: F401 - the fixture
from tests.web.conftest import PASSWORD

AS_OF = "?today=2026-11-15"


def _login(client, user):
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302


def test_a_kam_sees_their_own_report(client, kam_book):  # noqa: F811
    kira = kam_book["users"]["kira"]
    _login(client, kira)
    assert client.get("/reports/kam/").headers["Location"].endswith(f"/reports/kam/{kira.id}")
    page = client.get(f"/reports/kam/{kira.id}{AS_OF}").get_data(as_text=True)
    assert "KAM report: Kira" in page
    assert f'id="kam-account-{kam_book["A"]}"' in page
    assert f'id="kam-account-{kam_book["R"]}"' not in page
    assert "Quarterly review" in page and "Rival&#39;s task" not in page
    assert 'name="kam"' not in page  # no chooser of other KAMs


def test_a_salesperson_cannot_open_another_kams_report(client, kam_book):  # noqa: F811
    _login(client, kam_book["users"]["kira"])
    rex = kam_book["users"]["rex"].id
    assert client.get(f"/reports/kam/{rex}").status_code == 403
    assert client.get(f"/reports/kam/{rex}/print").status_code == 403
    # the chooser's parameter does not open it either
    assert client.get(f"/reports/kam/?kam={rex}").headers["Location"].endswith(
        f"/reports/kam/{kam_book['users']['kira'].id}")


def test_a_manager_opens_any_kams_report(client, kam_book):  # noqa: F811
    _login(client, kam_book["users"]["boss"])
    rex = kam_book["users"]["rex"].id
    page = client.get(f"/reports/kam/{rex}{AS_OF}").get_data(as_text=True)
    assert f'id="kam-account-{kam_book["R"]}"' in page and 'name="kam"' in page
    assert client.get(f"/reports/kam/?kam={rex}").headers["Location"].endswith(
        f"/reports/kam/{rex}")


def test_the_printable_view_has_no_navigation_and_a_print_stylesheet(client, kam_book):  # noqa: F811
    kira = kam_book["users"]["kira"]
    _login(client, kira)
    page = client.get(f"/reports/kam/{kira.id}/print{AS_OF}").get_data(as_text=True)
    assert "print.css" in page and "<nav>" not in page
    assert "KAM report: Kira" in page and "Entered at #" in page


def test_the_report_in_russian(client, kam_book):  # noqa: F811
    kira = kam_book["users"]["kira"]
    _login(client, kira)
    client.post("/language", data={"lang": "ru", "next": "/"})
    page = client.get(f"/reports/kam/{kira.id}{AS_OF}").get_data(as_text=True)
    assert "Отчёт KAM: Kira" in page and "Список на возврат" in page


def _mails(app):
    return sorted((app.extensions["abm.settings"].outbox_path / "kam-reports").glob("*.eml"))


def test_each_kam_is_mailed_their_report_once_a_month(app, session, kam_book):  # noqa: F811
    assert mail_kam_reports(date(2026, 11, 1)) == {"sent": 2, "failed": 0}
    assert mail_kam_reports(date(2026, 11, 1)) == {"sent": 0, "failed": 0}
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in _mails(app)]
    by_to = {m["To"]: m for m in messages}
    assert set(by_to) == {"kira@k.test", "rex@k.test"}
    text = by_to["kira@k.test"].get_body(("plain",)).get_content()
    assert "- A:" in text and "- R:" not in text
    assert "Entered at #" in text and "N" in text


def test_the_monthly_mail_goes_in_the_kams_language(app, session, kam_book):  # noqa: F811
    kam_book["users"]["kira"].language = "ru"
    session.commit()
    mail_kam_reports(date(2026, 11, 1))
    by_to = {m["To"]: m for m in (email.message_from_bytes(p.read_bytes(), policy=policy.default)
                                  for p in _mails(app))}
    assert by_to["kira@k.test"]["Subject"].startswith("Отчёт KAM: Kira")
    assert by_to["rex@k.test"]["Subject"].startswith("KAM report: Rex")
