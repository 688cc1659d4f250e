"""Policies: one interface (:class:`Policy`: ``act`` / ``act_batch``) for exploration, evaluation and planners.

:class:`RandomPolicy` (uniform over admissible actions), :class:`EpsilonPolicy` (a policy mixed with
random actions), :class:`LookaheadPolicy` (branches the env with its own reward; for evaluation sets),
:class:`LLMPolicy` (ReAct over any LLM backend), :class:`ErrorfulPolicy` (a policy that makes the env family's
mistakes at a stated rate; for evaluation sets) and :class:`ExpertPrefixPolicy` (the start of the env family's
expert path, then another policy; for evaluation sets with wins, partial returns and losses).
"""

from __future__ import annotations

from arm_gym.policies.base import EpsilonPolicy, Policy, RandomPolicy
from arm_gym.policies.errorful import ErrorfulPolicy, can_corrupt
from arm_gym.policies.expert_prefix import ExpertPrefixPolicy
from arm_gym.policies.llm import LLMPolicy, match_action
from arm_gym.policies.lookahead import LookaheadPolicy

__all__ = [
    "EpsilonPolicy",
    "ErrorfulPolicy",
    "ExpertPrefixPolicy",
    "LLMPolicy",
    "LookaheadPolicy",
    "Policy",
    "RandomPolicy",
    "can_corrupt",
    "match_action",
]
