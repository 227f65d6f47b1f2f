"""Price lists and promotions: the one write path of each (web, API, import and CLI call
these), and the reads of the product and promotions pages.

A new price closes the open-ended price before it (the day before it starts), so
that a product has one price per currency on any day; a price that would overlap
a later one is refused. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from abm.audit import services as audit
from abm.sales.models import MonthlyAccountProductSales, Product
from abm.sales.price_models import ProductPrice, Promotion
from abm.workspace.refusals import N_, Refusal

PRICE_ADDED = "price_added"
PROMOTION_SAVED = "promotion_saved"
MAX_PRICE = 1e13


class PriceError(Refusal):
    """A price or promotion that cannot be: the message says which value and why (worded for
    the user from its ``template``, see :class:`~abm.workspace.refusals.Refusal`)."""


class PriceNotFound(PriceError):
    """The product, price or promotion named does not exist."""


class PriceConflict(PriceError):
    """The price overlaps a price already in the list."""


@dataclass(frozen=True, slots=True)
class PriceRow:
    id: int
    product_id: int
    sku: str
    price: float
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True, slots=True)
class PromotionRow:
    id: int
    name: str
    description: str
    discount_percent: float
    starts_on: dt.date
    ends_on: dt.date
    product_ids: list[int]
    skus: list[str]


def _price_row(p: ProductPrice) -> PriceRow:
    return PriceRow(p.id, p.product_id, p.product.sku, p.price, p.currency, p.valid_from,
                    p.valid_to)


def _promotion_row(p: Promotion) -> PromotionRow:
    return PromotionRow(p.id, p.name, p.description, p.discount_percent, p.starts_on,
                        p.ends_on, [x.id for x in p.products], [x.sku for x in p.products])


def add_price(session: Session, *, product_id: int, price: float, currency: str,
              valid_from: dt.date, valid_to: dt.date | None = None,
              user_id: int | None = None, today: dt.date | None = None) -> PriceRow:
    """Add a price to a product's price list; the caller commits.

    The open-ended price in the same currency that starts before it ends the day
    before; a price in effect today also becomes the product's current price.

    Raises:
        PriceError: no such product, a negative price, a bad currency, a period out of
            order, or one overlapping a later price.
    """
    product = session.get(Product, product_id)
    if product is None:
        raise PriceNotFound.worded(N_("no product %(id)s"), id=product_id)
    currency = (currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise PriceError.worded(N_("currency: %(currency)s is not a three-letter code such as "
                                   "EUR"), currency=repr(currency))
    price = round(price, 2)  # as the column keeps it
    if not 0 <= price <= MAX_PRICE:
        raise PriceError.worded(N_("price: %(price)s is not between 0 and %(max)s"), price=price,
                                max=f"{MAX_PRICE:g}")
    if valid_to is not None and valid_to < valid_from:
        raise PriceError.worded(N_("valid to: %(valid_to)s comes before valid from "
                                   "%(valid_from)s"), valid_to=valid_to, valid_from=valid_from)
    existing = list(session.scalars(select(ProductPrice).where(
        ProductPrice.product_id == product_id, ProductPrice.currency == currency)))
    end = valid_to or dt.date.max
    for other in existing:
        other_end = other.valid_to or dt.date.max
        if other.valid_to is None and other.valid_from < valid_from:
            continue  # closed below
        if other.valid_from <= end and valid_from <= other_end:
            raise PriceConflict.worded(
                N_("valid from: the period overlaps the price from %(day)s (%(price)s "
                   "%(currency)s)"), day=other.valid_from, price=f"{other.price:g}",
                currency=currency)
    for other in existing:
        if other.valid_to is None and other.valid_from < valid_from:
            other.valid_to = valid_from - dt.timedelta(days=1)
    row = ProductPrice(product_id=product_id, price=price, currency=currency,
                       valid_from=valid_from, valid_to=valid_to, created_by_id=user_id)
    session.add(row)
    today = today or dt.date.today()
    if valid_from <= today <= end:
        product.price = price
    session.flush()
    audit.record(session, user_id, PRICE_ADDED, f"product:{product_id}",
                 {"price": price, "currency": currency, "valid_from": valid_from.isoformat(),
                  "valid_to": valid_to.isoformat() if valid_to else None})
    return _price_row(row)


def price_list(session: Session, product_id: int) -> list[PriceRow]:
    """A product's prices, the latest first."""
    return [_price_row(p) for p in session.scalars(
        select(ProductPrice).where(ProductPrice.product_id == product_id)
        .order_by(ProductPrice.valid_from.desc(), ProductPrice.id.desc()))]


def get_price(session: Session, price_id: int) -> PriceRow:
    price = session.get(ProductPrice, price_id)
    if price is None:
        raise PriceNotFound.worded(N_("no price %(id)s"), id=price_id)
    return _price_row(price)


