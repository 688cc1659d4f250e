"""A policy that plays the start of the env's expert path, then hands over: for evaluation sets with wins,
partial returns and losses.

An evaluation set only tests a reward model's ranking when its returns spread from losses through partial
progress to wins. Where no cheap policy wins (ScienceWorld: random actions and a small lookahead score 0 on every
test task), :class:`ExpertPrefixPolicy` plays the first ``round(share * len(expert))`` actions of the env family's
expert path for the episode's task (:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.expert_actions`, e.g.
ScienceWorld's gold sequence) and lets ``fallback`` play the rest: ``share=1`` follows the expert (a win where
the expert path wins within the step limit), a smaller share stops after part of the progress, and the fallback's
own moves may then lose it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter
from arm_gym.policies.base import Policy
from arm_gym.trajectory import Trajectory, env_id_of


class ExpertPrefixPolicy(Policy):
    """The first ``round(share * len(expert))`` actions of the expert path of the episode's task, then ``fallback``.

    At an episode's first step (``history`` empty, as :func:`~arm_gym.data.rollout.play_episode` passes it) the
    bound adapter is asked for the expert path of the task the env poses (its ``info["task_id"]``, posed again by
    the adapter's :meth:`~arm_gym.envs.synthesis.SynthesisAdapter.original_intent`). An adapter may reset the env
    to read it (ScienceWorld and TextWorld pose the task and read the simulator's own solution), so the live
    episode is snapshotted with ``get_state`` before and restored with ``set_state`` after: the episode goes on
    from the state it was reset to. Where the family has no expert path (or the share rounds to no action), the
    fallback plays from the first step. The prefix draws nothing from the episode's ``rng``, so an episode is
    reproducible from its seed, and at ``share=0`` the env is not touched and the episode equals the fallback's.

    Args:
        fallback: plays after the prefix (e.g. :class:`~arm_gym.policies.RandomPolicy`, or an
            :class:`~arm_gym.policies.EpsilonPolicy` over a lookahead).
        share: the part of the expert path to play, in ``[0, 1]``.
        env: the env the policy acts in (the adapter reads the expert path from it).

    Example:
        >>> policy = ExpertPrefixPolicy(RandomPolicy(), 0.5, env=env)   # doctest: +SKIP
        >>> play_episode(env, policy, seed=0, options={"task_id": "boil/21"})   # doctest: +SKIP
    """

    def __init__(self, fallback: Policy, share: float, *, env: gym.Env):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"share must be in [0, 1], not {share}")
        self.fallback, self.share, self.env = fallback, float(share), env
        self.adapter = SynthesisAdapter()
        self.prefix: list[str] = []
        self.name = f"expert{share:g}+{fallback.name}"

    def reset(self, seed: int | None = None) -> None:
        self.fallback.reset(seed)
        self.prefix = []

    def bind(self, adapter: SynthesisAdapter) -> ExpertPrefixPolicy:
        self.fallback.bind(adapter)
        self.adapter = adapter
        return self

    def act(
        self,
        observation: str,
        info: Mapping[str, Any],
        history: Sequence[Any] = (),
        rng: np.random.Generator | None = None,
    ) -> str:
        step = len(history)
        if step == 0:
            self.prefix = self.expert_prefix(info) if self.share > 0 else []
            if self.share > 0 and not self.prefix:  # the env was posed again: the first info's lazy actions expired
                info = {**info, "admissible_actions": self.env.unwrapped.admissible_actions()}
        if step < len(self.prefix):
            return self.prefix[step]
        return self.fallback.act(observation, info, history, rng)

    def expert_prefix(self, info: Mapping[str, Any]) -> list[str]:
        """The first ``round(share * len(expert))`` expert actions for the task of ``info`` (``[]``: none),
        read with the live episode snapshotted and restored around the adapter's call."""
        text_env = self.env.unwrapped
        task = Trajectory(env_id_of(self.env), str(info.get("task_id", "")), str(info.get("instruction", "")))
        intent = self.adapter.original_intent(task)
        state = text_env.get_state()
        try:
            expert = self.adapter.expert_actions(self.env, intent) or []
        finally:
            text_env.set_state(state)
        return [str(a) for a in expert[: round(self.share * len(expert))]]
