"""The catalogue's one write path outside the importer: a product added or changed by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from abm.sales.models import Product

PRODUCT_FIELDS = ("sku", "name", "category", "top_assortment", "price")
# What the stored analytics read of a product: the top assortment an account does not
# buy yet is an alert, named by its SKU.
SHOWN_BY_ANALYTICS = ("sku", "name", "top_assortment")


@dataclass(frozen=True, slots=True)
class SavedProduct:
    """A product just created or changed; ``figures_stale``: the caller starts the
    analytics refresh once it has committed."""

    product: Product
    figures_stale: bool


def save_product(session: Session, values: Mapping[str, Any],
                 product: Product | None = None) -> SavedProduct:
    """Create a product from ``values``, or change the fields of ``product`` present in
    them. The caller commits."""
    if product is None:
        product = Product()
        session.add(product)
    before = [getattr(product, name) for name in SHOWN_BY_ANALYTICS]
    for name in PRODUCT_FIELDS:
        if name in values:
            setattr(product, name, values[name])
    session.flush()
    after = [getattr(product, name) for name in SHOWN_BY_ANALYTICS]
    return SavedProduct(product, figures_stale=after != before)
