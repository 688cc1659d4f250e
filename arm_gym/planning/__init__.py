"""Policies and planners: random and LLM policies now; best-of-N, Reflexion and MCTS planners build on them."""

from __future__ import annotations

from arm_gym.planning.policies import LLMPolicy, Policy, RandomPolicy, match_action, split_infos

__all__ = ["LLMPolicy", "Policy", "RandomPolicy", "match_action", "split_infos"]
