"""ARM-Game24-v0: rules, splits, the solver against every test puzzle, bad input."""

from __future__ import annotations

import csv
from fractions import Fraction

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import example, given, settings
from hypothesis import strategies as st

import arm_gym
from arm_gym.envs.game24.env import Game24Env, Game24State, evaluate_expression
from arm_gym.envs.game24.puzzles import solve
from tests.shared_data import GAME24_CSV


@pytest.fixture
def env():
    env = gym.make("ARM-Game24-v0")
    yield env
    env.close()


def test_splits_are_fixed_and_disjoint():
    env = Game24Env()
    train, test = env.task_ids("train"), env.task_ids("test")
    assert len(train) == 1262 and len(test) == 100
    assert not set(train) & set(test)
    assert test == Game24Env().task_ids("test")


def test_tot_csv_order_and_test_rows():
    env = Game24Env(puzzles_path=GAME24_CSV)
    with GAME24_CSV.open() as fh:
        rows = list(csv.DictReader(fh))
    expected = [" ".join(sorted(r["Puzzles"].split(), key=int)) for r in rows[900:1000]]
    assert list(env.task_ids("test")) == expected
    assert len(env.task_ids("train")) == 1262


def test_every_test_puzzle_is_won_by_following_the_solver(env):
    for task_id in env.unwrapped.task_ids("test"):
        obs, info = env.reset(options={"task_id": task_id})
        steps = solve([int(x) for x in task_id.split()])
        assert steps is not None and len(steps) == 3
        total = 0.0
        for action in steps:
            assert action in info["admissible_actions"]
            obs, reward, terminated, truncated, info = env.step(action)
            total += reward
        assert terminated and info["won"] and total == 1.0 and info["env_reward"] == 1.0


def test_wrong_final_step_ends_with_reward_zero(env):
    env.reset(options={"task_id": "4 8 8 10"})
    env.step("4 + 8 = 12")
    env.step("10 - 8 = 2")
    obs, reward, terminated, _, info = env.step("12 + 2 = 14")
    assert terminated and reward == 0.0 and not info["won"]
    assert obs == "12 + 2 = 14 (left: 14). The game is over."  # outcome-blind by default
    assert info["admissible_actions"] == []


@pytest.mark.parametrize("check_arithmetic", [True, False])
def test_reveal_outcome_states_solved_or_failed(check_arithmetic):
    env = Game24Env(check_arithmetic=check_arithmetic, reveal_outcome=True)
    endings = {}
    for name, last in [("won", "12 * 2 = 24"), ("lost", "12 + 2 = 14")]:
        env.reset(options={"task_id": "4 8 8 10"})
        env.step("4 + 8 = 12")
        env.step("10 - 8 = 2")
        obs, reward, terminated, _, info = env.step(last)
        assert terminated and info["won"] == (name == "won") and reward == float(name == "won")
        endings[name] = obs
    assert endings["won"] == "12 * 2 = 24 (left: 24). You reached 24 and solved the puzzle."
    assert endings["lost"] == "12 + 2 = 14 (left: 14). The result is 14, not 24: the puzzle is failed."
    if not check_arithmetic:  # a false claim of 24 is failed too, and said so
        env.reset(options={"task_id": "4 8 8 10"})
        for action in ["4 + 8 = 12", "10 - 8 = 3"]:
            env.step(action)
        obs, reward, _, _, info = env.step("12 * 3 = 24")
        assert obs.endswith("A step's arithmetic was wrong: the puzzle is failed.") and not info["won"]


def test_one_shot_answer(env):
    env.reset(options={"task_id": "4 8 8 10"})
    obs, reward, terminated, _, info = env.step("Answer: (4 + 8) * (10 - 8) = 24")
    assert reward == 1.0 and terminated and info["won"]
    env.reset(options={"task_id": "4 8 8 10"})
    assert env.step("answer: 4 + 8 + 8 + 10")[1:3] == (0.0, True)
    env.reset(options={"task_id": "4 8 8 10"})
    obs, reward, terminated, *_ = env.step("answer: (4 + 8) * 2")
    assert not terminated and "exactly once" in obs


