from __future__ import annotations

import numpy as np
import pytest

from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.vocab import CATEGORIES


@pytest.fixture(scope="module")
def cat() -> GeneratedCatalogue:
    return GeneratedCatalogue(5000, seed=3)


def test_deterministic_from_seed(cat):
    again = GeneratedCatalogue(5000, seed=3)
    other = GeneratedCatalogue(5000, seed=4)
    assert [cat.product(i) for i in range(0, 5000, 499)] == [again.product(i) for i in range(0, 5000, 499)]
    assert [cat.asin(i) for i in range(20)] != [other.asin(i) for i in range(20)]
    assert cat.fingerprint != other.fingerprint


def test_asins_are_a_bijection(cat):
    asins = [cat.asin(i) for i in range(len(cat))]
    assert len(set(asins)) == len(asins)
    assert all(a.startswith("B0") and len(a) == 10 and a.isalnum() for a in asins)
    assert all(cat.index(a) == i for i, a in enumerate(asins))
    assert cat.index(asins[5].lower()) == 5
    for bad in ["", "B0", "X012345678", "B0!!!!!!!!", 42]:
        assert bad not in cat
    big = GeneratedCatalogue(20, seed=3)
    assert all(big.asin(i) not in big or big.index(big.asin(i)) == i for i in range(20))
    assert sum(a in big for a in asins[20:200]) <= 1  # ASINs of larger catalogues are mostly unknown here


def test_products_are_complete_and_cover_all_categories(cat):
    seen = set()
    for i in range(0, 5000, 7):
        p = cat.product(i)
        seen.add(p.top_category)
        assert p.product_type.lower() in p.title.lower()
        assert p.attributes and all(a in cat.search_text(i).lower() for a in p.attributes)
        assert any(v for v in p.options.values())
        assert p.price > 0 and p.description and p.features and len(p.reviews) == 2
        assert p.category.count("›") == 2
    assert seen == set(CATEGORIES)


def _groups(cat, limit: int = 600) -> list[list[int]]:
    starts = np.flatnonzero(cat.group_root == np.arange(len(cat)))
    ends = np.append(starts[1:], len(cat))
    return [list(range(s, e)) for s, e in zip(starts[:limit], ends[:limit]) if e - s >= 3]


def _diffs(a, b) -> list[bool]:
    return [a.attributes != b.attributes, a.options != b.options, a.price != b.price]


def test_near_duplicates_differ_in_one_thing(cat):
    """A group's rows share the type and brand; each differs from the row they copy (the group's first row, or
    its last where the group is listed in reverse) in one attribute, one option value or the price."""
    kinds = {"attribute": 0, "option": 0, "price": 0}
    drops = adds = cheaper = dearer = 0
    for rows in _groups(cat):
        products = [cat.product(i) for i in rows]
        assert len({(p.product_type, p.brand) for p in products}) == 1
        base = next(p for p in (products[0], products[-1]) if all(sum(_diffs(p, q)) <= 1 for q in products))
        for q in products:
            diffs = _diffs(base, q)
            for kind, d in zip(kinds, diffs):
                kinds[kind] += d
            drops += set(q.attributes) < set(base.attributes)
            adds += set(q.attributes) > set(base.attributes)
            cheaper += q.price < base.price
            dearer += q.price > base.price
    assert min(kinds.values()) > 50
    assert drops > adds  # look-alikes mostly lack one of the copied row's attributes
    assert cheaper > 10 and dearer > cheaper


def test_priced_look_alikes_break_the_cheaper_ones_bound(cat):
    """A variant that differs from the row it copies in price only is $40+ away: the dearer of the two is above
    any bound WebShop's ladder draws for the cheaper one."""
    from arm_gym.envs.webshop.goals import price_bound

    seen = 0
    for rows in _groups(cat):
        products = [cat.product(i) for i in rows]
        base = next(p for p in (products[0], products[-1]) if all(sum(_diffs(p, q)) <= 1 for q in products))
        for q in products:
            if q.price != base.price and min(q.price, base.price) < 950:  # from $960 on the ladder has no bound
                cheap, dear = sorted((q.price, base.price))
                seen += 1
                rng = np.random.default_rng(seen)
                assert all(dear > price_bound(cheap, rng) for _ in range(20))
    assert seen > 20


def test_scales_with_columnar_memory():
    big = GeneratedCatalogue(300_000, seed=1)
    nbytes = sum(
        getattr(big, c).nbytes
        for c in ("type_id", "family", "brand", "style", "attr_mask", "opt_mask", "price_cents", "group_root")
    )
    assert nbytes / len(big) < 64
    assert big.product(299_999).asin == big.asin(299_999)
    assert np.all(big.price_cents > 0)
