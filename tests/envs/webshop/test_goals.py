from __future__ import annotations

import numpy as np
import pytest

from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.goals import NO_PRICE_BOUND, PRICE_LADDER, GeneratedGoals, price_bound


@pytest.fixture(scope="module")
def goals() -> GeneratedGoals:
    return GeneratedGoals(GeneratedCatalogue(10_000, seed=0))


def test_fixed_splits_with_500_test_goals_on_disjoint_products(goals):
    assert len(goals.ids("test")) == 500 and len(goals.ids("dev")) == 1000 and len(goals.ids("train")) > 5000
    targets = {s: {goals.get(g).asin for g in goals.ids(s)[:300]} for s in goals.splits}
    assert not targets["test"] & targets["dev"] and not targets["test"] & targets["train"]


def test_goals_are_deterministic_and_grounded_in_their_product(goals):
    other = GeneratedGoals(GeneratedCatalogue(10_000, seed=0))
    cat = goals.catalogue
    for gid in goals.ids("test")[:100]:
        goal = goals.get(gid)
        assert goal == other.get(gid)
        product = cat[goal.asin]
        assert goal.product_type == product.product_type and goal.category == product.category
        assert 1 <= len(goal.attributes) <= 2 and set(goal.attributes) <= set(product.attributes)
        assert len(goal.options) <= 2 and all(product.options[g].count(v) == 1 for g, v in goal.options.items())
        assert product.price <= goal.price_upper and goal.product_title == product.title
        assert goal.product_type in goal.instruction and goal.title_nouns == product.title_nouns
        if goal.price_upper < NO_PRICE_BOUND:
            assert goal.instruction.endswith(f", and price lower than {goal.price_upper:.2f} dollars")


def test_instructions_vary(goals):
    openers = {" ".join(goals.get(g).instruction.split()[:2]) for g in goals.ids("train")[:300]}
    assert len(openers) >= 8


def test_goals_read_like_webshops_human_goals(goals):
    sample = [goals.get(g) for g in goals.ids("test")]
    n_opts = [len(g.options) for g in sample]
    assert all(0.1 < n_opts.count(k) / len(sample) < 0.6 for k in (0, 1, 2))
    assert {len(g.attributes) for g in sample} == {1, 2}
    # option values are often written the shopper's way, not as the item page spells them
    with_opts = [g for g in sample if g.options]
    verbatim = sum(all(v in g.instruction for v in g.options.values()) for g in with_opts) / len(with_opts)
    assert verbatim < 0.8
    # most asked-for attributes are not in the target's title (only in its features and description)
    attrs = [(a, goals.catalogue[g.asin]) for g in sample for a in g.attributes]
    assert sum(a in p.title.lower() for a, p in attrs) / len(attrs) < 0.4
    assert all(a in " ".join([*p.features, p.description]).lower() for a, p in attrs)


def test_goals_ask_what_tells_the_target_from_its_look_alikes(goals):
    """Most goals name an attribute or option value that a near duplicate of the target lacks, so the
    first look-alike a search lists is often a near miss worth partial credit."""
    cat = goals.catalogue
    telling = 0
    sample = goals.ids("test")[:200]
    for gid in sample:
        goal = goals.get(gid)
        rivals = goals.rivals(cat.index(goal.asin))
        assert all(cat[r.asin].product_type == goal.product_type for r in rivals)
        assert all((r.attributes, r.options) == (cat[r.asin].attributes, cat[r.asin].options) for r in rivals[:2])
        telling += any(a not in r.attributes for r in rivals for a in goal.attributes) or any(
            v not in r.options.get(g, ()) for r in rivals for g, v in goal.options.items())
    assert telling / len(sample) > 0.6


def test_attributes_are_often_in_the_shoppers_own_words(goals):
    from arm_gym.envs.webshop.shopper_words import ATTRIBUTE_PARAPHRASES

    attrs = [(a, g.instruction) for g in map(goals.get, goals.ids("test")) for a in g.attributes]
    own = sum(a in ATTRIBUTE_PARAPHRASES and a not in text and a.replace(" ", "-") not in text for a, text in attrs)
    assert 0.3 < own / len(attrs) < 0.8


def test_phrasing_writes_values_as_shoppers_do():
    from arm_gym.envs.webshop.phrasing import attribute_forms, value_forms

    assert "a 12-pack" in value_forms("size", "pack of 12") and "xl" in value_forms("size", "x-large")
    assert "navy" in value_forms("color", "navy blue") and "32x30" in value_forms("size", "32w x 30l")
    assert "8 oz" in value_forms("size", "8 fl oz (pack of 1)") and "5x7" in value_forms("size", "5 x 7 ft")
    pre, post = attribute_forms("sulfate free")
    assert "sulfate-free" in pre and "without sulfate" in post


def test_unknown_goal_ids_raise_key_error(goals):
    for bad in ["test-99999", "nope", "test-", "test-abc", "valid-00001"]:
        with pytest.raises(KeyError):
            goals.get(bad)
        assert bad not in goals


@pytest.mark.parametrize("price", [0.5, 9.99, 10.0, 55.5, 955.0, 975.0, 2000.0])
def test_price_bound_follows_webshops_ladder(price):
    above = [p for p in PRICE_LADDER if p > price][:4]
    bounds = {price_bound(price, np.random.default_rng(s)) for s in range(200)}
    if len(above) < 2:
        assert bounds == {NO_PRICE_BOUND}
    else:
        assert bounds == set(above[1:])  # the larger of two distinct draws from the first four


def test_small_catalogues_keep_all_splits():
    small = GeneratedGoals(GeneratedCatalogue(20, seed=1))
    assert all(len(small.ids(s)) >= 1 for s in small.splits)