@pytest.mark.parametrize(
    "action, message",
    [
        ("4 + 8 = 13", "4 + 8 is 12, not 13"),
        ("5 + 8 = 13", "5 is not among"),
        ("8 / 0 = 0", "0 is not among"),
        ("answer: 4 / (8 - 8) * 10", "divides by zero"),
        ("", "is not a step"),
        ("answer: __import__('os')", "only numbers"),
    ],
)
def test_invalid_actions_explain_and_continue(env, action, message):
    env.reset(options={"task_id": "4 8 8 10"})
    obs, reward, terminated, truncated, info = env.step(action)
    assert message in obs and reward == 0.0 and not terminated
    assert info["admissible_actions"]


def test_exact_fractions(env):
    env.reset(options={"task_id": "3 3 8 8"})
    for action in ["8 / 3 = 8/3", "3 - 8/3 = 1/3", "8 / 1/3 = 24"]:
        obs, reward, terminated, *_ = env.step(action)
    assert reward == 1.0 and terminated
    assert evaluate_expression("8 / (3 - 8 / 3)")[0] == Fraction(24)


def test_unchecked_arithmetic_takes_stated_results_and_hides_the_outcome():
    env = gym.make("ARM-Game24-v0", check_arithmetic=False)
    check_env(env.unwrapped, skip_render_check=True)
    env.reset(options={"task_id": "4 6 8 8"})
    assert env.step("8 - 8 = 1")[0] == "8 - 8 = 1 (left: 1 4 6)"  # wrong, and taken at face value
    snapshot = env.unwrapped.get_state()
    assert snapshot.wrong_steps == 1
    env.step("4 + 6 = 10")
    obs, reward, terminated, _, info = env.step("10 + 1 = 24")
    assert obs == "10 + 1 = 24 (left: 24). The game is over." and reward == 0.0 and terminated and not info["won"]
    env.unwrapped.set_state(snapshot)
    assert env.unwrapped.wrong_steps == 1 and env.unwrapped.numbers == (1, 4, 6)
    env.reset(options={"task_id": "4 6 8 8"})
    for action in solve([4, 6, 8, 8]):
        obs, reward, terminated, _, info = env.step(action)
    assert obs.endswith("(left: 24). The game is over.") and reward == 1.0 and info["won"]
    assert env.step("junk")[0] == "The game is over; reset to play again."
    env.reset(options={"task_id": "4 6 8 8"})
    assert "Invalid action" in env.step("5 + 6 = 11")[0]  # numbers not left are still refused


def test_seeded_reset_is_deterministic():
    a, b = gym.make("ARM-Game24-v0"), gym.make("ARM-Game24-v0")
    assert [a.reset(seed=s)[0] for s in range(20)] == [b.reset(seed=s)[0] for s in range(20)]
    assert len({a.reset(seed=s)[0] for s in range(20)}) > 10


def test_state_snapshot_branches(env):
    env.reset(options={"task_id": "4 8 8 10"})
    env.step("4 + 8 = 12")
    state = env.unwrapped.get_state()
    assert isinstance(state, Game24State)
    env.step("12 * 8 = 96")
    env.unwrapped.set_state(state)
    obs, reward, *_ = env.step("10 - 8 = 2")
    assert obs == "10 - 8 = 2 (left: 2 12)"


def test_replay_fallback_state_also_works(env):
    env.reset(seed=1)
    first = env.unwrapped.admissible_actions()[0]
    env.step(first)
    state = arm_gym.TextEnv.get_state(env.unwrapped)
    env.step(env.unwrapped.admissible_actions()[0])
    env.unwrapped.set_state(state)
    assert env.unwrapped.actions_taken == [first]


def test_unknown_task_id_is_a_clear_error(env):
    with pytest.raises(ValueError, match="unknown task_id"):
        env.reset(options={"task_id": "four eight"})


@settings(max_examples=200, deadline=None)
@example(action="ANSWER:1E400")  # a float literal that overflows to inf (found by hypothesis in CI)
@example(action="answer: 1e400 - 1e400")
@given(action=st.one_of(st.text(max_size=300), st.from_regex(r"answer: [-+*/() 0-9.e]{0,40}", fullmatch=True)))
def test_arbitrary_strings_never_raise(action):
    env = Game24Env()
    env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)
    assert isinstance(obs, str) and reward in (0.0, 1.0)
    assert env.observation_space.contains(obs)


def test_huge_action_never_raises(env):
    env.reset(seed=0)
    for action in ["9" * 10_000, "answer: " + "(" * 5000 + "1" + ")" * 5000, "answer: " + "1+" * 5000 + "1"]:
        obs, reward, *_ = env.step(action)
        assert reward == 0.0 and "Invalid action" in obs
