"""Snapshots of running TextWorld games restored in place (``TextWorldEnv.get_state``/``set_state``)."""

from __future__ import annotations

import gymnasium as gym
import pytest

import arm_gym  # noqa: F401
from arm_gym.envs.textworld import state as textworld_state
from arm_gym.envs.textworld.env import TextWorldState
from tests.envs.textworld_games_used import TEXTWORLD_GAMES, play

GAMES = TEXTWORLD_GAMES


@pytest.fixture(scope="module")
def cache(textworld_cache):
    return textworld_cache


@pytest.fixture(scope="module")
def env(cache):
    env = gym.make("ARM-TextWorld-v0", cache_dir=cache)
    yield env
    env.close()


def test_get_state_restores_in_place_and_stays_reusable(env):
    env.reset(options={"task_id": GAMES["tw-cooking"]})
    unwrapped = env.unwrapped
    walkthrough = unwrapped.walkthrough
    play(env, walkthrough[:3])
    state = unwrapped.get_state()
    assert isinstance(state, TextWorldState) and state.snap[0] == "inplace"
    snapshot = (unwrapped.last_observation, list(unwrapped.admissible_actions()), unwrapped.score)
    first, reference = play(env, walkthrough[3:])
    env.step("look")  # a finished game
    for branch in ([], ["take red potato from counter", "eat red potato"], ["drop banana", "take banana", "inventory"]):
        unwrapped.set_state(state)
        play(env, branch)  # wander off (or lose), then come back: the snapshot is reusable
        unwrapped.set_state(state)
        assert (unwrapped.last_observation, list(unwrapped.admissible_actions()), unwrapped.score) == snapshot
        assert unwrapped.actions_taken == list(walkthrough[:3])
        total, steps = play(env, walkthrough[3:])
        assert [s[:4] for s in steps] == [s[:4] for s in reference]
        assert [s[4]["admissible_actions"] for s in steps] == [s[4]["admissible_actions"] for s in reference]
        assert total == pytest.approx(first) and steps[-1][4]["won"]
    assert unwrapped._returned == pytest.approx(1.0)


def test_set_state_across_games(env):
    env.reset(options={"task_id": GAMES["tw-coin_collector"]})
    unwrapped = env.unwrapped
    env.step(unwrapped.walkthrough[0])
    state = unwrapped.get_state()
    env.reset(options={"task_id": GAMES["custom"]})  # another game file runs now
    unwrapped.set_state(state)
    assert unwrapped.task_id == GAMES["tw-coin_collector"]
    total, steps = play(env, unwrapped.walkthrough[1:])
    assert steps[-1][4]["won"] and total == pytest.approx(1.0)


def test_snapshot_copy_fallback_restores(env):
    env.reset(options={"task_id": GAMES["tw-treasure_hunter"]})
    unwrapped = env.unwrapped
    with textworld_state.quiet_jericho():
        snap = ("copy", unwrapped._game.copy())  # what snapshot() takes for a game that is not Jericho-backed
    env.step("look")
    unwrapped._game = textworld_state.restore(unwrapped._game, snap)
    total, steps = play(env, unwrapped.walkthrough)
    assert steps[-1][4]["won"] and total == pytest.approx(1.0)
