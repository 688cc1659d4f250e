"""Sampling, Greedy and Best-of-N (ARMAP-B): whole trajectories from a policy, the best kept by a scorer."""

from __future__ import annotations

import time
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.data.rollout import play_episode
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer
from arm_gym.policies.base import Policy
from arm_gym.trajectory import POLICY_STREAM, Trajectory


PLANNERS_VERSION = 2
"""Part of every plan key: bumped when a planner picks differently from the same candidates (2: Best-of-N breaks
ties at random instead of taking the first), so a rerun plans anew instead of reusing answers picked the old way."""


def candidate_rng(seed: int | None, index: int) -> np.random.Generator:
    """The policy generator of candidate ``index`` of the task reset with ``seed`` (distinct per candidate)."""
    return np.random.default_rng([0 if seed is None else seed, POLICY_STREAM, index])


def pick_best(scores: list[float], rng: np.random.Generator) -> int:
    """The index of the highest score (NaN never wins), one of the tied ones drawn with ``rng``."""
    values = np.asarray(scores, dtype=float)
    if np.isnan(values).all():
        return 0
    top = np.flatnonzero(values == np.nanmax(values))
    return int(top[0]) if len(top) == 1 else int(rng.choice(top))


def _one(env: gym.Env, policy: Policy, seed: int | None, options: dict[str, Any] | None, name: str) -> PlanResult:
    start = time.perf_counter()
    trajectory = play_episode(env, policy, seed=seed, options=options, rng=candidate_rng(seed, 0))
    trajectory.meta["planner"] = name
    return PlanResult(trajectory, [trajectory], [float("nan")], 0, len(trajectory.steps), time.perf_counter() - start)


def sampling(env: gym.Env, policy: Policy, *, seed: int | None = None, options: dict[str, Any] | None = None) -> PlanResult:
    """One trajectory sampled from ``policy`` (no scorer): the baseline every planner is compared with."""
    return _one(env, policy, seed, options, "sampling")


def greedy(env: gym.Env, policy: Policy, *, seed: int | None = None, options: dict[str, Any] | None = None) -> PlanResult:
    """One trajectory from the policy's greedy form (:meth:`~arm_gym.policies.Policy.greedy`: temperature 0 for an
    LLM; a random policy has none, so Greedy equals Sampling for it)."""
    return _one(env, policy.greedy(), seed, options, "greedy")


def best_of_n(
    env: gym.Env,
    policy: Policy,
    scorer: Any,
    n: int,
    *,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
) -> PlanResult:
    """ARMAP-B: ``n`` complete trajectories of the task, each with its own policy generator; the one the scorer
    rates highest is the answer. Ties are broken at random from the task's seed (:func:`pick_best`), so a scorer
    that ties many candidates (a keyword such as "bought anything") gets a fair pick among them, not whichever the
    policy happened to play first. ARMAP uses n = 10 on WebShop and ScienceWorld, 100 on Game of 24."""
    if n < 1:
        raise ValueError(f"n must be >= 1, not {n}")
    scorer = scorer if isinstance(scorer, CachedScorer) else CachedScorer(scorer)
    start = time.perf_counter()
    candidates: list[Trajectory] = [
        play_episode(env, policy, seed=seed, options=options, rng=candidate_rng(seed, i)) for i in range(n)
    ]
    scores = scorer.score([(t.instruction, t) for t in candidates]).tolist()
    chosen = pick_best(scores, candidate_rng(seed, n))  # stream n: no candidate's
    best = candidates[chosen]
    best.meta["planner"] = "best_of_n"
    steps = sum(len(t.steps) for t in candidates)
    return PlanResult(best, candidates, scores, chosen, steps, time.perf_counter() - start, {"n": n})
