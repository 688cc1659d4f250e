"""The one policy interface: exploration, evaluation and the planners all call :meth:`Policy.act_batch`.

A policy maps ``(observation, info, history)`` to one action string; ``act_batch`` does it for many
episodes at once (one per vector sub-env), which an LLM policy turns into one concurrent batch of
requests. ``info`` is the env's info dict (``instruction``, ``admissible_actions``); ``history`` the
episode's past :class:`~arm_gym.trajectory.Step` records; ``rng`` the episode's own generator, so a
random choice does not depend on how episodes were batched or resumed (``None``: the policy's own).
Before acting in an env a policy is :meth:`~Policy.bind`-ed to the env's synthesis adapter, from which it
learns what is env-specific (how to fill ``search[...]``, few-shot examples).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter
from arm_gym.trajectory import split_infos


class Policy(ABC):
    """Chooses one text action per step."""

    name: str = "policy"

    def reset(self, seed: int | None = None) -> None:
        """Start afresh (and reseed, where the policy is random)."""

    def bind(self, adapter: SynthesisAdapter) -> Policy:
        """Learn the env family's hooks before acting in it; returns ``self``. The default keeps nothing."""
        return self

    def with_reflections(self, reflections: Sequence[str]) -> Policy:
        """The policy told what went wrong in earlier attempts (Reflexion); one that cannot read them returns itself."""
        return self

    def greedy(self) -> Policy:
        """The policy's most-likely-action form (the Greedy baseline); a policy without one returns itself."""
        return self

    @abstractmethod
    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        """The action for one episode."""

    def act_batch(
        self,
        observations: Sequence[str],
        infos: Sequence[Mapping[str, Any]] | Mapping[str, Any],
        histories: Sequence[Sequence[Any]] | None = None,
        rngs: Sequence[np.random.Generator | None] | None = None,
    ) -> list[str]:
        """One action per episode; ``infos`` may be a list of dicts or a vector env's batched info dict."""
        n = len(observations)
        infos = split_infos(infos, n)
        histories = histories if histories is not None else [()] * n
        rngs = rngs if rngs is not None else [None] * n
        return [self.act(o, i, h, r) for o, i, h, r in zip(observations, infos, histories, rngs)]


class RandomPolicy(Policy):
    """Uniform choice among ``info["admissible_actions"]``; a template action (``search[...]``) is filled by
    the bound adapter (:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.fill_template`).

    Args:
        seed: seeds the policy's own ``numpy`` Generator (global RNG state is never touched).
        fallback_action: sent when the env lists no admissible action.
    """

    name = "random"

    def __init__(self, seed: int | None = None, fallback_action: str = "look"):
        self.fallback_action = fallback_action
        self.rng = np.random.default_rng(seed)
        self.adapter = SynthesisAdapter()

    def reset(self, seed: int | None = None) -> None:
        """Reseed when ``seed`` is given; otherwise keep drawing from the same stream."""
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def bind(self, adapter: SynthesisAdapter) -> RandomPolicy:
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
        actions = list(info.get("admissible_actions") or ())
        if not actions:
            return self.fallback_action
        action = str(actions[int(rng.integers(len(actions)))])
        return self.adapter.fill_template(action, str(info.get("instruction", "")), rng)


class EpsilonPolicy(Policy):
    """``policy`` with probability ``1 - epsilon``, a uniformly random admissible action otherwise.

    The coin is drawn from the episode's ``rng`` before every step, so a mixture over episodes (e.g. an
    evaluation set spread from expert-like to random) is reproducible per episode.
    """

    def __init__(self, policy: Policy, epsilon: float, *, random: RandomPolicy | None = None):
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be in [0, 1], not {epsilon}")
        self.policy, self.epsilon = policy, epsilon
        self.random = random or RandomPolicy(fallback_action="")
        self.name = f"{policy.name}+eps{epsilon:g}"

    def bind(self, adapter: SynthesisAdapter) -> EpsilonPolicy:
        self.policy.bind(adapter)
        self.random.bind(adapter)
        return self

    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        rng = rng if rng is not None else self.random.rng
        chosen = self.random if rng.random() < self.epsilon else self.policy
        return chosen.act(observation, info, history, rng)
