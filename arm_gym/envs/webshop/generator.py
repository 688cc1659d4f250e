"""A deterministic, columnar product catalogue generated from a seed (10k in well under a second, 1M+ in seconds).

Every product is a row of small integer columns (type, brand, attribute bitmask, option-value
bitmasks per group, price, template choices); titles, descriptions, features and reviews are pure
functions of a row, rendered on demand. Products come in variant groups (five rows on average): each
variant copies the group's first row (or its last, where the group is listed in reverse) and lacks one
of its attributes (or has one more), offers another set of values in one option group, or costs $40+
more or less, so a search for a goal lists look-alikes that a careless shopper buys by mistake (and
that WebShop's reward gives partial credit). ASINs are a keyed bijection of the
row number (``B0`` + 8 base-36 digits), so lookups need no dictionary. A title names at most one
attribute (the rest are in the features and description only); about a quarter of products show a
price range (``$8.49 to $12.0``) around the price a purchase costs, as WebShop's do. Each product
records its title's nouns (brand, type and use words) for the reward's type factor.

Generation is most of a cached start at a million products, so a catalogue given a ``cache_dir`` saves its columns
there once (``<fingerprint>.columns``, beside the search index) and later memory-maps them
(:mod:`~arm_gym.envs.webshop.column_cache`): a cached start generates nothing and reads only the rows it uses.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from arm_gym.envs.webshop.catalogue import Catalogue
from arm_gym.envs.webshop.column_cache import ArraySpec, discard, read_folder, write_folder
from arm_gym.envs.webshop.nouns import fallback_nouns
from arm_gym.envs.webshop.schema import Product
from arm_gym.envs.webshop.vocab import FAMILIES, PRODUCT_TYPES, TYPE_FAMILY
from arm_gym.envs.webshop.vocab_pools import (
    BRAND_HEADS,
    BRAND_TAILS,
    DESCRIPTION_TEMPLATES,
    FEATURE_TEMPLATES,
    OPTION_POOLS,
    REVIEW_TEMPLATES,
    TITLE_OPENERS,
)

GENERATOR_VERSION = 6
"""Bumped whenever generated content changes (it is part of the catalogue fingerprint)."""
COLUMNS_VERSION = 1
"""Bumped whenever the cached column layout changes (names, dtypes)."""

SIBLING_SHARE = 0.8
SIBLING_KINDS = (0.55, 0.2, 0.25)
"""How a near duplicate differs from the row it copies: an attribute, an option value, the price."""
DROP_SHARE = 0.7
"""Share of attribute look-alikes that lack one of the copied row's attributes (the rest have one more)."""
RANGE_SHARE = 0.25
MAX_GROUPS = 2
_ASIN_MOD = 36**8
_ASIN_MUL = 1743541808669  # ~0.618 * 36^8, coprime with 36: i -> (a*i + b) mod 36^8 is a bijection
_ASIN_INV = pow(_ASIN_MUL, -1, _ASIN_MOD)
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

BRANDS: tuple[str, ...] = tuple((h + t).capitalize() for h in BRAND_HEADS for t in BRAND_TAILS)

_FAM_TYPES_FAMILY = np.asarray(TYPE_FAMILY, dtype=np.int16)
_FAM_NATTR = np.asarray([len(f.attributes) for f in FAMILIES], dtype=np.int64)
_FAM_POOL = np.asarray(
    [[len(OPTION_POOLS[f.option_groups[g][1]]) if g < len(f.option_groups) else 0 for g in range(MAX_GROUPS)]
     for f in FAMILIES],
    dtype=np.int64,
)
_FAM_PRICE = np.asarray([f.price_band for f in FAMILIES], dtype=np.float64)

COLUMNS: dict[str, tuple[type, int]] = {
    "type_id": (np.int32, 0), "family": (np.int16, 0), "brand": (np.int32, 0), "style": (np.int64, 0),
    "attr_mask": (np.uint64, 0), "opt_mask": (np.uint64, MAX_GROUPS), "price_cents": (np.int64, 0),
    "group_root": (np.int64, 0), "range_lo": (np.int64, 0), "range_hi": (np.int64, 0),
}
"""Every generated column: its dtype and its width (0: one value a row)."""


