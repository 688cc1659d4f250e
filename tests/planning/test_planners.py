"""Planners against scorers with a known optimum: each finds it within its budget, on real envs."""

from __future__ import annotations

import numpy as np
import pytest

from arm_gym.data.triplets import Triplet
from arm_gym.envs import make_env
from arm_gym.planning import (
    MCTS,
    CachedScorer,
    EnvReturnScorer,
    best_of_n,
    calibrate_threshold,
    greedy,
    mcts,
    reflexion,
    sampling,
)
from arm_gym.policies import Policy, RandomPolicy
from arm_gym.trajectory import Step, Trajectory

GENERIC = "tests.testing_env:GenericTextEnv"


class FewestSteps:
    """Prefers shorter trajectories (an optimum the planner must find: the shortest the policy can produce)."""

    def score(self, pairs):
        return np.asarray([-len(t.steps) for _, t in pairs], float)


class Junky(Policy):
    """Proposes an inadmissible action half of the time."""

    name = "junky"

    def act(self, observation, info, history=(), rng=None):
        actions = list(info["admissible_actions"])
        return "dance" if rng.random() < 0.5 else actions[int(rng.integers(len(actions)))]


@pytest.fixture
def game24():
    env = make_env("ARM-Game24-v0")
    yield env
    env.close()


def test_best_of_n_finds_a_win_the_oracle_sees(game24):
    options = {"task_id": "1 1 4 6"}  # a random player wins about 1 episode in 100 here
    result = best_of_n(game24, RandomPolicy(), EnvReturnScorer(), 200, seed=0, options=options)
    assert len(result.candidates) == 200 and result.trajectory.won
    assert result.scores[result.chosen] == max(result.scores) and result.env_steps == sum(
        len(t.steps) for t in result.candidates
    )
    one = sampling(game24, RandomPolicy(), seed=0, options=options)
    assert one.trajectory.actions == result.candidates[0].actions  # Sampling is candidate 0 of Best-of-N
    assert greedy(game24, RandomPolicy(), seed=0, options=options).trajectory.actions == one.trajectory.actions


def test_best_of_n_follows_its_scorer_not_the_env():
    env = make_env(GENERIC, max_episode_steps=6)
    result = best_of_n(env, RandomPolicy(), FewestSteps(), 20, seed=1)
    assert len(result.trajectory.steps) == min(len(t.steps) for t in result.candidates) == 1


def test_best_of_n_breaks_ties_at_random_from_the_tasks_seed():
    from arm_gym.planning.search import pick_best

    class Flat:  # a keyword scorer that ties every candidate
        def score(self, pairs):
            return np.zeros(len(pairs))

    env = make_env(GENERIC, max_episode_steps=6)
    picks = [best_of_n(env, RandomPolicy(), Flat(), 8, seed=s).chosen for s in range(12)]
    assert len(set(picks)) > 2  # not always the first candidate
    assert picks == [best_of_n(env, RandomPolicy(), Flat(), 8, seed=s).chosen for s in range(12)]  # reproducible
    rng = np.random.default_rng(0)
    assert pick_best([0.1, 0.9, 0.2], rng) == 1 and pick_best([float("nan"), 0.0], rng) == 1
    assert pick_best([float("nan")] * 3, rng) == 0


def test_mcts_finds_the_win_and_plays_only_admissible_actions():
    env = make_env(GENERIC, max_episode_steps=8)
    result = mcts(env, Junky(), EnvReturnScorer(), iterations=30, seed=0, width=12)
    assert result.trajectory.won and result.trajectory.env_return == 1.0
    for t in result.candidates:
        assert all(s.action in ("good", "bad") for s in t.steps)  # never "dance"


def test_mcts_tree_states_equal_live_replays(game24):
    planner = MCTS(game24, RandomPolicy(), EnvReturnScorer(), iterations=12, width=5)
    result = planner.plan(seed=3, options={"task_id": "1 2 3 4"})
    for t in result.candidates:  # every rollout replays to the same observations and return from a fresh reset
        obs, info = game24.reset(seed=3, options={"task_id": "1 2 3 4"})
        total = 0.0
        for step in t.steps:
            obs, reward, *_ = game24.step(step.action)
            assert obs == step.observation
            total += reward
        assert total == t.env_return
    assert result.extra["root_children"] >= 2 and result.scores[result.chosen] == max(result.scores)


class Learner(Policy):
    """Plays "bad" until it has been told, then "good": reflections must reach it."""

    name = "learner"

    def __init__(self, lessons=()):
        self.lessons = tuple(lessons)

    def with_reflections(self, reflections):
        return Learner(reflections)

    def act(self, observation, info, history=(), rng=None):
        return "good" if self.lessons else "bad"


