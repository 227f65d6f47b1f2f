"""The SMTP transport, a command at a time: refusals, dropped connections, an absent server."""

import socket

import pytest

from abm.delivery.transport import FolderTransport, SMTPTransport, TransportError

MESSAGE = b"From: shop@abm.test\r\nSubject: Offer\r\n\r\nHello\r\n"


def test_a_transaction_advances_one_command_per_step(smtp_server, transport):
    transaction = transport.start("shop@abm.test", "a@client.test", MESSAGE)
    assert [kind for kind, _ in smtp_server.events] in ([], ["mail"])  # MAIL is on the wire
    assert transaction.advance() is None  # MAIL answered, RCPT written
    assert transaction.advance() is None  # RCPT answered, DATA written
    assert not transaction.body_sent
    assert transaction.advance() is None  # 354, the body written
    assert transaction.body_sent
    outcome = transaction.advance()
    assert outcome.ok
    assert smtp_server.messages == [("a@client.test", MESSAGE)]


def test_a_refused_sender_resets_and_the_connection_goes_on(smtp_server, transport):
    smtp_server.replies["shop@abm.test"] = ["550 5.7.1 sender rejected"]
    outcome = transport.send("shop@abm.test", "a@client.test", MESSAGE)
    assert (outcome.ok, outcome.permanent, outcome.code) == (False, True, 550)
    assert transport.send("shop@abm.test", "b@client.test", MESSAGE).ok
    assert smtp_server.recipients() == ["b@client.test"]


def test_a_421_closes_the_connection_and_the_next_message_opens_another(smtp_server,
                                                                        transport):
    smtp_server.replies["a@client.test"] = ["421 4.7.0 closing"]
    outcome = transport.send("shop@abm.test", "a@client.test", MESSAGE)
    assert (outcome.ok, outcome.permanent, outcome.code) == (False, False, 421)
    assert transport._smtp is None
    assert transport.send("shop@abm.test", "b@client.test", MESSAGE).ok
    assert smtp_server.recipients() == ["b@client.test"]


def test_a_connection_dropped_mid_transaction_is_reopened_once(smtp_server, transport):
    transaction = transport.start("shop@abm.test", "a@client.test", MESSAGE)
    transport._smtp.sock.shutdown(socket.SHUT_RDWR)  # the connection is gone
    assert transaction.finish().ok
    assert smtp_server.recipients() == ["a@client.test"]


def test_an_absent_server_is_a_transport_error(smtp_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once the socket is closed
    transport = SMTPTransport(f"smtp://127.0.0.1:{port}", timeout=2)
    with pytest.raises(TransportError, match="cannot reach the SMTP server"):
        transport.start("shop@abm.test", "a@client.test", MESSAGE)


def test_the_folder_transport_writes_the_message_on_its_one_step(tmp_path):
    transaction = FolderTransport(tmp_path).start("shop@abm.test", "a@client.test", MESSAGE,
                                                  name="7/12")
    assert not (tmp_path / "7" / "12.eml").exists()
    assert transaction.advance().ok
    assert (tmp_path / "7" / "12.eml").read_bytes() == MESSAGE
