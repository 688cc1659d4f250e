"""arm_gym: agent benchmarks as Gymnasium text environments, with rewards learned from the environment.

Importing the package registers every ``ARM-*`` id with Gymnasium and imports nothing heavy
(no torch, no simulator): those load when an env, a reward model or a backend is built.
"""

from __future__ import annotations

from arm_gym.core import CHARSET, LazyActions, ReplayState, StepResult, TextEnv, sanitize
from arm_gym.envs import ENV_SPECS, env_ids, make_env, make_vec, register_envs
from arm_gym.trajectory import Step, Trajectory, load_trajectories

__version__ = "0.1.0"

register_envs()

__all__ = [
    "CHARSET",
    "ENV_SPECS",
    "LazyActions",
    "ReplayState",
    "Step",
    "StepResult",
    "TextEnv",
    "Trajectory",
    "__version__",
    "env_ids",
    "load_trajectories",
    "make_env",
    "make_vec",
    "register_envs",
    "sanitize",
]
