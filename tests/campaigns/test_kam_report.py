import email
from datetime import date
from email import policy

from abm.campaigns.kam_report import send_kam_reports
from abm.delivery.transport import FolderTransport


def test_each_kam_gets_the_figures_of_the_accounts_they_own(session, users, make_accounts,
                                                           sales, tmp_path):
    mine = make_accounts(1, owner_id=users["sales"].id, name="Mine Ltd")[0]
    make_accounts(1, name="Not mine")
    sales(mine, {"A": 1234.0}, date(2026, 9, 1))
    sent = send_kam_reports(session, FolderTransport(tmp_path), "abm@x.test", date(2026, 11, 5))
    assert sent == 1
    (path,) = tmp_path.rglob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "sales@test.local"
    text = message.get_body(("plain",)).get_content()
    assert "Mine Ltd: 1234.0" in text and "Not mine" not in text
