"""The offer of a campaign: its economics, which a manager approves, and what the message shows.

An offer reaches the services as one flat JSON object (from the API, the CLI
or the campaign page) and templates see it as one (``offer``). Its economics
are kept in typed columns of the campaign, so that the approval rule and the
approval screen read them and never parse text:

- ``discount_percent``: a discount on the price list, in percent;
- ``bonus_percent`` and ``bonus_threshold``: a volume bonus, that percentage of an
  account's purchases above the threshold (an amount per 12 months);
- ``payment_days``: individual payment terms, in days;
- ``price_list``: the price list the offer is made from (a name or reference);
- ``terms``: any other terms, in free text.

Everything else (title, details, validity, the offer's ``link``, the details of
an event...) is what the message shows, kept as JSON in ``Campaign.offer``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from abm.campaigns.models import Campaign, Trigger
from abm.campaigns.settings import CampaignSettings
from abm.workspace.refusals import N_, Refusal

MAX_AMOUNT = 1e12


class OfferError(Refusal):
    """An offer element of the wrong type or out of its limits; the message names it."""


@dataclass(frozen=True)
class OfferTerms:
    """The economics of an offer; None where the offer says nothing."""

    discount_percent: float | None = None
    bonus_percent: float | None = None
    bonus_threshold: float | None = None
    payment_days: int | None = None
    price_list: str | None = None
    terms: str | None = None

    @property
    def has_bonus(self) -> bool:
        return bool(self.bonus_percent)


ECONOMICS = tuple(f.name for f in fields(OfferTerms))


def _number(data: dict, key: str, high: float, *, whole: bool = False) -> float | int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise OfferError.worded(N_("%(key)s must be a number, not %(value)s"), key=key,
                               value=repr(value))
    if not 0 <= value <= high:
        raise OfferError.worded(N_("%(key)s must be from 0 to %(high)s"), key=key, high=f"{high:g}")
    if whole:
        if value != int(value):
            raise OfferError.worded(N_("%(key)s must be a whole number of days"), key=key)
        return int(value)
    return round(float(value), 2)


def _days(data: dict, key: str, high: int) -> int | None:
    """A whole number of days (``_number`` has checked it is whole)."""
    value = _number(data, key, high, whole=True)
    return None if value is None else int(value)


def _text(data: dict, key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OfferError.worded(N_("%(key)s must be a text"), key=key)
    value = value.strip()
    if len(value) > limit:
        raise OfferError.worded(N_("%(key)s is longer than %(limit)s characters"), key=key,
                               limit=limit)
    return value or None


def parse_offer(data: Any) -> tuple[OfferTerms, dict]:
    """Split a flat offer into its economics and what the message shows, checking both.

    Returns:
        (the economics, the rest of the offer as JSON)

    Raises:
        OfferError: not an object, or an element of the wrong type or out of limits.
    """
    if not isinstance(data, dict):
        raise OfferError.worded(N_("the offer must be a JSON object"))
    terms = OfferTerms(
        discount_percent=_number(data, "discount_percent", 100),
        bonus_percent=_number(data, "bonus_percent", 100),
        bonus_threshold=_number(data, "bonus_threshold", MAX_AMOUNT),
        payment_days=_days(data, "payment_days", 3650),
        price_list=_text(data, "price_list", 200),
        terms=_text(data, "terms", 5000),
    )
    if terms.bonus_threshold is not None and not terms.bonus_percent:
        raise OfferError.worded(N_("a bonus threshold needs the bonus percentage (bonus_percent)"))
    shown = {k: v for k, v in data.items() if k not in ECONOMICS}
    link = shown.get("link")
    if link in (None, ""):
        shown.pop("link", None)
    elif not isinstance(link, str) or not link.startswith(("https://", "http://")) \
            or len(link) > 2000 or any(c.isspace() for c in link):
        raise OfferError.worded(N_("link must be a web address starting with https:// or "
                                   "http://"))
    return terms, shown


def store_offer(campaign: Campaign, terms: OfferTerms, shown: dict) -> None:
    """Write a parsed offer onto the campaign."""
    campaign.offer = shown
    for name, value in asdict(terms).items():
        setattr(campaign, name, value)


def offer_terms(campaign: Campaign) -> OfferTerms:
    return OfferTerms(**{name: getattr(campaign, name) for name in ECONOMICS})


def _plain(value: Any) -> Any:
    """15.0 as 15: a template writes a discount as it was entered."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def offer_dict(campaign: Campaign) -> dict:
    """The whole offer as one flat JSON object (what the API answers and templates see)."""
    economics = {name: _plain(value) for name, value in asdict(offer_terms(campaign)).items()
                 if value is not None}
    return {**(campaign.offer or {}), **economics}


def website(value: str) -> str:
    """The workspace's website setting as a link: "www.example.com" gets its https://, and
    what cannot be a web address is no link at all."""
    value = value.strip()
    if value and not value.startswith(("https://", "http://")):
        value = f"https://{value}"
    return "" if any(c.isspace() for c in value) or "." not in value else value


def offer_context(campaign: Campaign, settings: CampaignSettings) -> dict:
    """The offer as message templates see it.

    The whole offer, plus ``link``: the offer's own link, else the workspace's
    website (the tracked link of the default templates; "" when neither is
    set), and ``occasion_kind``: "birthday" or "holiday" for a greeting sent on
    that trigger (or as the offer says), else "".
    """
    offer = offer_dict(campaign)
    offer["link"] = offer.get("link") or website(settings.website_url)
    if campaign.trigger in (Trigger.BIRTHDAY, Trigger.HOLIDAY):
        offer["occasion_kind"] = campaign.trigger.value
    elif offer.get("occasion_kind") not in ("birthday", "holiday"):
        offer["occasion_kind"] = ""
    return offer
