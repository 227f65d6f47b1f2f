"""Notice campaigns: tell the accounts that buy some products of a new price or promotion.

DOMAIN.md asks for "immediate notice of new promotions and price changes". A notice
is a draft campaign of the promotion kind (its shipped templates speak of "new
promotions and price changes") whose audience is the accounts that bought those
products in the last 12 months, picked when the notice is made. Its offer carries
the discount, so the approval rule of every offer applies
(:mod:`abm.campaigns.approval`): a discount above the workspace threshold waits for
a manager, and the notice is sent for approval at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from abm.campaigns.approval import ApprovalReason
from abm.campaigns.models import Campaign
from abm.campaigns.services import (
    CampaignError,
    approval_reasons,
    create_campaign,
    request_approval,
)
from abm.sales import prices
from abm.workspace.refusals import N_

BOUGHT_WITHIN_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice campaign just made: how many accounts it targets, and why it waits for a
    manager (empty: it does not)."""

    campaign: Campaign
    accounts: int
    reasons: list[ApprovalReason]


def promotion_notice(session: Session, promotion_id: int, *, user_id: int | None = None,
                     language: str = "en") -> Notice:
    """A draft notice of a promotion to the accounts that bought its products.

    Raises:
        CampaignError: no such promotion, or nobody bought its products in 12 months.
    """
    try:
        promotion = prices.get_promotion(session, promotion_id)
    except prices.PriceError as exc:
        raise CampaignError.of(exc) from None
    offer = {
        "title": f"{promotion.name}: -{promotion.discount_percent:g}%",
        "details": promotion.description,
        "valid_from": promotion.starts_on.isoformat(),
        "valid_to": promotion.ends_on.isoformat(),
        "discount_percent": promotion.discount_percent,
        "products": promotion.skus,
        "notice": "promotion", "promotion_id": promotion.id,
    }
    return _notice(session, f"Promotion: {promotion.name}", promotion.product_ids, offer,
                   user_id, language)


def price_notice(session: Session, price_id: int, *, user_id: int | None = None,
                 language: str = "en") -> Notice:
    """A draft notice of a new price to the accounts that bought the product.

    Raises:
        CampaignError: no such price, or nobody bought the product in 12 months.
    """
    try:
        price = prices.get_price(session, price_id)
    except prices.PriceError as exc:
        raise CampaignError.of(exc) from None
    offer = {
        "title": f"new price of {price.sku}: {price.price:g} {price.currency}",
        "valid_from": price.valid_from.isoformat(),
        "price_list": f"{price.sku} {price.price:g} {price.currency} from "
                      f"{price.valid_from.isoformat()}",
        "products": [price.sku], "notice": "price_notice", "price_id": price.id,
    }
    return _notice(session, f"Price notice: {price.sku}", [price.product_id], offer, user_id,
                   language)


def _notice(session: Session, name: str, product_ids: list[int], offer: dict,
            user_id: int | None, language: str) -> Notice:
    accounts = prices.buyers(session, product_ids, months=BOUGHT_WITHIN_MONTHS)
    if not accounts:
        raise CampaignError.worded(N_("no account bought these products in the last "
                                      "%(months)s months: there is nobody to tell"),
                                   months=BOUGHT_WITHIN_MONTHS)
    campaign = create_campaign(session, name=name, kind="promotion",
                               audience={"match": "all", "rules": [], "account_ids": accounts},
                               offer=offer, language=language, user_id=user_id)
    reasons = approval_reasons(session, campaign)
    if reasons:
        request_approval(session, campaign.id, user_id=user_id)
    return Notice(campaign=campaign, accounts=len(accounts), reasons=reasons)
