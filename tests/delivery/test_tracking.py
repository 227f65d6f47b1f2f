import re
from datetime import UTC, datetime

from sqlalchemy import select

from abm.accounts.models import Contact
from abm.campaigns.models import Campaign, CampaignKind
from abm.delivery.models import EventKind, OutboxMessage, TrackingEvent
from abm.delivery.tokens import Tokens


def _message(session, make_accounts) -> OutboxMessage:
    account = make_accounts(1, contacts=1)[0]
    campaign = Campaign(name="c", kind=CampaignKind.PROMOTION)
    session.add(campaign)
    session.flush()
    row = OutboxMessage(campaign_id=campaign.id, contact_id=account.contacts[0].id,
                        account_id=account.id, sent_at=datetime.now(UTC))
    session.add(row)
    session.commit()
    return row


def _events(session, kind):
    return list(session.scalars(select(TrackingEvent).where(TrackingEvent.kind == kind)))


def test_a_get_only_shows_the_unsubscribe_page(client, session, make_accounts):
    row = _message(session, make_accounts)
    response = client.get(f"/u/{Tokens('test-secret').unsubscribe(row.id)}")
    assert response.status_code == 200 and b"<form method=\"post\"" in response.data
    session.expire_all()
    assert session.get(Contact, row.contact_id).unsubscribed_at is None


def test_a_one_click_post_unsubscribes(client, session, make_accounts):
    row = _message(session, make_accounts)
    response = client.post(f"/u/{Tokens('test-secret').unsubscribe(row.id)}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Contact, row.contact_id).unsubscribed_at is not None
    assert len(_events(session, EventKind.UNSUBSCRIBE)) == 1


def test_an_altered_token_unsubscribes_no_one(client, session, make_accounts):
    row = _message(session, make_accounts)
    token = Tokens("another-secret").unsubscribe(row.id)
    assert client.post(f"/u/{token}").status_code == 404
    session.expire_all()
    assert session.get(Contact, row.contact_id).unsubscribed_at is None


def test_the_open_pixel_records_an_open(client, session, make_accounts):
    row = _message(session, make_accounts)
    response = client.get(f"/t/o/{Tokens('test-secret').open(row.id)}.gif")
    assert response.mimetype == "image/gif"
    assert len(_events(session, EventKind.OPEN)) == 1


def test_a_click_redirects_to_the_signed_url_only(client, session, make_accounts):
    row = _message(session, make_accounts)
    tokens = Tokens("test-secret")
    response = client.get(f"/t/c/{tokens.click(row.id, 'https://shop.example/a?b=1')}")
    assert (response.status_code, response.location) == (302, "https://shop.example/a?b=1")
    assert [e.url for e in _events(session, EventKind.CLICK)] == ["https://shop.example/a?b=1"]
    forged = tokens.click(row.id, "https://shop.example/a")[:-2] + "xx"
    assert client.get(f"/t/c/{forged}").status_code == 404


def test_links_in_the_html_part_are_tracked(app):
    from abm.campaigns.rendering import RenderedMessage
    from abm.delivery.messages import Envelope, build_message

    envelope = Envelope("abm@shop.example", "https://abm.example", Tokens("test-secret"))
    rendered = RenderedMessage("Hi", '<body><a href="https://shop.example/x">x</a></body>', "x")
    _, data = build_message(envelope, outbox_id=7, campaign_id=1, to_email="a@b.c",
                            to_name="Анна", rendered=rendered,
                            unsubscribe_url="https://abm.example/u/t")
    import email
    from email import policy

    message = email.message_from_bytes(data, policy=policy.default)
    html = message.get_body(("html",)).get_content()
    click = re.search(r'href="(https://abm.example/t/c/[^"]+)"', html).group(1)
    assert Tokens("test-secret").read_click(click.rsplit("/", 1)[1]) == (7, "https://shop.example/x")
    assert "/t/o/" in html
    assert message["To"].addresses[0].display_name == "Анна"


def _message_to(session, make_accounts, language, country=None) -> str:
    """The unsubscribe link of a message to a contact of ``language`` at an account of
    ``country``."""
    row = _message(session, make_accounts)
    contact = session.get(Contact, row.contact_id)
    contact.language = language
    contact.account.country = country
    session.commit()
    return f"/u/{Tokens('test-secret').unsubscribe(row.id)}"


def test_the_unsubscribe_page_speaks_the_recipients_language_not_the_browsers(
        client, session, make_accounts):
    link = _message_to(session, make_accounts, "ru")
    page = client.get(link, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="ru">' in page.get_data(as_text=True)
    assert "Отписаться" in page.get_data(as_text=True)
    done = client.post(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Вы отписаны" in done


def test_an_english_recipient_gets_english_whatever_the_browser(client, session, make_accounts):
    link = _message_to(session, make_accounts, "en", "RU")
    page = client.get(link, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Stop marketing messages to" in page


def test_without_a_language_of_ours_the_page_speaks_the_countrys(client, session,
                                                                make_accounts):
    link = _message_to(session, make_accounts, "de", "BY")
    page = client.get(link, headers={"Accept-Language": "de,en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page
