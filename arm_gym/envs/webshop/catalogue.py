"""The catalogue interface: product lookup by ASIN and the text the search index reads.

:class:`Catalogue` is what the env, the search index and the expert shopper use; two kinds exist:
:class:`~arm_gym.envs.webshop.generator.GeneratedCatalogue` (columnar, built from a seed, 1M+
products) and :class:`ProductList` (a list of :class:`Product`, e.g. WebShop's official files).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from arm_gym.envs.webshop.schema import Product


class Catalogue:
    """Products addressed by position ``0..len-1`` and by ASIN.

    Subclasses implement :meth:`__len__`, :meth:`asin`, :meth:`index`, :meth:`product` and
    :attr:`fingerprint`; :meth:`search_text` defaults to title + description + features.
    """

    fingerprint: str = ""
    """A stable hash of the content: the search-index cache is keyed by it."""

    def __len__(self) -> int:
        raise NotImplementedError

    def asin(self, i: int) -> str:
        """The ASIN of the product at position ``i``."""
        raise NotImplementedError

    def index(self, asin: str) -> int:
        """The position of ``asin``; raises ``KeyError`` when there is none."""
        raise NotImplementedError

    def product(self, i: int) -> Product:
        """The product at position ``i``."""
        raise NotImplementedError

    # ------------------------------------------------------------------ derived
    def __getitem__(self, asin: str) -> Product:
        return self.product(self.index(asin))

    def __contains__(self, asin: object) -> bool:
        if not isinstance(asin, str):
            return False
        try:
            self.index(asin)
        except KeyError:
            return False
        return True

    def get(self, asin: str, default: Any = None) -> Product | Any:
        """The product with ``asin``, or ``default``."""
        try:
            return self[asin]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[Product]:
        return (self.product(i) for i in range(len(self)))

    def search_text(self, i: int) -> str:
        """What BM25 indexes for product ``i``: title, description, features and option values (as WebShop)."""
        p = self.product(i)
        return " ".join([p.title, p.description, *p.features, *(v for vals in p.options.values() for v in vals)])

    def search_texts(self, start: int, stop: int) -> list[str]:
        """:meth:`search_text` for a range (subclasses may batch this)."""
        return [self.search_text(i) for i in range(start, stop)]

    def summary(self, i: int) -> tuple[str, str, str]:
        """``(asin, title, price text)`` for a results page (the price as WebShop shows it, e.g. ``"$10.0"``)."""
        p = self.product(i)
        return p.asin, p.title, p.price_text


class ProductList(Catalogue):
    """A catalogue held as a list of :class:`Product` (official WebShop data, tests, user data)."""

    def __init__(self, products: Sequence[Product], fingerprint: str | None = None):
        self._products = list(products)
        self._by_asin: dict[str, int] = {}
        for i, p in enumerate(self._products):
            self._by_asin.setdefault(p.asin.upper(), i)
        if fingerprint is None:
            digest = hashlib.sha256()
            for p in self._products:
                digest.update(json.dumps(p.to_dict(), sort_keys=True).encode())
            fingerprint = "list-" + digest.hexdigest()[:16]
        self.fingerprint = fingerprint

    def __len__(self) -> int:
        return len(self._products)

    def asin(self, i: int) -> str:
        return self._products[i].asin

    def index(self, asin: str) -> int:
        try:
            return self._by_asin[asin.upper()]
        except (KeyError, AttributeError):
            raise KeyError(asin) from None

    def product(self, i: int) -> Product:
        return self._products[i]
