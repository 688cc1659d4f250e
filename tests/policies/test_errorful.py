from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import arm_gym  # noqa: F401  (registers the ids)
from arm_gym.data.rollout import play_episode
from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import apply
from arm_gym.envs.game24.synthesis import is_last_step
from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter
from arm_gym.policies import ErrorfulPolicy, LookaheadPolicy, Policy, can_corrupt
from tests.testing_env import GenericTextEnv


class FirstAction(Policy):
    name = "first"

    def act(self, observation: str, info: Mapping[str, Any], history: Sequence[Any] = (), rng=None) -> str:
        return str(info["admissible_actions"][0])


def game24(**kwargs):
    return gym.make("ARM-Game24-v0", check_arithmetic=False, **kwargs)


def wrong(action: str) -> bool:
    a, op, b, c = parse_step(action)
    return apply(a, op, b) != c


def test_mistakes_come_at_the_stated_rate():
    env = game24()
    _, info = env.reset(options={"task_id": "4 8 8 10"})
    rng = np.random.default_rng(0)
    policy = ErrorfulPolicy(FirstAction(), 0.3).bind(get_adapter(env))
    actions = [policy.act("", info, (), rng) for _ in range(4000)]
    rate = np.mean([a != info["admissible_actions"][0] for a in actions])
    assert rate == pytest.approx(0.3, abs=0.03)
    assert all(wrong(a) for a in actions if a != info["admissible_actions"][0])
    always = ErrorfulPolicy(FirstAction(), 1.0).bind(get_adapter(env))
    assert all(wrong(always.act("", info, (), rng)) for _ in range(50))


def test_rate_zero_is_the_wrapped_policy_and_episodes_are_deterministic():
    env = game24()
    plain = play_episode(env, LookaheadPolicy(env), seed=3, options={"task_id": "4 8 8 10"})
    zero = play_episode(env, ErrorfulPolicy(LookaheadPolicy(env), 0.0), seed=3, options={"task_id": "4 8 8 10"})
    assert zero.actions == plain.actions
    runs = [play_episode(env, ErrorfulPolicy(LookaheadPolicy(env), 0.5), seed=s, options={"task_id": "4 8 8 10"})
            for s in (5, 5)]
    assert runs[0].actions == runs[1].actions
    assert runs[0].meta["policy"] == "lookahead+err0.5"


def test_game24_mistakes_are_real_and_scored_zero():
    env = game24()
    _, info = env.reset(options={"task_id": "4 8 8 10"})
    adapter, rng = get_adapter(env), np.random.default_rng(1)
    assert can_corrupt(adapter) and not can_corrupt(SynthesisAdapter())
    assert not is_last_step(info)
    for _ in range(30):  # an intermediate step: a wrong stated result, never a claim of the true one
        assert wrong(adapter.corrupt_action("4 + 8 = 12", info, rng))
    assert adapter.corrupt_action("answer: (4 + 8) * (10 - 8)", info, rng) is None
    assert adapter.corrupt_action("junk", info, rng) is None
    env.step("10 - 8 = 2")
    *_, info = env.step("4 + 8 = 12")  # two numbers left: 2 12
    assert is_last_step(info)
    for action in ("2 * 12 = 24", "2 + 12 = 14"):  # the last step: a false claim of 24 either way
        claim = adapter.corrupt_action(action, info, rng)
        a, op, b, c = parse_step(claim)
        assert c == 24 and apply(a, op, b) != Fraction(24)
    obs, reward, terminated, _, info = env.step(adapter.corrupt_action("2 * 12 = 24", info, rng))
    assert terminated and reward == 0.0 and not info["won"] and "(left: 24)" in obs


def test_a_family_that_cannot_corrupt_keeps_its_actions():
    env = GenericTextEnv()
    policy = ErrorfulPolicy(FirstAction(), 1.0)
    traj = play_episode(env, policy, seed=0, options={"task_id": "t0"})
    assert traj.actions == ["good"] * 3 and traj.won


def test_error_rate_is_checked():
    with pytest.raises(ValueError, match="error_rate"):
        ErrorfulPolicy(FirstAction(), 1.5)
