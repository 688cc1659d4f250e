"""Play one episode with a policy and record it: the loop that evaluation and planners share."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.synthesis import get_adapter
from arm_gym.policies.base import Policy
from arm_gym.trajectory import EpisodeRecorder, Trajectory, env_id_of, policy_rng


def play_episode(
    env: gym.Env,
    policy: Policy,
    *,
    seed: int | None = None,
    options: dict[str, Any] | None = None,
    rng: np.random.Generator | None = None,
    max_steps: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Trajectory:
    """Reset ``env`` with ``seed`` and ``options`` and let ``policy`` act until the episode ends.

    The env's own step limit (Gymnasium's ``TimeLimit`` from its registration) ends the episode;
    ``max_steps`` is only a safety bound for envs without one. ``rng`` (default: :func:`~arm_gym.trajectory.policy_rng` of ``seed``) is
    the episode's generator, handed to the policy at every step. The env-specific keys of the last ``info``
    (e.g. WebShop's purchase) are kept in ``meta["final_info"]``.
    """
    rng = rng if rng is not None else policy_rng(seed)
    policy.bind(get_adapter(env))
    obs, info = env.reset(seed=seed, options=options)
    recorder = EpisodeRecorder(env_id_of(env), obs, info, seed=seed, meta={"policy": policy.name, **(meta or {})})
    steps = 0
    while not recorder.done and (max_steps is None or steps < max_steps):
        action = policy.act(obs, info, recorder.trajectory.steps, rng)
        obs, reward, terminated, truncated, info = env.step(action)
        recorder.step(action, obs, reward, terminated, truncated, info)
        steps += 1
    return recorder.finish(final_info=True)
