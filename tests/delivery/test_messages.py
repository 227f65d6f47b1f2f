import email
from email import policy

import pytest
from itsdangerous import URLSafeSerializer

from abm.campaigns.rendering import RenderedMessage
from abm.delivery.messages import Envelope, build_message
from abm.delivery.tokens import Tokens

SECRET = "test-secret"


def _build(subject: str, outbox_id: int = 7) -> tuple[bytes, email.message.EmailMessage]:
    envelope = Envelope("abm@shop.example", "https://abm.example", Tokens(SECRET))
    rendered = RenderedMessage(subject, "<body><p>Hello</p></body>", "Hello")
    _, data = build_message(envelope, outbox_id=outbox_id, campaign_id=1, to_email="a@b.c",
                            to_name="Анна Петрова", rendered=rendered,
                            unsubscribe_url="https://abm.example/u/t")
    return data, email.message_from_bytes(data, policy=policy.default)


def _raw_header(data: bytes, name: str) -> list[str]:
    """The lines of one header as written, folding included."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    start = next(i for i, line in enumerate(head) if line.startswith(f"{name}: "))
    end = next((i for i in range(start + 1, len(head)) if not head[i].startswith(" ")),
               len(head))
    return head[start:end]


@pytest.mark.parametrize("subject", [
    "Весенние цены для ООО «Ромашка»: скидка 15 % на всё до конца месяца, успейте!",
    "Prices for Müller GmbH",
    "€" * 40,  # three bytes per character: words must not split one
    "日本語の件名 🌸 with emoji",
])
def test_a_non_ascii_subject_is_written_as_encoded_words_that_read_back(subject):
    data, message = _build(subject)
    assert message["Subject"] == subject
    lines = _raw_header(data, "Subject")
    assert all(len(line) <= 76 for line in lines)  # RFC 2047, section 2
    assert all(line.strip().startswith("=?utf-8?b?") for line in [lines[0][9:], *lines[1:]])


def test_an_ascii_subject_is_written_as_it_is():
    data, message = _build("Spring prices for Acme")
    assert _raw_header(data, "Subject") == ["Subject: Spring prices for Acme"]


def test_the_message_is_multipart_alternative_with_one_click_unsubscribe():
    data, message = _build("Hi", outbox_id=42)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "Hello"
    assert "<p>Hello</p>" in message.get_body(("html",)).get_content()
    assert message["Message-ID"] == "<abm-42@shop.example>"
    assert message["To"].addresses[0].display_name == "Анна Петрова"
    assert message["List-Unsubscribe"].startswith("<https://abm.example/u/t>, <mailto:")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not message.defects and not any(p.defects for p in message.iter_parts())


def test_tokens_are_those_the_stock_serializer_writes():
    stock = URLSafeSerializer(SECRET, salt="abm.unsubscribe")
    assert Tokens(SECRET).unsubscribe(12345) == stock.dumps(12345)


def test_compressed_tokens_of_links_already_sent_still_read():
    stock, url = URLSafeSerializer(SECRET, salt="abm.click"), "https://shop.example/" + "a/" * 80
    assert stock.dumps([3, url]).startswith(".")  # the stock serializer compressed it
    assert Tokens(SECRET).read_click(stock.dumps([3, url])) == (3, url)
    assert stock.loads(Tokens(SECRET).click(3, url)) == [3, url]
