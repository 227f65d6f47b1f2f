"""Every default template carries a tracked link, in its HTML and its text part, and a click on
either is counted."""

import email
import re
from email import policy
from urllib.parse import urlsplit

import pytest

from abm.campaigns import jobs, services
from abm.campaigns.models import CampaignKind
from abm.campaigns.rendering import compile_template
from abm.campaigns.results import campaign_results
from abm.delivery.messages import Envelope, build_message
from abm.delivery.tokens import Tokens
from abm.settings.services import set_settings

PUBLIC = "https://abm.example"
WEBSITE = "https://www.nordic-tools.example/"
CONTEXT = {
    "account": {"name": "Acme", "country": "IS"},
    "contact": {"name": "Olga Petrova", "first_name": "Olga"},
    "kam": {"name": "Ivan", "email": "ivan@example.com", "signature": ""},
    "figures": {"revenue_12m": 1000.0, "last_order_month": "2026-01"},
    "top_products": [{"name": "Bolts"}],
    "recommended_products": [{"name": "Nuts"}],
    "offer": {"link": WEBSITE, "occasion_kind": ""},
    "unsubscribe_url": f"{PUBLIC}/u/token",
    "accept_url": f"{PUBLIC}/a/token",
}


def _parts(raw: bytes) -> tuple[str, str]:
    message = email.message_from_bytes(raw, policy=policy.default)
    return (message.get_body(("html",)).get_content(),
            message.get_body(("plain",)).get_content())


@pytest.mark.parametrize("language", services.LANGUAGES)
@pytest.mark.parametrize("occasion", ["", "birthday"])
@pytest.mark.parametrize("kind", [k.value for k in CampaignKind])
def test_every_default_template_has_a_tracked_link_in_both_parts(kind, language, occasion):
    tokens = Tokens("secret")
    template = compile_template(**services.default_template(kind, language), language=language)
    context = {**CONTEXT, "offer": {**CONTEXT["offer"], "occasion_kind": occasion}}
    _id, raw = build_message(Envelope("abm@example.com", PUBLIC, tokens), outbox_id=7,
                             campaign_id=1, to_email="olga@acme.example", to_name="Olga",
                             rendered=template.render(context),
                             unsubscribe_url=CONTEXT["unsubscribe_url"],
                             accept_url=CONTEXT["accept_url"])
    html, text = _parts(raw)
    for part in (html, text):
        links = re.findall(rf"{PUBLIC}/t/c/([\w.\-]+)", part)
        assert links, f"no tracked link in {kind}.{language}"
        assert {tokens.read_click(token) for token in links} == {(7, WEBSITE)}
    assert f'href="{WEBSITE}' not in html and WEBSITE not in text
    assert CONTEXT["unsubscribe_url"] in text  # the unsubscribe link is never redirected


def test_a_trailing_full_stop_stays_out_of_the_tracked_address():
    template = compile_template("s", "<p>x</p>", "See https://shop.example/a?b=1. Or (https://shop.example/c).")
    _id, raw = build_message(Envelope("abm@example.com", PUBLIC, Tokens("s")), outbox_id=1,
                             campaign_id=1, to_email="a@b.example", to_name="",
                             rendered=template.render({}), unsubscribe_url=f"{PUBLIC}/u/x")
    text = _parts(raw)[1]
    assert re.fullmatch(rf"See {PUBLIC}/t/c/\S+[^.]\. Or \({PUBLIC}/t/c/\S+[^)]\)\.\n?", text)


@pytest.mark.parametrize("part", ["html", "text"])
def test_a_click_in_a_sent_message_is_counted(smtp_app, session, smtp_server, make_accounts,
                                             run_jobs, client, part):
    set_settings(session, {"campaigns.website_url": WEBSITE})
    make_accounts(1, contacts=1)
    campaign = services.create_campaign(session, name="Spring", kind="promotion",
                                        offer={"title": "Spring prices"}, holdout_share=0)
    services.schedule_campaign(session, campaign.id)
    session.commit()
    jobs.enqueue_start(campaign.id)
    run_jobs()
    html, text = _parts(smtp_server.messages[0][1])
    pattern = r'href="(http[^"]+/t/c/[^"]+)"' if part == "html" else r"(http\S+/t/c/\S+)"
    link = re.search(pattern, html if part == "html" else text).group(1)
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302 and response.headers["Location"] == WEBSITE
    results = campaign_results(session, campaign.id)
    assert results.events["click"] == 1
    assert results.accounts[0].clicked == 1
