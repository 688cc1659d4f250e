from __future__ import annotations

import pytest

from arm_gym.envs.webshop.generator import MAX_GROUPS
from arm_gym.envs.webshop.vocab import (
    CATEGORIES,
    FAMILIES,
    PRODUCT_TYPES,
    find_product_type,
    normalize_words,
    singular,
)
from arm_gym.envs.webshop.vocab_pools import OPTION_POOLS


def test_five_categories_each_with_families():
    assert set(CATEGORIES) == {"beauty", "electronics", "fashion", "grocery", "furniture"}
    for cat in CATEGORIES:
        assert sum(f.category == cat for f in FAMILIES) >= 3


def test_tables_fit_the_bitmask_columns():
    for f in FAMILIES:
        assert 4 <= len(f.attributes) <= 63, f.name
        assert 1 <= len(f.option_groups) <= MAX_GROUPS, f.name
        pools = [OPTION_POOLS[p] for _, p in f.option_groups]
        assert all(2 <= len(p) <= 63 for p in pools), f.name
        values = [v for p in pools for v in p]
        assert len(values) == len(set(values)), f"{f.name}: an option value is in two groups"
        assert f.price_band[0] < f.price_band[1]
    assert len(PRODUCT_TYPES) >= 1000


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("extensions", "extension"),
        ("berries", "berry"),
        ("brushes", "brush"),
        ("glass", "glass"),
        ("jeans", "jeans"),
        ("bus", "bus"),
        ("oz", "oz"),
        ("shoes", "shoe"),
    ],
)
def test_singular(word, expected):
    assert singular(word) == expected


def test_normalize_words_folds_case_punctuation_and_plurals():
    assert normalize_words("Men's Hair-Extensions, 3.5 oz!") == ["men", "hair", "extension", "3.5", "oz"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i want a noise cancelling usb microphone", "usb microphone"),
        ("looking for 22 inch ombre synthetic hair extensions", "hair extensions"),
        ("a grey sectional sofa for my living room", "sectional sofa"),
        ("sugar free gummy bears please", "gummy bears"),  # "sugar" before "free" does not count
        ("something nice for my aunt", None),
    ],
)
def test_find_product_type_takes_the_longest_whole_word_match(text, expected):
    assert find_product_type(text) == expected