def column_specs(n: int) -> dict[str, ArraySpec]:
    """The dtype and shape of each column of an ``n``-product catalogue."""
    return {name: (np.dtype(dtype), (n, width) if width else (n,)) for name, (dtype, width) in COLUMNS.items()}


def _inputs_digest() -> str:
    """A digest of everything generation reads besides ``(n, seed)``: the vocabulary's sizes and price bands and
    the generation constants. A cache written under other inputs is stale even where the version was not bumped."""
    inputs = [TYPE_FAMILY, _FAM_NATTR.tolist(), _FAM_POOL.tolist(), _FAM_PRICE.tolist(), len(PRODUCT_TYPES),
              len(BRANDS), SIBLING_SHARE, SIBLING_KINDS, DROP_SHARE, RANGE_SHARE, MAX_GROUPS]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:16]


def _bits(mask: int) -> list[int]:
    out, j = [], 0
    while mask:
        if mask & 1:
            out.append(j)
        mask >>= 1
        j += 1
    return out


def _random_mask(rng: np.random.Generator, n: int, size: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Per row, a uint64 bitmask of between 1 and ``hi - 1`` positions drawn from ``range(size)``."""
    picks = (rng.random((n, hi - 1)) * np.maximum(size, 1)[:, None]).astype(np.uint64)
    want = rng.integers(lo, hi, n)
    use = np.arange(hi - 1)[None, :] < want[:, None]
    bits = np.where(use, np.left_shift(np.uint64(1), picks), np.uint64(0))
    mask = np.bitwise_or.reduce(bits, axis=1)
    return np.where(size > 0, mask, np.uint64(0))


class GeneratedCatalogue(Catalogue):
    """``n`` products generated from ``seed`` across WebShop's five categories.

    Args:
        n: number of products (any size; 10,000 by default in the env).
        seed: the generation seed; equal ``(n, seed)`` give equal catalogues on every machine.
        cache_dir: a folder to keep the generated columns in (``<fingerprint>.columns``): the first catalogue
            saves them, later ones memory-map them instead of generating. ``None`` generates in memory.
    """

    def __init__(self, n: int = 10_000, seed: int = 0, *, cache_dir: str | os.PathLike | None = None):
        if n < 1:
            raise ValueError(f"a catalogue needs at least one product, not {n}")
        self.n = int(n)
        self.seed = int(seed)
        self.fingerprint = f"gen{GENERATOR_VERSION}-n{self.n}-s{self.seed}"
        self._asin_add = int(hashlib.sha256(f"asin{seed}".encode()).hexdigest(), 16) % _ASIN_MOD
        self.cache_path: Path | None = None if cache_dir is None else Path(cache_dir) / f"{self.fingerprint}.columns"
        self.loaded_from_cache = False
        columns = None if self.cache_path is None else self._load_columns(self.cache_path)
        if columns is None:
            columns = self._generate()
            if self.cache_path is not None:
                write_folder(self.cache_path, columns, self._cache_meta(), what="catalogue columns")
        else:
            self.loaded_from_cache = True
        for name, column in columns.items():
            setattr(self, name, column)
        self.product = lru_cache(maxsize=8192)(self._build_product)  # type: ignore[method-assign]
        self.summary = lru_cache(maxsize=65536)(self._summary)  # type: ignore[method-assign]

    def columns(self) -> dict[str, np.ndarray]:
        """Every generated column by name (see :data:`COLUMNS`)."""
        return {name: getattr(self, name) for name in COLUMNS}

    # ------------------------------------------------------------------ cache
    def _cache_meta(self) -> dict[str, object]:
        return {"columns_version": COLUMNS_VERSION, "fingerprint": self.fingerprint, "n": self.n, "seed": self.seed,
                "inputs": _inputs_digest()}

    def _load_columns(self, path: Path) -> dict[str, np.ndarray] | None:
        """The cached columns, memory-mapped read-only, or ``None`` (a damaged cache is logged and deleted)."""
        if not path.exists():
            return None
        try:
            return read_folder(path, self._cache_meta(), column_specs(self.n), mmap_mode="r")[0]
        except Exception as exc:  # noqa: BLE001 - any damage means: generate again
            discard(path, exc, what="catalogue columns")
            return None

    # ------------------------------------------------------------------ generation
    def _generate(self) -> dict[str, np.ndarray]:
        """Every column, generated from ``(n, seed)``."""
        n, rng = self.n, np.random.default_rng([self.seed, 0x5EB])
        type_id = rng.integers(0, len(PRODUCT_TYPES), n)
        fam = _FAM_TYPES_FAMILY[type_id].astype(np.int64)
        attr_mask = _random_mask(rng, n, _FAM_NATTR[fam], 2, 5)
        opt_mask = np.stack([_random_mask(rng, n, _FAM_POOL[fam, g], 2, 7) for g in range(MAX_GROUPS)], axis=1)
        lo, hi = _FAM_PRICE[fam, 0], _FAM_PRICE[fam, 1]
        dollars = np.exp(rng.uniform(np.log(lo), np.log(hi)))
        cents = np.floor(dollars).astype(np.int64) * 100 + rng.choice(np.array([99, 95, 49, 0]), n)
        brand = rng.integers(0, len(BRANDS), n)
        style = rng.integers(0, 1 << 30, n)  # template choices, unpacked in _row

        # near duplicates: copy the group's first row, then change one attribute, option value or price
        sibling = rng.random(n) < SIBLING_SHARE
        sibling[0] = False
        root = np.maximum.accumulate(np.where(sibling, 0, np.arange(n)))
        type_id, fam, brand, style = type_id[root], fam[root], brand[root], style[root]
        attr_mask, opt_mask, cents = attr_mask[root], opt_mask[root].copy(), cents[root]
        kind = rng.choice(3, size=n, p=SIBLING_KINDS)  # attribute, option value, price
        flip_attr = np.left_shift(np.uint64(1), (rng.random(n) * _FAM_NATTR[fam]).astype(np.uint64))
        # mostly drop one of the copied row's attributes (a look-alike that lacks it), else add one
        tries = np.left_shift(np.uint64(1), (rng.random((n, 8)) * _FAM_NATTR[fam][:, None]).astype(np.uint64))
        held = (attr_mask[:, None] & tries) != 0
        drop = tries[np.arange(n), held.argmax(axis=1)]
        can_drop = held.any(axis=1) & (attr_mask != drop) & (rng.random(n) < DROP_SHARE)
        flip_attr = np.where(can_drop, drop, flip_attr)
        attr_mask = np.where(sibling & (kind == 0), attr_mask ^ flip_attr, attr_mask)
        attr_mask = np.where(attr_mask == 0, flip_attr, attr_mask)
        group = (rng.random(n) < 0.5).astype(np.int64)  # which option group a value sibling changes
        group = np.where(_FAM_POOL[fam, group] > 0, group, 0)
        flip_opt = np.left_shift(np.uint64(1), (rng.random(n) * np.maximum(_FAM_POOL[fam, group], 1)).astype(np.uint64))
        for g in range(MAX_GROUPS):
            here = sibling & (kind == 1) & (group == g)
            col = np.where(here, opt_mask[:, g] ^ flip_opt, opt_mask[:, g])
            opt_mask[:, g] = np.where((col == 0) & (_FAM_POOL[fam, g] > 0), flip_opt, col)
        # a dearer or (from $60 on, half the time) cheaper variant, priced so that the dearer of the two is above
        # any bound WebShop's ladder draws for the cheaper one (at most $40 above its price)
        gap = np.maximum(cents * rng.uniform(0.3, 1.5, n), rng.uniform(4100, 6000, n))
        cheaper = (cents - gap >= 1500) & (rng.random(n) < 0.5)
        moved = np.where(cheaper, cents - gap, cents + gap).astype(np.int64) // 100 * 100 + 99
        cents = np.where(sibling & (kind == 2), moved, cents)

        # half the groups list their variants before the row they copy, so no kind of look-alike always ranks
        # below (or above) the product it copies when a search scores them alike
        starts = np.flatnonzero(~sibling)
        group_no = np.cumsum(~sibling) - 1
        end = np.append(starts[1:], n)[group_no]
        flip = (rng.random(len(starts)) < 0.5)[group_no]
        order = np.where(flip, root + end - 1 - np.arange(n), np.arange(n))
        type_id, fam, brand, style = type_id[order], fam[order], brand[order], style[order]
        attr_mask, opt_mask, cents = attr_mask[order], opt_mask[order], cents[order]

        # a price range shown around the price (WebShop draws the price from the range once per product)
        has_range = rng.random(n) < RANGE_SHARE
        low = np.floor(cents * rng.uniform(0.55, 0.9, n) / 100).astype(np.int64) * 100 + 49
        high = np.floor(cents * rng.uniform(1.15, 1.8, n) / 100).astype(np.int64) * 100
        range_hi = np.where(has_range & (low < cents) & (high > cents), high, 0)
        range_lo = np.where(range_hi > 0, low, 0)
        columns = {
            "type_id": type_id, "family": fam, "brand": brand, "style": style, "attr_mask": attr_mask,
            "opt_mask": opt_mask, "price_cents": cents, "group_root": root, "range_lo": range_lo, "range_hi": range_hi,
        }
        return {name: np.ascontiguousarray(columns[name], dtype=COLUMNS[name][0]) for name in COLUMNS}

    # ------------------------------------------------------------------ ids
    def __len__(self) -> int:
        return self.n

    def asin(self, i: int) -> str:
        if not 0 <= i < self.n:
            raise IndexError(i)
        y = (_ASIN_MUL * int(i) + self._asin_add) % _ASIN_MOD
        digits = []
        for _ in range(8):
            y, r = divmod(y, 36)
            digits.append(_B36[r])
        return "B0" + "".join(reversed(digits))

    def index(self, asin: str) -> int:
        if not isinstance(asin, str) or len(asin) != 10 or not asin[:2].upper() == "B0":
            raise KeyError(asin)
        try:
            y = int(asin[2:], 36)
        except ValueError:
            raise KeyError(asin) from None
        i = ((y - self._asin_add) * _ASIN_INV) % _ASIN_MOD
        if i >= self.n:
            raise KeyError(asin)
        return i

    # ------------------------------------------------------------------ rendering
    def variant(self, i: int) -> tuple[list[str], dict[str, list[str]]]:
        """``(attributes, options)`` of product ``i``, without rendering its text (for comparing look-alikes)."""
        fam = FAMILIES[int(self.family[i])]
        attrs = [fam.attributes[j] for j in _bits(int(self.attr_mask[i])) if j < len(fam.attributes)]
        options = {}
        for g, (group, pool_name) in enumerate(fam.option_groups[:MAX_GROUPS]):
            pool = OPTION_POOLS[pool_name]
            options[group] = [pool[j] for j in _bits(int(self.opt_mask[i, g])) if j < len(pool)]
        return attrs, options

    def _row(self, i: int) -> dict:
        fam = FAMILIES[int(self.family[i])]
        ptype = PRODUCT_TYPES[int(self.type_id[i])]
        attrs, options = self.variant(i)
        s = int(self.style[i])
        return {
            "fam": fam, "type": ptype, "attrs": attrs, "options": options,
            "brand": BRANDS[int(self.brand[i])], "opener": TITLE_OPENERS[s % len(TITLE_OPENERS)],
            "use": fam.uses[(s >> 5) % len(fam.uses)], "desc": (s >> 9) % len(DESCRIPTION_TEMPLATES),
            "feat": (s >> 13) % len(FEATURE_TEMPLATES), "review": (s >> 17) % len(REVIEW_TEMPLATES),
            "rating": round(3.0 + ((s >> 21) % 21) / 10, 1), "price": int(self.price_cents[i]) / 100,
            "in_title": (s >> 27) % 2,
        }

    @staticmethod
    def _title(r: dict) -> str:
        head = f"{r['brand']} {r['opener'].title()} {r['type'].title()}"
        use = f"for {r['use']}"
        tail = ", ".join(a.title() for a in r["attrs"][: r["in_title"]] if a != use)
        return f"{head} - {tail}, {use.title()}" if tail else f"{head}, {use.title()}"

    @staticmethod
    def _nouns(r: dict) -> list[str]:
        """The title's nouns as a tagger would keep them: the brand, the type words and the use words."""
        return fallback_nouns(f"{r['brand']} {r['type']} {r['use']}")

    def _price_text(self, i: int) -> str:
        lo, hi = int(self.range_lo[i]), int(self.range_hi[i])
        return f"${lo / 100} to ${hi / 100}" if hi else f"${int(self.price_cents[i]) / 100}"

    @staticmethod
    def _description(r: dict) -> str:
        attrs = r["attrs"]
        phrase = attrs[0] if len(attrs) == 1 else ", ".join(attrs[:-1]) + " and " + attrs[-1]
        text = DESCRIPTION_TEMPLATES[r["desc"]].format(
            brand=r["brand"], type=r["type"], attrs=phrase, blurb=r["fam"].blurb, opener=r["opener"], use=r["use"]
        )
        return text[:1].upper() + text[1:]

    @staticmethod
    def _features(r: dict) -> list[str]:
        out = []
        for j, a in enumerate(r["attrs"]):
            tpl = FEATURE_TEMPLATES[(r["feat"] + j) % len(FEATURE_TEMPLATES)]
            out.append(tpl.format(Attr=a.capitalize(), attr=a, type=r["type"], brand=r["brand"]))
        return out

    @staticmethod
    def _reviews(r: dict) -> list[dict]:
        out = []
        groups = [g for g, v in r["options"].items() if v]
        for j in range(2):
            title, body = REVIEW_TEMPLATES[(r["review"] + j) % len(REVIEW_TEMPLATES)]
            group = groups[j % len(groups)] if groups else "style"
            option = r["options"][group][0] if groups else "standard"
            attr = r["attrs"][j % len(r["attrs"])] if r["attrs"] else "well made"
            body = body.format(type=r["type"], attr=attr, option=option, group=group, brand=r["brand"])
            out.append({"title": title, "body": body, "score": max(1, min(5, round(r["rating"]) - j))})
        return out

    def _build_product(self, i: int) -> Product:
        if not 0 <= i < self.n:
            raise IndexError(i)
        r = self._row(i)
        fam = r["fam"]
        return Product(
            asin=self.asin(i), title=self._title(r), category=fam.category_path(r["type"]),
            product_type=r["type"], attributes=r["attrs"], options=r["options"], price=r["price"],
            description=self._description(r), features=self._features(r), reviews=self._reviews(r),
            rating=r["rating"], brand=r["brand"], top_category=fam.category,
            price_range=[int(self.range_lo[i]) / 100, int(self.range_hi[i]) / 100] if self.range_hi[i] else None,
            title_nouns=self._nouns(r),
        )

    def search_text(self, i: int) -> str:
        r = self._row(i)
        values = [v for vals in r["options"].values() for v in vals]
        return " ".join([self._title(r), self._description(r), *self._features(r), *values])

    def _summary(self, i: int) -> tuple[str, str, str]:
        fam = FAMILIES[int(self.family[i])]
        s = int(self.style[i])
        attrs = [fam.attributes[j] for j in _bits(int(self.attr_mask[i]))[:1] if j < len(fam.attributes)]
        r = {"brand": BRANDS[int(self.brand[i])], "opener": TITLE_OPENERS[s % len(TITLE_OPENERS)],
             "type": PRODUCT_TYPES[int(self.type_id[i])], "attrs": attrs, "use": fam.uses[(s >> 5) % len(fam.uses)],
             "in_title": (s >> 27) % 2}
        return self.asin(i), self._title(r), self._price_text(i)
