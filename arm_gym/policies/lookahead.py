"""An env-oracle lookahead policy: it tries actions in a copy of the episode and keeps the best.

It reads the env's own reward through ``get_state``/``set_state``, so it plays far better than random
without any learned model: evaluation uses it (mixed with random actions) to get trajectories whose
returns spread from expert-like to random.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter, get_adapter
from arm_gym.policies.base import Policy


class LookaheadPolicy(Policy):
    """The best of up to ``candidates`` admissible actions, each judged by the mean return of ``rollouts``
    random rollouts of at most ``depth`` steps after it (a template action counts as ``fills`` random
    fillings).

    Args:
        env: the env the policy acts in (its unwrapped text env is branched with ``get_state``/``set_state``).
    """

    name = "lookahead"

    def __init__(self, env: gym.Env, *, candidates: int = 16, rollouts: int = 2, depth: int = 10, fills: int = 4):
        self.env = env.unwrapped
        self.candidates, self.rollouts, self.depth, self.fills = candidates, rollouts, depth, fills
        self.adapter: SynthesisAdapter = get_adapter(self.env)

    def bind(self, adapter: SynthesisAdapter) -> LookaheadPolicy:
        self.adapter = adapter
        return self

    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        rng = rng if rng is not None else np.random.default_rng()
        env, instruction = self.env, getattr(self.env, "instruction", "")
        actions: list[str] = []
        for action in env.admissible_actions():
            filled = [self.adapter.fill_template(action, instruction, rng) for _ in range(self.fills)]
            actions += filled if filled[0] != action else [action]
        if not actions:
            return ""
        if len(actions) > self.candidates:
            actions = [actions[i] for i in rng.choice(len(actions), size=self.candidates, replace=False)]
        state = env.get_state()
        values = []
        for action in actions:
            total = 0.0
            for _ in range(self.rollouts):
                _, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
                if not (terminated or truncated):
                    total += self._random_rollout(rng)
                env.set_state(state)
            values.append(total / self.rollouts)
        best = np.flatnonzero(np.asarray(values) == max(values))
        return actions[int(rng.choice(best))]

    def _random_rollout(self, rng: np.random.Generator) -> float:
        env, total = self.env, 0.0
        for _ in range(self.depth):
            actions = list(env.admissible_actions())
            action = ""
            if actions:
                action = self.adapter.fill_template(actions[int(rng.integers(len(actions)))], env.instruction, rng)
            _, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            if terminated or truncated:
                break
        return total
