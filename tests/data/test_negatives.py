"""Negative synthesis and the environment check, on Game of 24 and the generic test env."""

from __future__ import annotations

import numpy as np
import pytest

from arm_gym.trajectory import Step, Trajectory
from arm_gym.data.negatives import (
    LLMNegativeProposer,
    build_negative_prompt,
    check_triplet,
    deviate,
    env_negatives,
    explored,
    parse_action_lines,
    stop_short,
)
from arm_gym.envs import make_env
from arm_gym.envs.synthesis import Candidate, Intent, get_adapter, replay_actions
from arm_gym.llm.base import LLM

GENERIC = "tests.testing_env:GenericTextEnv"
PUZZLE = "4 6 8 8"


@pytest.fixture(scope="module")
def game24():
    env = make_env("ARM-Game24-v0")
    yield env
    env.close()


def original_intent(trajectory: Trajectory) -> Intent:
    return get_adapter(trajectory.env_id).original_intent(trajectory)


def expert_positive(intent: Intent, env) -> list[str] | None:
    return get_adapter(env).expert_actions(env, intent)


def puzzle_intent(task_id: str = PUZZLE) -> Intent:
    return original_intent(Trajectory("ARM-Game24-v0", task_id, "reach 24", seed=3))


class ScriptedLLM(LLM):
    """Replies from a script, and records prompts (prompt handling only; the real server is tested elsewhere)."""

    def __init__(self, replies, fail=False):
        self.replies, self.fail, self.prompts = list(replies), fail, []

    def chat(self, messages, **kw):
        return self.complete(messages[-1]["content"], **kw)

    def complete(self, prompt, *, n=1, **kw):
        if self.fail:
            raise TimeoutError("server did not answer")
        self.prompts.append(prompt)
        return [self.replies.pop(0) for _ in range(n)]


def test_expert_positive_wins_and_replay_measures_it(game24):
    intent = puzzle_intent()
    actions = expert_positive(intent, game24.unwrapped)
    trajectory = replay_actions(game24, intent, actions)
    assert trajectory.won and trajectory.env_return == 1.0 and trajectory.actions == actions
    assert trajectory.instruction == intent.text and trajectory.initial_observation == f"Numbers left: {PUZZLE}"
    assert expert_positive(puzzle_intent("1 1 1 1"), game24.unwrapped) is None  # no solution exists


def test_check_keeps_real_negatives_and_drops_fake_ones(game24):
    intent = puzzle_intent()
    good = expert_positive(intent, game24.unwrapped)
    short = stop_short(good)[0]
    assert short.kind == "stop_short" and short.actions == good[:-1]
    result = check_triplet(game24, intent, good, short.actions)
    assert result.passed and result.positive.env_return == 1.0 and result.negative.env_return == 0.0
    # a "negative" that also reaches 24 (another winning path) fails the check
    other_win = ["8 / 8 = 1", "4 * 6 = 24", "1 * 24 = 24"]
    assert replay_actions(game24, intent, other_win).won
    failed = check_triplet(game24, intent, good, other_win)
    assert not failed.passed and "<=" in failed.reason
    assert not check_triplet(game24, intent, good, good).passed  # same actions


def test_deviate_changes_the_last_step_into_a_miss(game24):
    intent = puzzle_intent()
    good = expert_positive(intent, game24.unwrapped)
    rng = np.random.default_rng(0)
    misses = 0
    for _ in range(10):
        (cand,) = deviate(game24, intent, good, rng)
        assert cand.kind == "miss_24" and cand.actions[:-1] == good[:-1] and cand.actions[-1] != good[-1]
        misses += not replay_actions(game24, intent, cand.actions).won
    assert misses >= 8


def test_explored_pool_and_env_negatives_are_distinct(game24):
    intent = puzzle_intent()
    good = expert_positive(intent, game24.unwrapped)
    pool = [
        Trajectory("ARM-Game24-v0", PUZZLE, "", steps=[Step("4 + 6 = 10", "", 0.0)]),
        Trajectory("ARM-Game24-v0", PUZZLE, "", steps=[Step(a, "", 0) for a in good]),
    ]
    cands = explored(pool, good, np.random.default_rng(0), limit=5)
    assert [c.actions for c in cands] == [["4 + 6 = 10"]]  # the copy of the positive is not a negative
    negs = env_negatives(game24, intent, good, pool, np.random.default_rng(1), max_negatives=4)
    assert [c.kind for c in negs] == ["dead_end", "stop_short", "miss_24", "explored"]  # the env's kinds first
    assert len({tuple(c.actions) for c in negs}) == 4 and all(c.actions != good for c in negs)
    assert len(env_negatives(game24, intent, good, pool, np.random.default_rng(1), max_negatives=1)) == 1


def test_generic_env_negatives_without_expert():
    env = make_env(GENERIC)
    intent = original_intent(Trajectory(GENERIC, "t0", "say good", seed=0))
    assert expert_positive(intent, env.unwrapped) is None
    negs = env_negatives(env, intent, ["good"] * 3, [], np.random.default_rng(0))
    kinds = {c.kind: c.actions for c in negs}
    assert kinds["stop_short"] == ["good", "good"] and kinds["deviate"][:3] == ["good", "good", "bad"]
    assert all(check_triplet(env, intent, ["good"] * 3, c.actions).passed for c in negs)


def test_parse_action_lines():
    assert parse_action_lines("search[x]\nclick[b1]\n\nTask: next") == ["search[x]", "click[b1]"]
    assert parse_action_lines("\n  Action: 4 + 4 = 8\nAction: 8 * 3 = 24\nSuccessful:\nfoo") == [
        "4 + 4 = 8",
        "8 * 3 = 24",
    ]
    assert parse_action_lines("") == []
    assert len(parse_action_lines("a\n" * 100)) == 30


def test_llm_negatives_prompt_and_check(game24):
    intent = puzzle_intent()
    good = expert_positive(intent, game24.unwrapped)
    positive = replay_actions(game24, intent, good)
    prompt = build_negative_prompt(intent, positive)
    assert prompt.endswith("Near-miss:\n") and good[0] in prompt and intent.text in prompt
    llm = ScriptedLLM(["4 + 6 = 10\n8 + 8 = 16\n10 + 16 = 26\n\n", "junk that is not a step"])
    proposer = LLMNegativeProposer(llm, n=2)
    (cands,) = proposer.propose([(intent, positive)])
    assert [c.kind for c in cands] == ["llm", "llm"]
    assert check_triplet(game24, intent, good, cands[0].actions).passed
    assert check_triplet(game24, intent, good, cands[1].actions).passed  # an invalid action scores 0 too
    assert llm.prompts == [prompt]
    assert LLMNegativeProposer(ScriptedLLM([], fail=True)).propose([(intent, positive)]) == [[]]
    with pytest.raises(ValueError):
        LLMNegativeProposer(llm, mode="shout")


def test_candidate_defaults():
    assert Candidate("x", ["a"]).note == ""
