"""Shopping goals built from catalogue products the way WebShop builds them, in varied wording.

A goal names a product's type, a subset of its attributes, one value of each of its option groups
and a price bound drawn from WebShop's ladder (two of the first four multiples of $10 above the
price, the larger one kept). Splits are fixed: ``test`` (500 goals, as WebShop's), ``dev`` and
``train``, over disjoint target products. Goals are built on demand from ``(seed, split, k)`` so
even a million-product catalogue starts instantly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.schema import Goal, Product

PRICE_LADDER: tuple[float, ...] = tuple(10.0 * i for i in range(1, 100))
"""WebShop's price bounds: $10, $20, ... $990."""
NO_PRICE_BOUND = 1_000_000.0

_OPENERS = (
    "i am looking for", "i need", "i want", "find me", "i would like", "im looking for", "help me find",
    "can you find me", "i want to buy", "show me", "get me", "i'd like to order", "please find",
    "i am shopping for", "search for",
)
_COLOR_PHRASES = (" in {v}", " in {v} color", ", {v} color", " that comes in {v}", " colored {v}")
_SIZE_PHRASES = (" in size {v}", ", size {v}", " in {v}", " in the {v} size")
_OTHER_PHRASES = (" with {group} {v}", ", {group}: {v}", " in {v} {group}", " in the {v} {group}")
_PRICE = ", and price lower than {p:.2f} dollars"


def price_bound(price: float, rng: np.random.Generator) -> float:
    """WebShop's bound: of the first four ladder steps above ``price``, two drawn at random, the larger."""
    above = [p for p in PRICE_LADDER if p > price][:4]
    if len(above) < 2:
        return NO_PRICE_BOUND
    picked = rng.choice(len(above), size=2, replace=False)
    return above[int(max(picked))]


_POST = ("for ", "with ", "made ", "backed ", "compatible ", "box spring")


def _article(first_word: str, product_type: str) -> str:
    """``a``/``an``, or ``some`` when the type is plural ("jeans", "hair extensions")."""
    last = product_type.split()[-1] if product_type else ""
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return "some"
    return "an" if first_word[:1] in "aeiou" else "a"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _option_phrase(group: str, value: str, rng: np.random.Generator) -> str:
    table = _COLOR_PHRASES if group == "color" else _SIZE_PHRASES if group == "size" else _OTHER_PHRASES
    return table[int(rng.integers(len(table)))].format(v=value, group=group)


def phrase_instruction(product_type: str, attributes: Sequence[str], options: dict[str, str],
                       price_upper: float, rng: np.random.Generator) -> str:
    """A natural-language instruction for the structured goal, e.g.
    ``"i need a sulfate free shampoo in lavender scent, and price lower than 30.00 dollars"``."""
    opener = _OPENERS[int(rng.integers(len(_OPENERS)))]
    pre = [a for a in attributes if not a.startswith(_POST)]  # adjectives: "sulfate free"
    post = [a for a in attributes if a.startswith(_POST)]  # "for damaged hair", "with pockets"
    tail = "".join(f" {a}" for a in post)
    shape = int(rng.integers(4)) if pre else 0
    if shape in (0, 3):  # "a sulfate free and vegan shampoo", "a sulfate free vegan shampoo"
        lead = _and(pre) if shape == 3 else " ".join(pre)
        noun = f"{lead} {product_type}".strip()
        body = f"{_article(noun, product_type)} {noun}{tail}"
    else:  # "a shampoo for damaged hair that is sulfate free"
        article = _article(product_type, product_type)
        verb = "are" if article == "some" else "is"
        body = f"{article} {product_type}{tail} {('that', 'which')[shape - 1]} {verb} {_and(pre)}"
    text = f"{opener} {body}" + "".join(_option_phrase(g, v, rng) for g, v in options.items())
    if price_upper < NO_PRICE_BOUND:
        text += _PRICE.format(p=price_upper)
    return text


def goal_from_product(product: Product, goal_id: str, rng: np.random.Generator) -> Goal:
    """A goal whose target is ``product``: 1-3 of its attributes, one value per option group, a price bound."""
    attrs = list(product.attributes)
    k = int(rng.integers(1, min(3, len(attrs)) + 1)) if attrs else 0
    keep = sorted(rng.choice(len(attrs), size=k, replace=False).tolist()) if k else []
    attributes = [attrs[j] for j in keep]
    options = {g: vals[int(rng.integers(len(vals)))] for g, vals in product.options.items() if vals}
    upper = price_bound(product.price, rng)
    return Goal(
        goal_id=goal_id, asin=product.asin, product_type=product.product_type, category=product.category,
        attributes=attributes, options=options, price_upper=upper,
        instruction=phrase_instruction(product.product_type, attributes, options, upper, rng),
        top_category=product.top_category, query=product.product_type,
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
        product = self.catalogue.product(int(self._targets[split][k]))
        rng = np.random.default_rng([self.catalogue.seed, self.splits.index(split), k, 0x60A1])
        return goal_from_product(product, goal_id, rng)
