"""Policies: one interface (:class:`Policy`: ``act`` / ``act_batch``) for exploration, evaluation and planners.

:class:`RandomPolicy` (uniform over admissible actions), :class:`EpsilonPolicy` (a policy mixed with
random actions), :class:`LookaheadPolicy` (branches the env with its own reward; for evaluation sets) and
:class:`LLMPolicy` (ReAct over any LLM backend).
"""

from __future__ import annotations

from arm_gym.policies.base import EpsilonPolicy, Policy, RandomPolicy
from arm_gym.policies.llm import LLMPolicy, match_action
from arm_gym.policies.lookahead import LookaheadPolicy

__all__ = ["EpsilonPolicy", "LLMPolicy", "LookaheadPolicy", "Policy", "RandomPolicy", "match_action"]
