"""WebShop's expert path and product negatives, replayed in the env and scored by WebShop's reward."""

from __future__ import annotations

import numpy as np
import pytest

from arm_gym.data.negatives import check_triplet, env_negatives
from arm_gym.envs import make_env
from arm_gym.envs.synthesis import Intent, get_adapter, replay_actions
from arm_gym.envs.webshop import score_purchase


def expert_positive(intent: Intent, env) -> list[str] | None:
    return get_adapter(env).expert_actions(env, intent)


@pytest.fixture(scope="module")
def webshop():
    env = make_env("ARM-WebShop-v0")
    yield env
    env.close()


def test_webshop_expert_and_product_negatives(webshop):
    shop = webshop.unwrapped
    rng = np.random.default_rng(0)
    seen = set()
    for k in range(12):
        task_id = shop.task_ids("train")[k]
        goal = shop.goal_by_id(task_id)
        intent = Intent(goal.instruction, "ARM-WebShop-v0", task_id, {"task_id": task_id}, seed=k, kind="original")
        good = expert_positive(intent, webshop)
        positive = replay_actions(webshop, intent, good)
        assert positive.env_return == 1.0
        for cand in env_negatives(webshop, intent, good, [], rng, max_negatives=8):
            seen.add(cand.kind)
            negative = replay_actions(webshop, intent, cand.actions, keep_info=True)
            purchase = negative.meta["final_info"].get("purchase")
            if cand.kind == "stop_short":
                assert purchase is None and negative.env_return == 0.0
                continue
            if cand.kind not in ("near_miss", "over_price", "wrong_option", "wrong_type"):
                continue
            product = shop.catalogue[purchase["asin"]]
            # the env's reward is WebShop's score of what the negative bought under the goal
            scores = score_purchase(goal, product, purchase["options"])
            assert negative.env_return == pytest.approx(scores["reward"])
            if cand.kind == "over_price":
                assert product.price > goal.price_upper and product.asin != goal.asin
            elif cand.kind == "near_miss":
                assert product.asin != goal.asin and product.price <= goal.price_upper
            elif cand.kind == "wrong_type":  # another type sharing the goal's attributes, within the bound
                assert product.product_type != goal.product_type and product.price <= goal.price_upper
            else:  # an option value the reward's fuzzy match does not take for the goal's
                assert product.asin == goal.asin and purchase["options"] != goal.options
                assert scores["num_option_matches"] < len(goal.options)
            result = check_triplet(webshop, intent, positive, cand.actions)
            assert result.passed == (negative.env_return < 1.0)
    assert {"near_miss", "over_price", "wrong_option", "wrong_type", "stop_short"} <= seen
