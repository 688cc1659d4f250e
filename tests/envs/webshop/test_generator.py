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


def test_near_duplicates_differ_in_one_thing(cat):
    """Siblings share the type and brand and differ in an attribute, an option value set or the price."""
    kinds = {"attribute": 0, "option": 0, "price": 0}
    for i in range(1, len(cat)):
        if cat.group_root[i] != i and cat.group_root[i] == i - 1:
            a, b = cat.product(i - 1), cat.product(i)
            assert (a.product_type, a.brand) == (b.product_type, b.brand)
            diffs = [a.attributes != b.attributes, a.options != b.options, a.price != b.price]
            assert sum(diffs) <= 1
            for kind, d in zip(kinds, diffs):
                kinds[kind] += d
    assert min(kinds.values()) > 50


def test_scales_with_columnar_memory():
    big = GeneratedCatalogue(300_000, seed=1)
    nbytes = sum(
        getattr(big, c).nbytes
        for c in ("type_id", "family", "brand", "style", "attr_mask", "opt_mask", "price_cents", "group_root")
    )
    assert nbytes / len(big) < 64
    assert big.product(299_999).asin == big.asin(299_999)
    assert np.all(big.price_cents > 0)
