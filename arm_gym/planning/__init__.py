"""Planners that steer a policy (:mod:`arm_gym.policies`) with a scorer, as ARMAP does with its learned reward.

:func:`sampling` and :func:`greedy` (baselines), :func:`best_of_n` (ARMAP-B), :func:`reflexion` (ARMAP-R) and
:func:`mcts` (ARMAP-M) work on any text env that offers ``get_state``/``set_state`` (every arm_gym env), with any
policy and any scorer (``score(pairs)``: the reward model, :class:`EnvReturnScorer` as the oracle, a baseline).
"""

from __future__ import annotations

from arm_gym.planning.mcts import MCTS, mcts
from arm_gym.planning.reflexion import LLMReflector, calibrate_threshold, reflexion
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer, EnvReturnScorer
from arm_gym.planning.search import best_of_n, greedy, sampling

__all__ = [
    "MCTS",
    "CachedScorer",
    "EnvReturnScorer",
    "LLMReflector",
    "PlanResult",
    "best_of_n",
    "calibrate_threshold",
    "greedy",
    "mcts",
    "reflexion",
    "sampling",
]
