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
        assert 1 <= len(goal.attributes) <= 3 and set(goal.attributes) <= set(product.attributes)
        assert all(product.options[g].count(v) == 1 for g, v in goal.options.items())
        assert product.price <= goal.price_upper
        assert goal.product_type in goal.instruction
        assert all(v in goal.instruction for v in goal.options.values())
        if goal.price_upper < NO_PRICE_BOUND:
            assert goal.instruction.endswith(f", and price lower than {goal.price_upper:.2f} dollars")


def test_instructions_vary(goals):
    openers = {" ".join(goals.get(g).instruction.split()[:2]) for g in goals.ids("train")[:300]}
    assert len(openers) >= 8


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
