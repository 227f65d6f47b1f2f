"""A loyalty invitation campaign: its accounts are invited, its link accepts, once."""

from __future__ import annotations

import email
import re
from email import policy
from urllib.parse import urlsplit

from abm.campaigns import jobs, services
from abm.delivery.tokens import Tokens
from abm.loyalty import services as loyalty


def _send_invitation(session, run_jobs, offer=None):
    campaign = services.create_campaign(session, name="Join us", kind="loyalty_invitation",
                                        offer=offer or {}, holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.enqueue_start(campaign.id)
    run_jobs()
    return campaign


def _accept_path(raw: bytes) -> str:
    text = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return urlsplit(re.search(r"Accept the invitation: (\S+)", text).group(1)).path


def test_the_accounts_mailed_are_invited(smtp_app, session, make_accounts, programme, run_jobs):
    account, = make_accounts(1, contacts=1)
    _send_invitation(session, run_jobs)
    membership, = loyalty.memberships(session, account.id)
    assert (membership.programme, membership.status) == ("Partners", "invited")


def test_an_account_whose_invitation_did_not_go_out_is_not_invited(
        smtp_app, session, smtp_server, make_accounts, programme, run_jobs):
    mailed, refused = make_accounts(2, contacts=1)
    smtp_server.replies[refused.contacts[0].email] = ["550 5.1.1 No such user"]
    _send_invitation(session, run_jobs)
    assert [m.status for m in loyalty.memberships(session, mailed.id)] == ["invited"]
    assert loyalty.memberships(session, refused.id) == []


def test_the_link_in_the_message_accepts_once(smtp_app, client, session, smtp_server,
                                              make_accounts, programme, run_jobs):
    account, = make_accounts(1, contacts=1)
    _send_invitation(session, run_jobs)
    page = _accept_path(smtp_server.messages[0][1])  # not redirected: its token is the point
    assert page.startswith("/a/")
    shown = client.get(page)
    assert b"Accept the invitation" in shown.data
    assert loyalty.memberships(session, account.id)[0].status == "invited"  # a GET accepts not
    done = client.post(page)
    assert done.status_code == 200 and b'id="accepted"' in done.data
    first = loyalty.memberships(session, account.id)[0]
    assert first.status == "member"
    client.post(page)
    session.expire_all()
    assert loyalty.memberships(session, account.id)[0].accepted_at == first.accepted_at


def test_the_campaign_may_name_its_programme(smtp_app, session, make_accounts, programme,
                                             run_jobs):
    from abm.audit.services import NOBODY

    other = loyalty.save_programme(session, NOBODY, name="Innovators", rule="manual", tiers=[])
    account, = make_accounts(1, contacts=1)
    _send_invitation(session, run_jobs, offer={"programme_id": other.id})
    assert [m.programme for m in loyalty.memberships(session, account.id)] == ["Innovators"]


def test_an_altered_link_is_not_valid(client, session):
    token = Tokens("test-secret").accept(1)
    assert client.get(f"/a/{token}x").status_code == 404
    assert client.post(f"/a/{token}x").status_code == 404


def test_a_link_of_another_kind_of_campaign_accepts_nothing(smtp_app, client, session,
                                                            make_accounts, programme, run_jobs):
    from sqlalchemy import select

    from abm.delivery.models import OutboxMessage

    account, = make_accounts(1, contacts=1)
    campaign = services.create_campaign(session, name="News", kind="promotion", holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.prepare_campaign(session, campaign.id)
    session.commit()
    outbox_id = session.scalar(select(OutboxMessage.id))
    assert client.post(f"/a/{Tokens('test-secret').accept(outbox_id)}").status_code == 404
    assert loyalty.memberships(session, account.id) == []


def test_the_page_speaks_the_recipients_language(smtp_app, client, session, smtp_server,
                                                 make_accounts, programme, run_jobs):
    account, = make_accounts(1, contacts=1)
    account.contacts[0].language = "ru"
    session.commit()
    _send_invitation(session, run_jobs)
    page = _accept_path_ru(smtp_server.messages[0][1])
    assert "Принять приглашение".encode() in client.get(page).data
    assert "Добро пожаловать".encode() in client.post(page).data


def _accept_path_ru(raw: bytes) -> str:
    text = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    return urlsplit(re.search(r"Принять приглашение: (\S+)", text).group(1)).path
