"""Every valid address is reachable: internationalised domains, UTF-8 local parts, display
names, and refusals told apart (a recipient refused bounces; a message refused does not).

Against real aiosmtpd servers on loopback, one without SMTPUTF8 and one with it.
"""

from __future__ import annotations

import email
import re
from email import policy
from email.header import decode_header, make_header

import pytest
from sqlalchemy import func, select

from abm.accounts.models import Contact
from abm.campaigns import jobs, services
from abm.campaigns.rendering import RenderedMessage
from abm.delivery.addresses import AddressError, Recipient, address_key, smtp_recipient
from abm.delivery.messages import Envelope, build_message
from abm.delivery.models import EventKind, OutboxMessage, OutboxReason, OutboxState, TrackingEvent
from abm.delivery.outbox import counts_by_state
from abm.delivery.tokens import Tokens
from abm.delivery.transport import BODY, LOCAL, MAIL, SMTPTransport

LONG_NAME = "Анна-Мария Петрова-Водкина Александровна фон Мюллер-Лüdenscheid"


@pytest.fixture
def utf8_app(app, utf8_smtp_server):
    """The test app sending to the loopback server that offers SMTPUTF8."""
    app.extensions["abm.settings"].smtp_url = utf8_smtp_server.url
    return app


def _start(session) -> int:
    campaign = services.create_campaign(session, name="Spring", kind="promotion",
                                        offer={"title": "Spring"}, holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.enqueue_start(campaign.id)
    return campaign.id


def _one_contact(session, make_accounts, email_address: str, name: str = "Anna Test"):
    contact = make_accounts(1, contacts=1)[0].contacts[0]
    contact.email, contact.name = email_address, name
    session.flush()
    return contact


def _rows(session, campaign_id: int) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.campaign_id == campaign_id).order_by(OutboxMessage.id)))


def _utf8_message(raw: bytes) -> email.message.EmailMessage:
    """A UTF-8 message (RFC 6532) parsed as text: the bytes parser leaves its addresses escaped."""
    return email.message_from_string(raw.decode("utf-8"), policy=policy.SMTPUTF8)


