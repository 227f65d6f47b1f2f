"""Price lists and promotions of products, and the notice campaigns they can trigger."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from abm.api.core import ApiError, current_user, operation
from abm.api.schemas import CurrencyCode, Day, Id, Input, LongText, Money, Name, Output
from abm.campaigns.notices import Notice, price_notice, promotion_notice
from abm.campaigns.services import CampaignError
from abm.db import get_session
from abm.sales import prices
from abm.sales.models import Product

EDITORS = {"manager"}
NOTICE_ROLES = {"manager", "marketing"}


class PriceOut(Output):
    id: int
    product_id: int
    sku: str
    price: float
    currency: str
    valid_from: date
    valid_to: date | None = Field(description="The last day; null: until a newer price.")


class PriceIn(Input):
    price: Money
    currency: CurrencyCode
    valid_from: Day
    valid_to: Day | None = None


class PriceList(Output):
    items: list[PriceOut]


class PromotionOut(Output):
    id: int
    name: str
    description: str
    discount_percent: float
    starts_on: date
    ends_on: date
    product_ids: list[int]
    skus: list[str]


class PromotionIn(Input):
    name: Name
    description: LongText = ""
    discount_percent: Annotated[float, Field(ge=0.01, le=100)]
    starts_on: Day
    ends_on: Day
    product_ids: Annotated[list[Id], Field(min_length=1, max_length=10_000)]


class PromotionList(Output):
    items: list[PromotionOut]


class NoticeIn(Input):
    language: Annotated[str, Field(pattern="^(en|ru)$")] = "en"


class NoticeOut(Output):
    campaign_id: int
    status: str
    accounts: int = Field(description="Accounts that bought the products in the last 12 months.")
    approval_reasons: list[str] = Field(description="Why it waits for a manager (empty: it "
                                                    "does not).")


def _refused(exc: prices.PriceError) -> ApiError:
    """404 for what does not exist, 409 for an overlap, 422 for the rest."""
    if isinstance(exc, prices.PriceNotFound):
        return ApiError(404, str(exc))
    return ApiError(409 if isinstance(exc, prices.PriceConflict) else 422, str(exc))


def _promotion(promotion_id: int) -> prices.PromotionRow:
    try:
        return prices.get_promotion(get_session(), promotion_id)
    except prices.PriceError as exc:
        raise _refused(exc) from None


def _product(product_id: int) -> Product:
    product = get_session().get(Product, product_id)
    if product is None:
        raise ApiError(404, "no such product")
    return product


@operation("GET", "/products/<int:product_id>/prices", summary="A product's price list",
           tag="prices", response=PriceList, errors=(404,))
def list_prices(product_id: int) -> PriceList:
    _product(product_id)
    return PriceList(items=[PriceOut.model_validate(p)
                            for p in prices.price_list(get_session(), product_id)])


@operation("POST", "/products/<int:product_id>/prices", summary="Add a price to a price list",
           tag="prices", roles=EDITORS, body=PriceIn, response=PriceOut, status=201,
           errors=(404, 409, 422))
def add_price(product_id: int, body: PriceIn) -> PriceOut:
    """The open-ended price before it ends the day before it starts; overlaps are refused."""
    _product(product_id)
    try:
        row = prices.add_price(get_session(), product_id=product_id, user_id=current_user().id,
                               **body.model_dump())
    except prices.PriceError as exc:
        raise _refused(exc) from None
    return PriceOut.model_validate(row)


@operation("GET", "/promotions", summary="List promotions", tag="prices",
           response=PromotionList)
def list_promotions() -> PromotionList:
    return PromotionList(items=[PromotionOut.model_validate(p)
                                for p in prices.promotions(get_session())])


@operation("GET", "/promotions/<int:promotion_id>", summary="Read a promotion", tag="prices",
           response=PromotionOut, errors=(404,))
def get_promotion(promotion_id: int) -> PromotionOut:
    return PromotionOut.model_validate(_promotion(promotion_id))


@operation("POST", "/promotions", summary="Create a promotion", tag="prices", roles=EDITORS,
           body=PromotionIn, response=PromotionOut, status=201, errors=(404, 422))
def create_promotion(body: PromotionIn) -> PromotionOut:
    return _save(body, None)


@operation("PUT", "/promotions/<int:promotion_id>", summary="Change a promotion", tag="prices",
           roles=EDITORS, body=PromotionIn, response=PromotionOut, errors=(404, 422))
def update_promotion(promotion_id: int, body: PromotionIn) -> PromotionOut:
    _promotion(promotion_id)
    return _save(body, promotion_id)


def _save(body: PromotionIn, promotion_id: int | None) -> PromotionOut:
    try:
        row = prices.save_promotion(get_session(), promotion_id=promotion_id,
                                    user_id=current_user().id, **body.model_dump())
    except prices.PriceError as exc:
        raise _refused(exc) from None
    return PromotionOut.model_validate(row)


@operation("POST", "/promotions/<int:promotion_id>/notice",
           summary="Make a notice campaign of a promotion", tag="prices", roles=NOTICE_ROLES,
           body=NoticeIn, response=NoticeOut, status=201, errors=(404, 422))
def notify_promotion(promotion_id: int, body: NoticeIn) -> NoticeOut:
    """A draft campaign to the accounts that bought its products in the last 12 months; a
    discount above the workspace threshold sends it for approval."""
    _promotion(promotion_id)
    return _notice(lambda s, u: promotion_notice(s, promotion_id, user_id=u,
                                                 language=body.language))


@operation("POST", "/prices/<int:price_id>/notice", summary="Make a notice campaign of a price",
           tag="prices", roles=NOTICE_ROLES, body=NoticeIn, response=NoticeOut, status=201,
           errors=(404, 422))
def notify_price(price_id: int, body: NoticeIn) -> NoticeOut:
    """A draft campaign to the accounts that bought the product in the last 12 months."""
    try:
        prices.get_price(get_session(), price_id)
    except prices.PriceError as exc:
        raise _refused(exc) from None
    return _notice(lambda s, u: price_notice(s, price_id, user_id=u, language=body.language))


def _notice(make) -> NoticeOut:
    try:
        notice: Notice = make(get_session(), current_user().id)
    except CampaignError as exc:
        raise ApiError(422, str(exc)) from None
    return NoticeOut(campaign_id=notice.campaign.id, status=notice.campaign.status.value,
                     accounts=notice.accounts,
                     approval_reasons=[r.text() for r in notice.reasons])
