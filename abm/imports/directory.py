"""Account and product ids by code or name, creating the ones an import names for the first time."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from abm.accounts.models import Account, AccountKind
from abm.imports.results import RowProblem
from abm.sales.models import Product

PLACEHOLDER_ID = -1  # what a dry run (strict validation) resolves a new name to


class Directory:
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
        self.accounts: dict[str, int] = dict(session.execute(
            select(Account.external_id, Account.id).where(Account.external_id.is_not(None))
        ).all())
        self.products: dict[str, int] = dict(session.execute(select(Product.sku, Product.id)).all())
        self._accounts_by_name: dict[str, int] | None = None
        self._products_by_name: dict[str, int] | None = None
        self.accounts_created = 0
        self.products_created = 0

    def account(self, code: str, name: str) -> int:
        """The id of the account with this code (external id), else this name.

        Raises:
            RowProblem: unknown and unnamed, or a code or name too long.
        """
        code, name = code.strip(), name.strip()
        if code:
            found = self.accounts.get(code)
            if found is not None:
                return found
            if not name:
                raise RowProblem("account", code, "unknown account and no account name to "
                                 "create it")
        elif not name:
            raise RowProblem("account", "", "missing value")
        else:
            found = self.accounts_by_name.get(name)
            if found is not None:
                return found
        if len(code) > 100 or len(name) > 300:
            raise RowProblem("account", code or name, "too long")
        new_id = PLACEHOLDER_ID
        if self.create:
            self.before_query()
            new_id = self.session.execute(insert(Account).values(
                name=name, external_id=code or None, kind=AccountKind.CUSTOMER
            )).inserted_primary_key[0]
            self.accounts_created += 1
        if code:
            self.accounts[code] = new_id
        self.accounts_by_name.setdefault(name, new_id)
        return new_id

    def product(self, sku: str, name: str) -> int | None:
        """The id of the product with this SKU, else this name; None when the row has neither.

        Raises:
            RowProblem: a SKU that is unknown and comes without a product name.
        """
        sku, name = sku.strip(), name.strip()
        if sku:
            found = self.products.get(sku)
            if found is not None:
                return found
            if not name:
                raise RowProblem("sku", sku, "unknown product and no product name to create it")
        elif not name:
            return None
        else:
            found = self.products_by_name.get(name)
            if found is not None:
                return found
        if len(sku) > 100 or len(name) > 300:
            raise RowProblem("sku", sku or name, "too long")
        new_id = PLACEHOLDER_ID
        if self.create:
            self.before_query()
            # A product known only by name gets its name as SKU: the SKU is its natural key.
            new_id = self.session.execute(insert(Product).values(
                sku=sku or name[:100], name=name, top_assortment=False
            )).inserted_primary_key[0]
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