def _head(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def _to_lines(raw: bytes) -> list[bytes]:
    """The lines of the To header as written, folding included."""
    head = _head(raw)
    start = next(i for i, line in enumerate(head) if line.startswith(b"To: "))
    end = next((i for i in range(start + 1, len(head)) if not head[i].startswith(b" ")),
               len(head))
    return head[start:end]


def _display_name(raw: bytes) -> str:
    """The To header's display name decoded per RFC 2047 (whitespace between words dropped).

    The email package's address parser keeps that whitespace inside a phrase, so
    the name is decoded with ``decode_header``, which follows the RFC.
    """
    unfolded = b"".join(_to_lines(raw)).decode("utf-8")[len("To: "):]
    return str(make_header(decode_header(unfolded.rsplit(" <", 1)[0].strip())))


def test_an_internationalised_domain_goes_out_as_punycode_to_any_server(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    _one_contact(session, make_accounts, "anna@пример.рф")
    campaign_id = _start(session)
    run_jobs()
    assert smtp_server.recipients() == ["anna@xn--e1afmkfd.xn--p1ai"]
    assert not any("SMTPUTF8" in o for o in smtp_server.mail_options)
    raw = smtp_server.messages[0][1]
    assert raw.isascii()  # a 7-bit message: no server needs more
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "anna@xn--e1afmkfd.xn--p1ai"
    assert _rows(session, campaign_id)[0].state == OutboxState.SENT


def test_a_utf8_local_part_is_delivered_with_smtputf8_where_the_server_offers_it(
        utf8_app, session, utf8_smtp_server, make_accounts, run_jobs):
    _one_contact(session, make_accounts, "mikko.müller.55@example.com", "Mikko Müller")
    campaign_id = _start(session)
    run_jobs()
    assert utf8_smtp_server.recipients() == ["mikko.müller.55@example.com"]
    assert "SMTPUTF8" in utf8_smtp_server.mail_options[0]
    assert "BODY=8BITMIME" in utf8_smtp_server.mail_options[0]
    raw = utf8_smtp_server.messages[0][1]
    to_line = next(line for line in _head(raw) if line.startswith(b"To: "))
    assert to_line.endswith("<mikko.müller.55@example.com>".encode())  # UTF-8, RFC 6532
    assert _utf8_message(raw)["To"].addresses[0].addr_spec == "mikko.müller.55@example.com"
    assert _rows(session, campaign_id)[0].state == OutboxState.SENT


def test_a_utf8_local_part_and_an_idn_domain_go_together_with_smtputf8(
        utf8_app, session, utf8_smtp_server, make_accounts, run_jobs):
    _one_contact(session, make_accounts, "иван@пример.рф")
    _start(session)
    run_jobs()
    assert utf8_smtp_server.recipients() == ["иван@xn--e1afmkfd.xn--p1ai"]


def test_without_smtputf8_a_utf8_local_part_is_undeliverable_not_a_template_failure(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    contact = _one_contact(session, make_accounts, "mikko.müller.55@example.com")
    campaign_id = _start(session)
    run_jobs()
    assert smtp_server.messages == [] and smtp_server.events == []  # not even a MAIL
    row = _rows(session, campaign_id)[0]
    assert (row.state, row.reason) == (OutboxState.UNDELIVERABLE, OutboxReason.NEEDS_SMTPUTF8)
    assert session.get(Contact, contact.id).bounced_at is None  # the address is not wrong


def test_a_domain_that_is_no_domain_name_is_undeliverable_with_the_reason(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    _one_contact(session, make_accounts, "anna@exa mple.рф")  # stored before validation
    campaign_id = _start(session)
    run_jobs()
    row = _rows(session, campaign_id)[0]
    assert (row.state, row.reason) == (OutboxState.UNDELIVERABLE, OutboxReason.INVALID_ADDRESS)
    assert "exa mple.рф" in row.last_error


def test_a_non_ascii_display_name_is_encoded_in_words_of_at_most_75_characters(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    _one_contact(session, make_accounts, "anna@client.test", LONG_NAME)
    _start(session)
    run_jobs()
    raw = smtp_server.messages[0][1]
    lines = _to_lines(raw)
    words = re.findall(rb"=\?utf-8\?b\?[A-Za-z0-9+/=]*\?=", b"".join(lines))
    assert len(words) > 1 and all(len(w) <= 75 for w in words)
    assert all(len(line) <= 78 for line in _head(raw))
    assert b"".join(lines).isascii()
    assert _display_name(raw) == LONG_NAME


def test_the_outbox_folder_writes_messages_to_utf8_addresses(app, session, make_accounts,
                                                             run_jobs):
    _one_contact(session, make_accounts, "иван@пример.рф", "Иван Петров")
    campaign_id = _start(session)
    run_jobs()
    files = list((app.extensions["abm.settings"].outbox_path / str(campaign_id)).glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    assert _utf8_message(raw)["To"].addresses[0].addr_spec == "иван@пример.рф"
    assert _display_name(raw) == "Иван Петров"
    assert _rows(session, campaign_id)[0].state == OutboxState.SENT


def test_a_refusal_of_the_message_fails_it_and_does_not_bounce_the_contact(
        smtp_app, session, smtp_server, make_accounts, run_jobs):
    contact = _one_contact(session, make_accounts, "strict@client.test")
    smtp_server.data_replies["strict@client.test"] = ["554 5.6.0 message content rejected"]
    campaign_id = _start(session)
    run_jobs()
    row = _rows(session, campaign_id)[0]
    assert (row.state, row.reason) == (OutboxState.REFUSED, OutboxReason.MESSAGE_REFUSED)
    assert row.last_error == "554 5.6.0 message content rejected"
    assert session.get(Contact, contact.id).bounced_at is None
    assert session.scalar(select(func.count()).select_from(TrackingEvent).where(
        TrackingEvent.kind == EventKind.BOUNCE)) == 0


def test_a_refusal_of_the_recipient_bounces_the_contact(smtp_app, session, smtp_server,
                                                       make_accounts, run_jobs):
    contact = _one_contact(session, make_accounts, "gone@client.test")
    smtp_server.replies["gone@client.test"] = ["550 5.1.1 no such mailbox"]
    campaign_id = _start(session)
    run_jobs()
    row = _rows(session, campaign_id)[0]
    assert (row.state, row.reason) == (OutboxState.BOUNCED, OutboxReason.RECIPIENT_REFUSED)
    assert session.get(Contact, contact.id).bounced_at is not None


def test_two_contacts_with_one_address_get_one_message(smtp_app, session, smtp_server,
                                                      make_accounts, run_jobs):
    first, second = (a.contacts[0] for a in make_accounts(2, contacts=1))
    first.email, second.email = "shared@пример.рф", "Shared@xn--e1afmkfd.xn--p1ai"
    session.flush()
    campaign_id = _start(session)
    run_jobs()
    assert len(smtp_server.messages) == 1
    rows = {r.contact_id: r for r in _rows(session, campaign_id)}
    assert rows[first.id].state == OutboxState.SENT
    duplicate = rows[second.id]
    assert (duplicate.state, duplicate.reason, duplicate.last_error) == (
        OutboxState.DUPLICATE, OutboxReason.DUPLICATE_ADDRESS, str(first.id))
    states = counts_by_state(session, campaign_id)
    assert (states["sent"], states["duplicate"], states["invalid"]) == (1, 1, 0)


# The transport and the message on their own, against the same servers.

ENVELOPE = Envelope("abm@shop.test", "https://abm.test", Tokens("secret"))


def _message(subject: str, to: str = "anna@client.test", utf8: bool = False) -> bytes:
    return build_message(ENVELOPE, outbox_id=1, campaign_id=1, to_email=to, to_name="Anna",
                         rendered=RenderedMessage(subject, "<p>Hi</p>", "Hi"),
                         unsubscribe_url="https://abm.test/u/t", utf8=utf8)[1]


@pytest.mark.parametrize("subject", ["Spring offer " * 77, "x" * 1000, "Скидка " * 143])
def test_a_long_subject_is_folded_within_998_characters_and_a_strict_server_takes_it(
        transport, smtp_server, subject):
    subject = subject.strip()[:1000]
    data = _message(subject)
    assert max(len(line) for line in _head(data)) <= 78
    # aiosmtpd answers "500 Line too long" past 1,001 bytes, as the strict server did.
    assert transport.send("abm@shop.test", "anna@client.test", data).ok
    received = email.message_from_bytes(smtp_server.messages[0][1], policy=policy.default)
    assert received["Subject"] == subject


def test_the_stage_of_a_refusal_tells_a_sender_or_message_refusal_from_a_bounce(
        transport, smtp_server):
    smtp_server.replies["blocked@shop.test"] = ["553 5.7.1 sender not allowed"]
    smtp_server.data_replies["anna@client.test"] = ["552 5.3.4 message too big"]
    refused = transport.send("blocked@shop.test", "anna@client.test", _message("Hi"))
    assert (refused.permanent, refused.stage) == (True, MAIL)
    refused = transport.send("abm@shop.test", "anna@client.test", _message("Hi"))
    assert (refused.permanent, refused.stage, refused.code) == (True, BODY, 552)


def test_a_utf8_message_waits_for_no_reply_when_the_server_lacks_smtputf8(transport,
                                                                         smtp_server):
    assert transport.offers_smtputf8() is False
    outcome = transport.send("abm@shop.test", "mikko.müller@example.com",
                             _message("Hi", "mikko.müller@example.com", utf8=True), utf8=True)
    assert (outcome.ok, outcome.permanent, outcome.stage) == (False, True, LOCAL)
    assert smtp_server.events == []
    assert transport.send("abm@shop.test", "anna@client.test", _message("Hi")).ok


def test_the_transport_announces_smtputf8_only_for_utf8_messages(utf8_smtp_server):
    transport = SMTPTransport(utf8_smtp_server.url)
    try:
        assert transport.offers_smtputf8() is True
        assert transport.send("abm@shop.test", "anna@client.test", _message("Hi")).ok
        assert transport.send("abm@shop.test", "jón@dæmi.is",
                              _message("Hi", "jón@dæmi.is", utf8=True), utf8=True).ok
    finally:
        transport.close()
    assert ["SMTPUTF8" in o for o in utf8_smtp_server.mail_options] == [False, True]
    assert utf8_smtp_server.recipients() == ["anna@client.test", "jón@dæmi.is"]


# The address forms on their own.

@pytest.mark.parametrize(("given", "wire", "header", "utf8"), [
    ("anna@client.test", "anna@client.test", "anna@client.test", False),
    ("anna@пример.рф", "anna@xn--e1afmkfd.xn--p1ai", "anna@xn--e1afmkfd.xn--p1ai", False),
    ("иван@пример.рф", "иван@xn--e1afmkfd.xn--p1ai", "иван@пример.рф", True),
    ("mikko.müller.55@example.com", "mikko.müller.55@example.com",
     "mikko.müller.55@example.com", True),
])
def test_an_address_gets_its_envelope_and_header_forms(given, wire, header, utf8):
    assert smtp_recipient(given) == Recipient(wire, header, utf8)


@pytest.mark.parametrize("bad", ["no-at-sign", "@пример.рф", "anna@", "anna@exa mple.рф"])
def test_an_address_without_a_usable_domain_is_refused(bad):
    with pytest.raises(AddressError):
        smtp_recipient(bad)


def test_addresses_of_one_mailbox_share_a_key_whatever_their_case_and_domain_form():
    assert address_key(" Shared@ПРИМЕР.рф ") == address_key("shared@xn--e1afmkfd.xn--p1ai")
    assert address_key("a@client.test") != address_key("b@client.test")
    assert address_key("") is None and address_key(None) is None
