"""The SMTP conversation of a message overlaps the recording of the one before, never its body."""

import time

import pytest

from abm.delivery.pipeline import Pipeline

MESSAGE = b"From: shop@abm.test\r\nSubject: Offer\r\n\r\n.a line with a leading dot\r\nHello\r\n"


def test_a_body_goes_only_after_the_outcome_before_it_is_recorded(smtp_server, transport):
    events = smtp_server.events

    def mails() -> int:
        return sum(kind == "mail" for kind, _ in list(events))

    def record(i, outcome) -> None:
        # A slow commit, which lasts until the server has seen the next message's MAIL
        # (or 5 s, after which the assertions below fail).
        deadline = time.monotonic() + 5
        while i < 19 and mails() < i + 2 and time.monotonic() < deadline:
            time.sleep(0.001)
        events.append(("recorded", f"r{i}@client.test" if outcome.ok else "refused"))

    with Pipeline(transport, "shop@abm.test", record) as pipeline:
        for i in range(20):
            pipeline.send(i, f"r{i}@client.test", MESSAGE)
    recorded = [to for kind, to in events if kind == "recorded"]
    assert recorded == [f"r{i}@client.test" for i in range(20)]
    for i in range(1, 20):  # the server accepts message i only once i - 1 is recorded
        assert events.index(("recorded", f"r{i - 1}@client.test")) < events.index(
            ("data", f"r{i}@client.test"))
    # ... while message i had begun (its MAIL command went out) before i - 1 was recorded.
    for i in range(1, 20):
        before = events[: events.index(("recorded", f"r{i - 1}@client.test"))]
        assert sum(kind == "mail" for kind, _ in before) == i + 1
    assert smtp_server.messages[0][1] == MESSAGE  # dot-stuffed on the wire, intact on arrival


def test_refusals_are_recorded_in_order_with_the_rest(smtp_server, transport):
    smtp_server.replies["bad@client.test"] = ["554 5.7.1 no such user"]
    outcomes = []
    with Pipeline(transport, "shop@abm.test",
                  lambda to, outcome: outcomes.append((to, outcome.ok, outcome.code))) as pipeline:
        for to in ("a@client.test", "bad@client.test", "b@client.test"):
            pipeline.send(to, to, MESSAGE)
    assert outcomes == [("a@client.test", True, None), ("bad@client.test", False, 554),
                        ("b@client.test", True, None)]
    assert smtp_server.recipients() == ["a@client.test", "b@client.test"]


def test_a_failure_to_record_gives_up_the_message_in_flight(smtp_server, transport):
    def record(to, outcome) -> None:
        raise RuntimeError("the database is gone")

    with pytest.raises(RuntimeError, match="database is gone"), \
            Pipeline(transport, "shop@abm.test", record) as pipeline:
        pipeline.send("a", "a@client.test", MESSAGE)
        pipeline.send("b", "b@client.test", MESSAGE)
    assert smtp_server.recipients() == ["a@client.test"]
    # The transport opens a fresh connection for whatever comes next.
    assert transport.send("shop@abm.test", "c@client.test", MESSAGE).ok
    assert smtp_server.recipients() == ["a@client.test", "c@client.test"]
