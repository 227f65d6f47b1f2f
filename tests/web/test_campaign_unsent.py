"""The campaign page says which messages were not sent and why, by category, with a CSV; the
template editor refuses a subject too long to send."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from abm.accounts.models import Contact, ContactRole
from abm.campaigns.models import Campaign, CampaignStatus, CampaignTemplate
from abm.campaigns.rendering import MAX_SUBJECT
from abm.campaigns.services import create_campaign
from abm.delivery.models import OutboxMessage, OutboxReason, OutboxState

# (state, reason, detail) of one message per category the page separates.
UNSENT = [
    (OutboxState.INVALID, OutboxReason.TEMPLATE_ERROR, "html: 'nobody' is undefined"),
    (OutboxState.UNDELIVERABLE, OutboxReason.NEEDS_SMTPUTF8, None),
    (OutboxState.BOUNCED, OutboxReason.RECIPIENT_REFUSED, "550 5.1.1 no such mailbox"),
    (OutboxState.REFUSED, OutboxReason.MESSAGE_REFUSED, "554 5.6.0 content rejected"),
    (OutboxState.SUPPRESSED, OutboxReason.UNSUBSCRIBED, None),
    (OutboxState.CAPPED, OutboxReason.CONTACT_CAP, None),
]


@pytest.fixture
def sent_campaign(session, users, book):
    """A finished campaign with one sent message and one message per category not sent."""
    campaign = create_campaign(session, name="Spring", kind="promotion", holdout_share=0,
                               user_id=users["marketing"].id)
    campaign.status = CampaignStatus.DONE
    contacts = [Contact(account_id=book["own"].id, name=f"Person {i}", role=ContactRole.OWNER,
                        email=f"person{i}@own.test", marketing_consent=True)
                for i in range(len(UNSENT) + 2)]
    contacts[2].email = "mikko.müller@own.test"  # the undeliverable one
    session.add_all(contacts)
    session.flush()
    rows = [(OutboxState.SENT, None, None)] + UNSENT
    for contact, (state, reason, detail) in zip(contacts, rows, strict=False):
        session.add(OutboxMessage(campaign_id=campaign.id, contact_id=contact.id,
                                  account_id=book["own"].id, state=state, reason=reason,
                                  last_error=detail))
    # The last contact shares the address of the first, who got the message.
    session.add(OutboxMessage(campaign_id=campaign.id, contact_id=contacts[-1].id,
                              account_id=book["own"].id, state=OutboxState.DUPLICATE,
                              reason=OutboxReason.DUPLICATE_ADDRESS,
                              last_error=str(contacts[0].id)))
    session.commit()
    return campaign


def test_the_campaign_page_counts_each_category_not_sent_and_lists_recipients_and_reasons(
        client, login, sent_campaign):
    login("marketing")
    page = client.get(f"/campaigns/{sent_campaign.id}").get_data(as_text=True)
    for state in ("invalid", "undeliverable", "bounced", "refused", "suppressed", "capped",
                  "duplicate"):
        assert f'id="unsent-{state}" data-count="1"' in page, state
    assert 'id="unsent-failed" data-count="0"' in page
    for text in ("Not rendered (template)", "Not deliverable (address)", "Bounced",
                 "Refused by the server", "Suppressed", "Over the frequency cap",
                 "html: &#39;nobody&#39; is undefined", "554 5.6.0 content rejected",
                 "mikko.müller@own.test", "does not accept such addresses (no SMTPUTF8)",
                 "Another contact has the same address and gets the message: Person 0"):
        assert text in page, text


def test_the_categories_are_named_in_russian(client, login, session, sent_campaign, users):
    users["marketing"].language = "ru"
    session.commit()
    login("marketing")
    page = client.get(f"/campaigns/{sent_campaign.id}").get_data(as_text=True)
    assert "Не отправлено и почему" in page
    assert "Недоставляемо (адрес)" in page and "Отклонено сервером" in page


def test_the_messages_not_sent_download_as_csv_with_recipient_and_reason(
        client, login, sent_campaign):
    login("manager")
    response = client.get(f"/campaigns/{sent_campaign.id}/unsent.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["category"] for r in rows] == ["invalid", "undeliverable", "bounced", "refused",
                                             "suppressed", "capped", "duplicate"]
    undeliverable = rows[1]
    assert (undeliverable["email"], undeliverable["reason"]) == ("mikko.müller@own.test",
                                                                 "needs_smtputf8")
    assert "SMTPUTF8" in undeliverable["reason_text"]
    assert rows[3]["detail"] == "554 5.6.0 content rejected"
    assert rows[-1]["detail"].startswith("#")


def test_one_category_downloads_alone_and_an_unknown_one_is_not_found(client, login,
                                                                      sent_campaign):
    login("marketing")
    response = client.get(f"/campaigns/{sent_campaign.id}/unsent.csv?category=bounced")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["category"], r["detail"]) for r in rows] == [
        ("bounced", "550 5.1.1 no such mailbox")]
    assert client.get(f"/campaigns/{sent_campaign.id}/unsent.csv?category=nope"
                      ).status_code == 404


def test_sales_cannot_download_the_recipients_not_sent(client, login, sent_campaign):
    login("sales")
    assert client.get(f"/campaigns/{sent_campaign.id}/unsent.csv").status_code == 403


def test_a_subject_of_1000_characters_is_refused_at_save_with_a_clear_message(
        client, login, session, users, book):
    campaign = create_campaign(session, name="Long", kind="promotion",
                               user_id=users["marketing"].id)
    session.commit()
    login("marketing")
    response = client.post(f"/campaigns/{campaign.id}/template", data={
        "lang": "en", "action": "save", "subject": "Spring offer " * 77 + "1234",
        "html": "<p>Hi</p>", "text": "Hi"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (f"The subject is 998 characters long with the sample data; at most {MAX_SUBJECT} "
            "are allowed") in page
    session.expire_all()
    stored = session.scalar(select(CampaignTemplate).where(
        CampaignTemplate.campaign_id == campaign.id, CampaignTemplate.language == "en"))
    assert "Spring offer Spring offer" not in stored.subject
    assert session.get(Campaign, campaign.id).status == CampaignStatus.DRAFT
