"""Messages a client reads: who signs them, dates in the client's language, greetings."""

import re
from datetime import date, timedelta

import pytest

from abm.campaigns import services
from abm.campaigns.models import CampaignKind
from abm.campaigns.rendering import compile_template
from abm.settings.services import set_settings

SENDER = {"campaigns.sender_name": "Nordic Sales Team",
          "campaigns.signature": "Nordic Tools ehf. · +354 555 0100"}
RUSSIAN_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                  "сентябрь", "октябрь", "ноябрь", "декабрь")


def _preview(session, account, kind="personal_offer", offer=None, **schedule):
    campaign = services.create_campaign(session, name="Test", kind=kind, offer=offer or {},
                                        audience={"account_ids": [account.id]})
    if schedule:
        services.schedule_campaign(session, campaign.id, **schedule)
    return services.preview_message(session, campaign.id, account.id)


def test_an_account_without_an_owner_is_signed_by_the_workspace(session, make_accounts):
    set_settings(session, SENDER)
    account = make_accounts(1)[0]
    message = _preview(session, account)
    assert "Kind regards,<br>Nordic Sales Team<br>Nordic Tools ehf. · +354 555 0100" \
        in message["html"]
    assert "Kind regards,\nNordic Sales Team\nNordic Tools ehf. · +354 555 0100\n" \
        in message["text"]


def test_an_owned_account_is_signed_by_its_kam(session, make_accounts, users):
    set_settings(session, SENDER)
    account = make_accounts(1, owner_id=users["sales"].id)[0]
    message = _preview(session, account)
    assert "Kind regards,\nSales\nsales@test.local\n" in message["text"]
    assert "Nordic Sales Team" not in message["text"]


@pytest.mark.parametrize("kind", [k.value for k in CampaignKind])
def test_no_default_message_ends_unsigned_even_before_the_sender_is_set(session, make_accounts,
                                                                      kind):
    account = make_accounts(1)[0]
    text = _preview(session, account, kind)["text"]
    assert re.search(r"Kind regards,\nYour account team\n", text)


def test_a_russian_recipient_reads_month_and_date_names_in_russian(session, make_accounts,
                                                                    sales):
    account = make_accounts(1, contacts=1)[0]
    account.contacts[0].language = "ru"
    last = (date.today().replace(day=1) - timedelta(days=100)).replace(day=1)
    sales(account, {"A1": 500.0}, last)
    message = _preview(session, account, "win_back",
                       {"discount_percent": 10, "valid_until": "2026-10-31"})
    assert message["language"] == "ru"
    month = RUSSIAN_MONTHS[last.month - 1]
    assert f"(последний — {month} {last.year})" in message["text"]
    assert "до 31 октября 2026" in message["text"]
    assert not re.search(r"\d{4}-\d{2}", message["text"] + message["html"])


def test_an_english_recipient_reads_them_in_english(session, make_accounts):
    account = make_accounts(1, contacts=1)[0]
    message = _preview(session, account, "personal_offer", {"valid_until": "2026-10-31"})
    assert "valid until October 31, 2026" in message["text"]


def test_a_birthday_greeting_says_so_and_sells_nothing(session, make_accounts, sales):
    account = make_accounts(1, contacts=1)[0]
    sales(account, {"BOLT-1": 900.0}, (date.today().replace(day=1) - timedelta(days=40))
          .replace(day=1), top=("NUT-9",))
    message = _preview(session, account, "greeting", mode="trigger", trigger="birthday")
    assert message["subject"] == "Happy birthday, Person0x0!"
    assert "Happy birthday!" in message["text"] and "Happy birthday!" in message["html"]
    for pitch in ("You buy most often", "Also worth a look", "Product BOLT-1", "discount"):
        assert pitch not in message["text"] and pitch not in message["html"]


def test_a_russian_birthday_greeting(session, make_accounts):
    account = make_accounts(1, contacts=1)[0]
    account.contacts[0].language = "ru"
    message = _preview(session, account, "greeting", mode="trigger", trigger="birthday")
    assert message["subject"] == "С днём рождения, Person0x0!"
    assert "С днём рождения!" in message["text"]


def test_a_holiday_greeting_is_no_birthday_greeting(session, make_accounts):
    account = make_accounts(1, contacts=1)[0]
    message = _preview(session, account, "greeting", mode="trigger", trigger="holiday")
    assert "birthday" not in (message["subject"] + message["text"]).lower()
    assert "warm wishes" in message["text"]


@pytest.mark.parametrize(("language", "source", "expected"), [
    ("en", "{{ '2026-10'|month }}", "October 2026"),
    ("ru", "{{ '2026-10'|month }}", "октябрь 2026"),
    ("ru", "{{ '2026-03-08'|month }}", "март 2026"),
    ("en", "{{ '2026-03-08'|date }}", "March 8, 2026"),
    ("ru", "{{ '2026-03-08'|date }}", "8 марта 2026\u202fг."),
    ("ru", "{{ '2026-03-08'|date('short') }}", "08.03.2026"),
    ("en", "{{ 'next Friday'|date }} {{ ''|month }}", "next Friday "),
])
def test_dates_are_written_in_the_language_of_the_message(language, source, expected):
    template = compile_template(source, source, source, language)
    assert template.render({}).text == expected


def test_a_date_form_outside_the_list_is_a_clear_error():
    from abm.campaigns.rendering import RenderError

    with pytest.raises(RenderError, match="the form is one of short, medium, long, full"):
        compile_template("s", "{{ '2026-03-08'|date('%Y') }}", "t").render({})


def test_the_default_templates_link_to_the_offer_else_to_the_website(session, make_accounts):
    set_settings(session, {"campaigns.website_url": "www.nordic.example"})
    account = make_accounts(1)[0]
    assert '<a href="https://www.nordic.example">' in _preview(session, account)["html"]
    own = _preview(session, account, offer={"link": "https://shop.example/spring"})
    assert '<a href="https://shop.example/spring">See the offer</a>' in own["html"]
    assert "See the offer: https://shop.example/spring" in own["text"]
