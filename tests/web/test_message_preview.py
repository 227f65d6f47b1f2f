"""The message preview: shown as a mail client shows it, in a sandboxed frame of its own."""

from __future__ import annotations

import re

import pytest

from abm.accounts.models import Contact, ContactRole
from abm.campaigns.services import create_campaign

STYLED = '<p style="color:#c00">Hello {{ account.name }}</p><script>alert(1)</script>'


@pytest.fixture
def campaign(session, users, book):
    session.add(Contact(account_id=book["own"].id, name="Ivan Owner", role=ContactRole.OWNER,
                        email="ivan@own.test", marketing_consent=True))
    made = create_campaign(session, name="Spring", kind="promotion",
                           audience={"account_ids": [book["own"].id]},
                           user_id=users["marketing"].id)
    session.commit()
    return made


def _frame(page: str) -> tuple[str, str]:
    """The preview frame's tag and its address, from a page."""
    tag = re.search(r'<iframe id="preview-html"[^>]*>', page).group(0)
    return tag, re.search(r'src="([^"]+)"', tag).group(1)


def test_the_editor_shows_the_draft_in_a_sandboxed_frame_with_its_own_policy(
        client, login, campaign):
    login("marketing")
    page = client.post(f"/campaigns/{campaign.id}/template", data={
        "lang": "en", "action": "preview", "subject": "S", "html": STYLED, "text": "T"})
    tag, src = _frame(page.get_data(as_text=True))
    assert 'sandbox=""' in tag and "allow-scripts" not in tag and "srcdoc" not in tag
    frame = client.get(src)
    assert frame.status_code == 200
    assert '<p style="color:#c00">Hello Own Customer</p>' in frame.get_data(as_text=True)
    policy = frame.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    assert "sandbox" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and frame.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_page_around_the_frame_keeps_its_strict_policy(client, login, campaign):
    login("marketing")
    policy = client.get(f"/campaigns/{campaign.id}/template").headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy


def test_the_live_preview_answers_the_address_of_its_frame(client, login, campaign):
    login("marketing")
    answer = client.post(f"/campaigns/{campaign.id}/template/preview", data={
        "lang": "en", "subject": "S", "html": STYLED, "text": "T"}).get_json()
    frame = client.get(answer["frame_url"]).get_data(as_text=True)
    assert frame == answer["html"]


def test_the_campaign_page_previews_in_the_same_kind_of_frame(client, login, campaign):
    login("manager")
    tag, src = _frame(client.get(f"/campaigns/{campaign.id}").get_data(as_text=True))
    assert 'sandbox=""' in tag
    assert "Own Customer" in client.get(src).get_data(as_text=True)


def test_a_preview_is_only_for_the_user_who_made_it(client, login, campaign):
    login("marketing")
    _tag, src = _frame(client.get(f"/campaigns/{campaign.id}/template").get_data(as_text=True))
    client.post("/logout")
    login("manager")
    other = client.get(src)
    assert other.status_code == 404 and "Own Customer" not in other.get_data(as_text=True)
    assert client.get("/previews/not-a-token").status_code == 404
