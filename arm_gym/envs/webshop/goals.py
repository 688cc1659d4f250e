"""Shopping goals built from catalogue products the way WebShop's human goals are, in varied wording.

A goal names a product's type, one or two of its attributes (``instruction_attributes``), a value of
none, one or two of its option groups (``instruction_options``; 20 / 40 / 40 %) and a price bound drawn
from WebShop's ladder (two of the first four multiples of $10 above the price, the larger one kept).
It mostly asks for what tells the target from its variant group (an attribute or option value a
look-alike lacks), so the look-alike a keyword search lists first is often a near miss;
:func:`~arm_gym.envs.webshop.phrasing.phrase_instruction` words it. Splits are fixed: ``test`` (500 goals, as WebShop's), ``dev`` and
``train``, over disjoint target products. Goals are built on demand from ``(seed, split, k)`` so
even a million-product catalogue starts instantly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.phrasing import NO_PRICE_BOUND, phrase_instruction
from arm_gym.envs.webshop.schema import Goal, Product

__all__ = ["NO_PRICE_BOUND", "PRICE_LADDER", "GeneratedGoals", "GoalSet", "goal_from_product", "phrase_instruction",
           "price_bound"]

PRICE_LADDER: tuple[float, ...] = tuple(10.0 * i for i in range(1, 100))
"""WebShop's price bounds: $10, $20, ... $990."""
OPTION_GROUPS_P = (0.16, 0.34, 0.5)
"""Probabilities of naming 0, 1 or 2 option groups."""
TWO_ATTRIBUTES_P = 0.6
"""How often a goal names two of its product's attributes (else one)."""
DISCRIMINATE_P = 0.9
"""How often each attribute, option group and value a goal names is one that a near duplicate of the target lacks."""
MAX_RIVALS = 12

def price_bound(price: float, rng: np.random.Generator) -> float:
    """WebShop's bound: of the first four ladder steps above ``price``, two drawn at random, the larger."""
    above = [p for p in PRICE_LADDER if p > price][:4]
    if len(above) < 2:
        return NO_PRICE_BOUND
    picked = rng.choice(len(above), size=2, replace=False)
    return above[int(max(picked))]


class Rival(NamedTuple):
    """What a look-alike offers: enough to tell which of a goal's wishes it misses."""

    asin: str
    attributes: list[str]
    options: dict[str, list[str]]


def _prefer(rng: np.random.Generator, items: Sequence[str], wanted: set[str], k: int) -> list[str]:
    """``k`` of ``items`` (in their order), each drawn from ``wanted`` with probability :data:`DISCRIMINATE_P`
    while some are left, else from all that are left."""
    picked: list[str] = []
    for _ in range(min(k, len(items))):
        rest = [x for x in items if x not in picked]
        keen = [x for x in rest if x in wanted]
        pool = keen if keen and rng.random() < DISCRIMINATE_P else rest
        picked.append(pool[int(rng.integers(len(pool)))])
    return [x for x in items if x in picked]


def goal_from_product(product: Product, goal_id: str, rng: np.random.Generator,
                      rivals: Sequence[Product | Rival] = ()) -> Goal:
    """A goal whose target is ``product``: 1-2 of its attributes, 0-2 of its option groups, a price bound.

    ``rivals`` are the product's near duplicates: the goal then mostly asks for what tells the target apart
    from them (an attribute a rival lacks, an option value a rival does not offer), so buying a look-alike
    costs its share of the reward, as it does in WebShop.
    """
    attrs = list(product.attributes)
    missing_attrs = {a for r in rivals for a in attrs if a not in r.attributes}
    k = min(len(attrs), 1 + int(rng.random() < TWO_ATTRIBUTES_P))
    attributes = _prefer(rng, attrs, missing_attrs, k)
    groups = [g for g, vals in product.options.items() if vals]
    missing_vals = {g: [v for v in product.options[g] if any(v not in r.options.get(g, ()) for r in rivals)]
                    for g in groups}
    n_groups = min(len(groups), int(rng.choice(3, p=OPTION_GROUPS_P)))
    chosen = _prefer(rng, groups, {g for g in groups if missing_vals[g]}, n_groups)
    options = {}
    for g in chosen:
        pool = missing_vals[g] if missing_vals[g] and rng.random() < DISCRIMINATE_P else product.options[g]
        options[g] = pool[int(rng.integers(len(pool)))]
    upper = price_bound(product.price, rng)
    return Goal(
        goal_id=goal_id, asin=product.asin, product_type=product.product_type, category=product.category,
        attributes=attributes, options=options, price_upper=upper,
        instruction=phrase_instruction(product.product_type, attributes, options, upper, rng),
        product_title=product.title, top_category=product.top_category, query=product.product_type,
        title_nouns=None if product.title_nouns is None else list(product.title_nouns),
    )


class GoalSet:
    """Goals by split and id: :meth:`ids` lists a split, :meth:`get` builds one goal."""

    splits: tuple[str, ...] = ("train", "dev", "test")

    def ids(self, split: str) -> Sequence[str]:
        raise NotImplementedError

    def get(self, goal_id: str) -> Goal:
        """The goal ``goal_id``; raises ``KeyError`` for an unknown id."""
        raise NotImplementedError

    def __contains__(self, goal_id: object) -> bool:
        try:
            self.get(str(goal_id))
        except KeyError:
            return False
        return True


class GeneratedGoals(GoalSet):
    """The fixed goal splits of a :class:`GeneratedCatalogue` (ids ``"test-00042"``)."""

    def __init__(self, catalogue: GeneratedCatalogue, *, n_test: int = 500, n_dev: int = 1000,
                 n_train: int = 10_000):
        self.catalogue = catalogue
        n = len(catalogue)
        # small catalogues keep the same proportions
        n_test = min(n_test, max(1, n // 5))
        n_dev = min(n_dev, max(1, n // 5))
        n_train = min(n_train, max(1, n - n_test - n_dev))
        perm = np.random.default_rng([catalogue.seed, 0x60A1]).permutation(n)
        self._targets = {
            "test": perm[:n_test],
            "dev": perm[n_test : n_test + n_dev],
            "train": perm[n_test + n_dev : n_test + n_dev + n_train],
        }
        self._ids = {s: [f"{s}-{k:05d}" for k in range(len(t))] for s, t in self._targets.items()}

    def ids(self, split: str) -> Sequence[str]:
        return self._ids[split]

    def get(self, goal_id: str) -> Goal:
        split, _, num = goal_id.partition("-")
        if split not in self._targets or not num.isdigit() or int(num) >= len(self._targets[split]):
            raise KeyError(goal_id)
        k = int(num)
        row = int(self._targets[split][k])
        rng = np.random.default_rng([self.catalogue.seed, self.splits.index(split), k, 0x60A1])
        return goal_from_product(self.catalogue.product(row), goal_id, rng, self.rivals(row))

    def rivals(self, row: int) -> list[Rival]:
        """The near duplicates of product ``row`` (its variant group, up to :data:`MAX_RIVALS`)."""
        cat = self.catalogue
        root = int(cat.group_root[row])
        end = int(np.searchsorted(cat.group_root, root, side="right"))
        lo = max(root, row - MAX_RIVALS // 2)
        return [Rival(cat.asin(i), *cat.variant(i)) for i in range(lo, min(end, lo + MAX_RIVALS + 1)) if i != row]
