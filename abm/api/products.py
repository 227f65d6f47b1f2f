"""Products: the catalogue (normally imported; management may also edit it here)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from abm.analytics.jobs import start_refresh
from abm.api import lists
from abm.api.core import ApiError, current_user, operation
from abm.api.schemas import Flag, Input, Money, Output, Page, PageQuery, ShortText, Text
from abm.db import get_session
from abm.sales.models import Product
from abm.sales.products import SavedProduct, save_product


class ProductOut(Output):
    id: int
    sku: str
    name: str
    category: str | None
    top_assortment: bool
    price: float | None


class ProductQuery(PageQuery):
    q: Annotated[str, Text(100)] = Field("", description="In the name (any case) or the exact SKU.")
    category: ShortText | None = None
    top_assortment: bool | None = None


class ProductFields(Input):
    category: ShortText | None = None
    top_assortment: Flag = False
    price: Money | None = None


class ProductCreate(ProductFields):
    sku: Annotated[str, Text(100, min_length=1)]
    name: Annotated[str, Text(300, min_length=1)]


class ProductUpdate(ProductFields):
    sku: Annotated[str, Text(100, min_length=1)] = None  # type: ignore[assignment]
    name: Annotated[str, Text(300, min_length=1)] = None  # type: ignore[assignment]


@operation("GET", "/products", summary="List products", tag="products", query=ProductQuery,
           response=Page[ProductOut])
def list_(query: ProductQuery) -> Page[ProductOut]:
    rows = lists.products(get_session(), q=query.q, category=query.category,
                          top_assortment=query.top_assortment, after=query.after,
                          limit=query.limit)
    return Page[ProductOut](items=[ProductOut.model_validate(p) for p in rows.items],
                            next_cursor=None if rows.next_after is None else str(rows.next_after))


def _product(product_id: int) -> Product:
    product = get_session().get(Product, product_id)
    if product is None:
        raise ApiError(404, "no such product")
    return product


@operation("GET", "/products/<int:product_id>", summary="Read a product", tag="products",
           response=ProductOut)
def get(product_id: int) -> ProductOut:
    return ProductOut.model_validate(_product(product_id))


@operation("POST", "/products", summary="Add a product", tag="products", roles={"manager"},
           body=ProductCreate, response=ProductOut, status=201, errors=(409,))
def create(body: ProductCreate) -> ProductOut:
    return _answer(save_product(get_session(), body.model_dump()))


@operation("PATCH", "/products/<int:product_id>", summary="Update a product", tag="products",
           roles={"manager"}, body=ProductUpdate, response=ProductOut, errors=(409,))
def update(product_id: int, body: ProductUpdate) -> ProductOut:
    return _answer(save_product(get_session(), body.model_dump(include=body.model_fields_set),
                                _product(product_id)))


def _answer(saved: SavedProduct) -> ProductOut:
    if saved.figures_stale:
        start_refresh(user_id=current_user().id)  # commits the change first
    return ProductOut.model_validate(saved.product)
