"""The catalogue's vocabulary as objects: families, product types, attributes and option pools.

Also the text normalisation used wherever product types are matched in free text
(:func:`normalize_words`, :func:`find_product_type`): lower case, punctuation to spaces, simple
plural folding, so "Hair Extensions" and "hair extension" match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from arm_gym.envs.webshop.vocab_families import CATEGORY_TITLES, FAMILY_TABLE
from arm_gym.envs.webshop.vocab_pools import OPTION_POOLS, split

CATEGORIES: tuple[str, ...] = tuple(CATEGORY_TITLES)
"""WebShop's five top categories, in a fixed order."""


@dataclass(frozen=True)
class Family:
    """Product types that share attributes, option groups, a price band and wording."""

    index: int
    category: str
    name: str
    types: tuple[str, ...]
    attributes: tuple[str, ...]
    option_groups: tuple[tuple[str, str], ...]  # (group name, pool name)
    price_band: tuple[float, float]
    uses: tuple[str, ...]
    blurb: str

    def category_path(self, product_type: str) -> str:
        """A WebShop-style category path, e.g. ``"Beauty & Personal Care › Hair Care › Shampoo"``."""
        return f"{CATEGORY_TITLES[self.category]} › {self.name.title()} › {product_type.title()}"


def _build_families() -> tuple[Family, ...]:
    families = []
    for i, (cat, name, types, attrs, options, band, uses, blurb) in enumerate(FAMILY_TABLE):
        groups = tuple(tuple(g.split(":")) for g in split(options))
        for _, pool in groups:
            if pool not in OPTION_POOLS:
                raise KeyError(f"family {name!r} names unknown option pool {pool!r}")
        families.append(Family(i, cat, name, split(types), split(attrs), groups, band, split(uses), blurb))  # type: ignore[arg-type]
    return tuple(families)


FAMILIES: tuple[Family, ...] = _build_families()
"""Every family, indexed by position."""

PRODUCT_TYPES: tuple[str, ...] = tuple(t for f in FAMILIES for t in f.types)
"""Every product type (a type may appear in two families; each occurrence is its own type id)."""
TYPE_FAMILY: tuple[int, ...] = tuple(f.index for f in FAMILIES for _ in f.types)
"""``TYPE_FAMILY[type_id]`` is the family index of ``PRODUCT_TYPES[type_id]``."""

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_KEEP_S = frozenset(
    "glass gloss dress pants shorts jeans leggings sneakers news less ss bus gas lens yes chess class "
    "boss mattress canvas plus this has was is its us hummus couscous series species asparagus citrus "
    "lotus cactus bass moss fleece brass toss kiss floss grass overalls suspenders joggers capris pajamas "
    "briefs trunks scrubs binoculars goggles sunglasses glasses tweezers clippers".split()
)


def singular(word: str) -> str:
    """A light plural folder (no dictionary): ``"extensions"`` -> ``"extension"``, ``"berries"`` -> ``"berry"``."""
    if len(word) <= 3 or word in _KEEP_S or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zes")):
        return word[:-2]
    return word[:-1]


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    return singular(word)


def normalize_words(text: str) -> list[str]:
    """Lower-cased word tokens with apostrophes dropped and plurals folded."""
    text = text.lower().replace("'", "").replace("’", "")
    return [_fold(w) for w in _WORD.findall(text)]


@lru_cache(maxsize=1)
def _type_index() -> dict[tuple[str, ...], str]:
    index: dict[tuple[str, ...], str] = {}
    for t in PRODUCT_TYPES:
        index.setdefault(tuple(normalize_words(t)), t)
    return index


_MODIFIER_NEXT = frozenset({"free", "flavor", "flavored", "flavour", "flavoured", "scented", "scent", "infused"})


def find_product_type(text: str) -> str | None:
    """The longest catalogue product type named in ``text`` (whole words, plurals folded), or ``None``.

    This is the coverage rule of ``benchmarks/webshop_coverage.py``: an instruction is covered when
    it names, as a run of whole words, a product type that the generated catalogue sells; a word
    directly followed by "free", "flavor(ed)", "scent(ed)" or "infused" does not count.
    """
    words = normalize_words(text)
    # "sugar free", "chocolate flavored", "lavender scented" name an ingredient, not the thing bought
    words = ["" if i + 1 < len(words) and words[i + 1] in _MODIFIER_NEXT else w for i, w in enumerate(words)]
    index = _type_index()
    longest = max((len(k) for k in index), default=0)
    best: tuple[int, str] | None = None
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 0, -1):
            hit = index.get(tuple(words[i : i + n]))
            if hit is not None:
                if best is None or n > best[0]:
                    best = (n, hit)
                break
    return best[1] if best else None
