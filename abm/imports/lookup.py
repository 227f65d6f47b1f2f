"""The rules by which a row's account and product find their ids, with no database.

Shared by the importer's :class:`~abm.imports.directory.Directory` and the reader
process of a big file (:mod:`abm.imports.reading`), which must give the same
answers and the same row problems; this module imports nothing heavy, so that the
reader process stays small.
"""

from __future__ import annotations

from abm.imports.results import RowProblem


class Lookup:
    """Finds an account by code, else by name, and a product by SKU, else by name.

    Subclasses say where names are looked up and what a new account or product
    gets (a row in the database, or a placeholder id).
    """

    accounts: dict[str, int]  # by code (external id)
    products: dict[str, int]  # by SKU (a product known only by name: by its name)

    def account(self, code: str, name: str) -> int:
        """The id of the account with this code (external id), else this name; a new one
        when neither finds it.

        Raises:
            RowProblem: unknown and unnamed, or a code or name too long.
        """
        code, name = code.strip(), name.strip()
        if not code and not name:
            raise RowProblem("account", "", "missing value")
        found = self.find_account(code, name)
        if found is not None:
            return found
        if code and not name:
            raise RowProblem("account", code, "unknown account and no account name to "
                             "create it")
        if len(code) > 100 or len(name) > 300:
            raise RowProblem("account", code or name, "too long")
        return self._new_account(code, name)

    def find_account(self, code: str, name: str) -> int | None:
        """The id of the account with this code; else, when the row has no code or its code
        is also its name (one identifier column), of the account with this name."""
        if code:
            found = self.accounts.get(code)
            if found is not None or name != code:
                return found
        if not name:
            return None
        found = self._account_named(name)
        if found is not None and code:
            self.accounts[code] = found  # the next line of this account costs one lookup
        return found

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
            found = self._product_named(name)
            if found is not None:
                return found
        if len(sku) > 100 or len(name) > 300:
            raise RowProblem("sku", sku or name, "too long")
        return self._new_product(sku, name)

    def _account_named(self, name: str) -> int | None:
        raise NotImplementedError

    def _new_account(self, code: str, name: str) -> int:
        """The id for an account the lookups did not find (code may be empty)."""
        raise NotImplementedError

    def _product_named(self, name: str) -> int | None:
        raise NotImplementedError

    def _new_product(self, sku: str, name: str) -> int:
        """The id for a product the lookups did not find (sku may be empty)."""
        raise NotImplementedError
