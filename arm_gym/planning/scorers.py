"""Scorers judge a whole (instruction, trajectory) pair; planners keep what scores best.

Anything with ``score(pairs) -> np.ndarray`` is a scorer: :class:`arm_gym.reward.model.RewardModel` (ARMAP's
learned reward), :class:`EnvReturnScorer` (the env's own return: the oracle upper bound), and the trivial
baselines of :mod:`arm_gym.reward.baselines`. :class:`CachedScorer` remembers scores per (instruction,
trajectory), since planners revisit the same trajectories.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from arm_gym.trajectory import Trajectory

Pair = tuple[str, Trajectory]


class Scorer(Protocol):
    """Scores (instruction, trajectory) pairs; higher is better."""

    def score(self, pairs: Sequence[Pair]) -> np.ndarray: ...


class EnvReturnScorer:
    """The env's own return (``trajectory.env_return``): what a planner would do if it could see the outcome."""

    name = "env"

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.asarray([float(t.env_return) for _, t in pairs], dtype=float)


class CachedScorer:
    """Wraps a scorer and scores each distinct (instruction, trajectory text) once.

    Args:
        scorer: any object with ``score(pairs)``.
    """

    def __init__(self, scorer: Any):
        self.scorer = scorer
        self.name = getattr(scorer, "name", type(scorer).__name__)
        self._cache: dict[str, float] = {}
        self.calls = 0
        """Pairs actually sent to the wrapped scorer."""

    @staticmethod
    def key(instruction: str, trajectory: Trajectory) -> str:
        steps = [[s.action, s.observation] for s in trajectory.steps]
        return json.dumps([instruction, trajectory.initial_observation, steps], ensure_ascii=False)

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        keys = [self.key(i, t) for i, t in pairs]
        todo = {k: p for k, p in zip(keys, pairs) if k not in self._cache}
        if todo:
            values = np.asarray(self.scorer.score(list(todo.values())), dtype=float)
            self._cache.update(zip(todo, values.tolist()))
            self.calls += len(todo)
        return np.asarray([self._cache[k] for k in keys], dtype=float)

    def score_one(self, trajectory: Trajectory) -> float:
        """The score of one trajectory against its own instruction."""
        return float(self.score([(trajectory.instruction, trajectory)])[0])
