"""The form of a name that the accounts search compares: case and width folded, every script.

Why a stored column and not ``lower()`` in SQL: SQLite's ``lower()`` and
``LIKE`` fold ASCII letters only (``ромашка`` did not find ``ООО Ромашка``),
and PostgreSQL's ``lower()`` folds what the database's locale knows, which on
a ``C`` locale is ASCII again. A function registered with SQLite could fold in
Python, but it would run on every row of every search and no index could
serve it. So every account keeps its name folded here, once, when the name is
written (:class:`abm.accounts.models.Account` does it for the ORM and for
Core inserts; the importer's bulk update adds it), and the search folds the
text it is given the same way: then one comparison works on both databases,
over an index.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` case-folded after NFKC normalisation.

    ``casefold`` folds every script and the special cases ``lower`` misses
    (German ß -> ss, Greek final sigma); NFKC first makes composed and
    decomposed letters, full-width forms and ligatures (ﬁ) compare equal.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
