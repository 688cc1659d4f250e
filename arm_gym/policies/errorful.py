"""A policy that makes mistakes at a stated rate: for evaluation sets with real errors in them.

A reward model is only tested when the trajectories it ranks contain the mistakes it must notice (a wrong
intermediate result, a false claim of success). :class:`ErrorfulPolicy` wraps any policy and, with
probability ``error_rate`` per step, replaces its action with the env family's plausible wrong variant
(:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.corrupt_action`, e.g. ``"4 + 8 = 13"`` in the Game of 24).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter, overrides
from arm_gym.policies.base import Policy


def can_corrupt(adapter: SynthesisAdapter) -> bool:
    """Whether an env family's adapter overrides :meth:`~SynthesisAdapter.corrupt_action` (the default corrupts nothing)."""
    return overrides(adapter, "corrupt_action")


class ErrorfulPolicy(Policy):
    """``policy``'s action, replaced by a wrong variant of it with probability ``error_rate`` per step.

    The coin and the corruption are drawn from the episode's ``rng`` after the wrapped policy acted, so an
    episode is reproducible from its seed; at ``error_rate=0`` nothing is drawn and the episode equals the
    wrapped policy's. Where the bound adapter cannot corrupt an action, the action is kept.

    Example:
        >>> policy = ErrorfulPolicy(LookaheadPolicy(env), 0.3)       # doctest: +SKIP
        >>> play_episode(env, policy, seed=0)                        # doctest: +SKIP
    """

    def __init__(self, policy: Policy, error_rate: float, *, seed: int | None = None):
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError(f"error_rate must be in [0, 1], not {error_rate}")
        self.policy, self.error_rate = policy, float(error_rate)
        self.adapter = SynthesisAdapter()
        self.rng = np.random.default_rng(seed)
        self.name = f"{policy.name}+err{error_rate:g}"

    def reset(self, seed: int | None = None) -> None:
        self.policy.reset(seed)
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def bind(self, adapter: SynthesisAdapter) -> ErrorfulPolicy:
        self.policy.bind(adapter)
        self.adapter = adapter
        return self

    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        rng = rng if rng is not None else self.rng
        action = self.policy.act(observation, info, history, rng)
        if self.error_rate > 0.0 and rng.random() < self.error_rate:
            wrong = self.adapter.corrupt_action(action, info, rng)
            if wrong is not None:
                return wrong
        return action