def save_promotion(session: Session, *, name: str, product_ids: Iterable[int],
                   discount_percent: float, starts_on: dt.date, ends_on: dt.date,
                   description: str = "", promotion_id: int | None = None,
                   user_id: int | None = None) -> PromotionRow:
    """Create a promotion, or change one (``promotion_id``); the caller commits.

    Raises:
        PriceError: no name, no products or unknown ones, a discount out of (0, 100],
            the end before the start, or no such promotion.
    """
    name = (name or "").strip()
    discount_percent = round(discount_percent, 2)  # as the column keeps it
    if not name or len(name) > 200:
        raise PriceError.worded(N_("name: a promotion needs a name of 1 to 200 characters"))
    if not 0 < discount_percent <= 100:
        raise PriceError.worded(N_("discount: %(discount)s%% is not above 0%% and at most "
                                   "100%%"), discount=f"{discount_percent:g}")
    if ends_on < starts_on:
        raise PriceError.worded(N_("ends on: %(ends_on)s comes before the start %(starts_on)s"),
                                ends_on=ends_on, starts_on=starts_on)
    ids = sorted(set(product_ids))
    if not ids:
        raise PriceError.worded(N_("products: a promotion needs at least one product"))
    products = list(session.scalars(select(Product).where(Product.id.in_(ids))))
    missing = sorted(set(ids) - {p.id for p in products})
    if missing:
        raise PriceNotFound.worded(N_("products: no product %(id)s"), id=missing[0])
    if promotion_id is None:
        promotion = Promotion(created_by_id=user_id)
        session.add(promotion)
    else:
        found = session.get(Promotion, promotion_id)
        if found is None:
            raise PriceNotFound.worded(N_("no promotion %(id)s"), id=promotion_id)
        promotion = found
    promotion.name, promotion.description = name, (description or "").strip()
    promotion.discount_percent = discount_percent
    promotion.starts_on, promotion.ends_on = starts_on, ends_on
    promotion.products = sorted(products, key=lambda p: p.sku)
    session.flush()
    audit.record(session, user_id, PROMOTION_SAVED, f"promotion:{promotion.id}",
                 {"name": name, "discount_percent": discount_percent,
                  "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                  "products": [p.sku for p in promotion.products],
                  "event": "created" if promotion_id is None else "changed"})
    return _promotion_row(promotion)


def get_promotion(session: Session, promotion_id: int) -> PromotionRow:
    promotion = session.get(Promotion, promotion_id)
    if promotion is None:
        raise PriceNotFound.worded(N_("no promotion %(id)s"), id=promotion_id)
    return _promotion_row(promotion)


def promotions(session: Session, *, product_id: int | None = None) -> list[PromotionRow]:
    """Promotions, the latest start first; only those of a product when given."""
    stmt = select(Promotion).order_by(Promotion.starts_on.desc(), Promotion.id.desc())
    if product_id is not None:
        stmt = stmt.where(Promotion.products.any(Product.id == product_id))
    return [_promotion_row(p) for p in session.scalars(stmt)]


def buyers(session: Session, product_ids: Iterable[int], *, months: int = 12,
           last_month: dt.date | None = None) -> list[int]:
    """The accounts that bought any of these products in the last ``months`` months.

    The months end with ``last_month`` (default: the latest month with sales of any
    product), read from the per-product monthly aggregates.
    """
    ids = sorted(set(product_ids))
    m = MonthlyAccountProductSales
    if not ids:
        return []
    last = last_month or session.scalar(select(m.month).order_by(m.month.desc()).limit(1))
    if last is None:
        return []
    index = last.year * 12 + last.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    return list(session.scalars(
        select(m.account_id).where(m.product_id.in_(ids), m.month >= first, m.month <= last,
                                   m.revenue > 0)
        .distinct().order_by(m.account_id)))


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    sku: str
    name: str
    category: str | None
    price: float | None


def find_products(session: Session, q: str = "", limit: int = 200) -> list[ProductRow]:
    """Products by SKU, those whose SKU or name holds ``q`` (any case) when given."""
    stmt = select(Product).order_by(Product.sku).limit(limit)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(Product.sku.ilike(like) | Product.name.ilike(like))
    return [ProductRow(p.id, p.sku, p.name, p.category, p.price) for p in session.scalars(stmt)]


def product_ids_by_sku(session: Session, skus: Iterable[str]) -> tuple[list[int], list[str]]:
    """The ids of the products with these SKUs, and the SKUs no product has."""
    wanted = [s.strip() for s in skus if s.strip()]
    found = dict(session.execute(select(Product.sku, Product.id)
                                 .where(Product.sku.in_(wanted))).all()) if wanted else {}
    return [found[s] for s in wanted if s in found], [s for s in wanted if s not in found]
