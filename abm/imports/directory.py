"""Account and product ids by code or name, creating the ones an import names for the first time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import CursorResult, Insert, insert, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind
from abm.imports.lookup import Lookup
from abm.sales.models import Product

PLACEHOLDER_ID = -1  # what a dry run (strict validation) resolves a new name to


class Directory(Lookup):
    """Id maps loaded once per import, so that a line costs a dict lookup, not a query.

    Args:
        session: the import's session.
        create: create an account or product that a row names with a name but
            that does not exist yet (False in a dry run, which only validates).
        before_query: called before the directory uses the session again after
            loading (to create a row or load the names): an import that writes a
            batch in another thread while it reads the next waits there for that
            write, so that one thread at a time uses the session.
    """

    def __init__(self, session: Session, *, create: bool = True,
                 before_query: Callable[[], None] | None = None) -> None:
        self.session = session
        self.create = create
        self.before_query = before_query or (lambda: None)
        self.accounts: dict[str, int] = {
            code: account_id for code, account_id in session.execute(
                select(Account.external_id, Account.id).where(Account.external_id.is_not(None)))
            if code is not None}
        self.products: dict[str, int] = dict(session.execute(select(Product.sku, Product.id)).all())
        self._accounts_by_name: dict[str, int] | None = None
        self._products_by_name: dict[str, int] | None = None
        self.accounts_created = 0
        self.products_created = 0

    def _account_named(self, name: str) -> int | None:
        return self.accounts_by_name.get(name)

    def _new_account(self, code: str, name: str) -> int:
        new_id = PLACEHOLDER_ID
        if self.create:
            self.before_query()
            new_id = _inserted_id(self.session, insert(Account).values(
                name=name, external_id=code or None, kind=AccountKind.CUSTOMER))
            self.accounts_created += 1
        if code:
            self.accounts[code] = new_id
        self.accounts_by_name.setdefault(name, new_id)
        return new_id

    def _product_named(self, name: str) -> int | None:
        return self.products_by_name.get(name)

    def _new_product(self, sku: str, name: str) -> int:
        new_id = PLACEHOLDER_ID
        if self.create:
            self.before_query()
            # A product known only by name gets its name as SKU: the SKU is its natural key.
            new_id = _inserted_id(self.session, insert(Product).values(
                sku=sku or name[:100], name=name, top_assortment=False))
            self.products_created += 1
        self.products[sku or name[:100]] = new_id
        self.products_by_name.setdefault(name, new_id)
        return new_id

    @property
    def accounts_by_name(self) -> dict[str, int]:
        # Loaded on first need: files with account codes never pay for it.
        if self._accounts_by_name is None:
            self.before_query()
            self._accounts_by_name = {}
            for account_id, name in self.session.execute(
                select(Account.id, Account.name).order_by(Account.id)
            ):
                self._accounts_by_name.setdefault(name, account_id)
        return self._accounts_by_name

    @property
    def products_by_name(self) -> dict[str, int]:
        if self._products_by_name is None:
            self.before_query()
            self._products_by_name = {}
            for product_id, name in self.session.execute(
                select(Product.id, Product.name).order_by(Product.id)
            ):
                self._products_by_name.setdefault(name, product_id)
        return self._products_by_name


def _inserted_id(session: Session, statement: Insert) -> int:
    """Run a single-row INSERT and return the new row's id."""
    key = cast(CursorResult[Any], session.execute(statement)).inserted_primary_key
    assert key is not None  # a single-row INSERT without RETURNING still reports its key
    return int(key[0])