def test_reflexion_retries_with_the_lesson_and_stops_at_the_threshold():
    env = make_env(GENERIC, max_episode_steps=6)
    lessons = []
    result = reflexion(env, Learner(), EnvReturnScorer(), threshold=0.5, max_trials=5,
                       reflector=lambda t: lessons.append(t.actions) or "say good, not bad", seed=0)
    assert [t.won for t in result.candidates] == [False, True] and result.trajectory.won
    assert lessons == [["bad"]] and result.extra["reflections"] == ["say good, not bad"]


def test_reflexion_returns_the_best_attempt_not_the_last():
    env = make_env(GENERIC, max_episode_steps=6)
    result = reflexion(env, RandomPolicy(), FewestSteps(), threshold=10.0, max_trials=6, seed=2)
    assert len(result.candidates) == 6 and result.scores[result.chosen] == max(result.scores)


def test_calibrated_threshold_separates_validation_pairs():
    def traj(n):
        return Trajectory("E", "t", "do", steps=[Step("a", "o", 0.0)] * n)

    triplets = [Triplet("do", traj(1), traj(k), 1.0, 0.0) for k in (3, 4, 5)]
    cut = calibrate_threshold(FewestSteps(), triplets)
    assert -3 < cut <= -1


def test_cached_scorer_scores_each_trajectory_once():
    scorer = CachedScorer(FewestSteps())
    t = Trajectory("E", "t", "do", steps=[Step("a", "o", 0.0)])
    assert scorer.score([("do", t), ("do", t), ("other", t)]).tolist() == [-1.0, -1.0, -1.0]
    assert scorer.calls == 2 and scorer.score_one(t) == -1.0 and scorer.calls == 2


def test_llm_reflections_reach_the_llm_policy_prompt():
    from arm_gym.llm.base import LLM
    from arm_gym.planning import LLMReflector
    from arm_gym.policies import LLMPolicy

    class Scripted(LLM):
        def __init__(self):
            self.prompts = []

        def complete(self, prompt, **kw):
            self.prompts.append(prompt)
            return ["You pressed bad; say good three times.\nmore"]

        def chat(self, messages, **kw):
            return self.complete(messages[-1]["content"], **kw)

    llm = Scripted()
    failed = Trajectory(GENERIC, "t0", "say good 3 times", steps=[Step("bad", "bad: episode over", 0.0)])
    lesson = LLMReflector(llm)(failed)
    assert lesson == "You pressed bad; say good three times." and "> bad" in llm.prompts[0]
    policy = LLMPolicy(llm, mode="complete").with_reflections([lesson])
    prompt = policy.build_prompt("start", {"instruction": "say good 3 times", "admissible_actions": ["good", "bad"]})
    assert f"Reflection: {lesson}" in prompt and policy.greedy().temperature == 0.0


def test_a_customized_target_shifts_the_choice_within_the_return_margin():
    from arm_gym.envs.synthesis import SynthesisAdapter
    from arm_gym.planning.targets import Target, apply_target

    env = make_env(GENERIC, max_episode_steps=10)
    # a scorer that likes long trajectories: the target's step penalty has to pull against it
    result = best_of_n(env, RandomPolicy(), EnvReturnScorer(), 30, seed=4)
    plain = result.trajectory
    short = apply_target(result, Target({"steps": 5.0}), SynthesisAdapter())
    assert len(short.trajectory.steps) <= len(plain.steps)
    assert len(short.trajectory.steps) == min(len(t.steps) for t in result.candidates)
    mild = apply_target(result, Target({"steps": 0.01}), SynthesisAdapter())
    assert mild.trajectory.env_return == plain.env_return  # a light weight keeps the best return
    with pytest.raises(ValueError, match="unknown target terms"):
        apply_target(result, Target({"price": 1.0}), SynthesisAdapter())


def test_diagnostics_tell_exploration_from_discrimination():
    from arm_gym.planning.diagnostics import diagnose, summarise

    env = make_env(GENERIC, max_episode_steps=6)
    oracle = best_of_n(env, RandomPolicy(), EnvReturnScorer(), 12, seed=0)
    contrary = best_of_n(env, RandomPolicy(), FewestSteps(), 12, seed=0)  # prefers the shortest: a loss
    a, b = diagnose(oracle), diagnose(contrary)
    assert a["distinct_trajectories"] == b["distinct_trajectories"] > 1 and a["return_spread"] == 1.0
    assert a["picked_best"] and not b["picked_best"]
    assert summarise([a, b])["discriminability"] == 0.5
