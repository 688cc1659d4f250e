from __future__ import annotations

import dataclasses

import gymnasium as gym
import pytest

from arm_gym.envs.webshop import WebShopEnv, expert_actions


def test_scripted_shopper_wins_every_test_goal(shop):
    ids = shop.task_ids("test")
    assert len(ids) == 500
    for goal_id in ids:
        _, info = shop.reset(options={"task_id": goal_id, "split": "test"})
        actions = expert_actions(shop, info["goal"])
        assert len(actions) <= shop.max_steps
        for action in actions:
            _, reward, terminated, _, info = shop.step(action)
            assert info["invalid_action"] is None, (goal_id, action)
        assert terminated and reward == 1.0 and info["won"], (goal_id, info.get("purchase"))


def test_expert_through_wrappers_and_on_other_splits():
    env = gym.make("ARM-WebShop-v0")
    for goal_id in env.unwrapped.task_ids("train")[:20] + list(env.unwrapped.task_ids("dev")[:20]):
        env.reset(options={"task_id": goal_id})
        rewards = [env.step(a)[1] for a in expert_actions(env, env.unwrapped.goal)]
        assert rewards[-1] == 1.0


def test_expert_rejects_unknown_products(shop):
    goal = dataclasses.replace(shop.goal_by_id("test-00000"), asin="B0ZZZZZZZZ")
    with pytest.raises(ValueError, match="not in the catalogue"):
        expert_actions(shop, goal)


def test_expert_does_not_step_the_env(small_shop: WebShopEnv):
    small_shop.reset(options={"task_id": "test-00000"})
    before = small_shop.get_state()
    expert_actions(small_shop, small_shop.goal)
    assert small_shop.get_state() == before
