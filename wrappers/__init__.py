"""Wrappers for arm_gym and any other Gymnasium text environment (installed as ``arm_gym.wrappers``).

Wrappers that need torch or stable-baselines3 load lazily: ``from arm_gym.wrappers import RewardModelWrapper``
imports torch only at that moment, ``ArmTextPolicy`` / ``TextVecEnv`` import SB3 (the ``rl`` extra) then; the TRL
adapters (``TRLEnvironment``, ``TextRollout``, ...) import torch, TRL or datasets only when they score, generate or
build a dataset.
"""

from __future__ import annotations

import importlib
from typing import Any

from arm_gym.wrappers.record import RecordTrajectory, load_trajectories

_LAZY: dict[str, str] = {
    "RewardModelWrapper": "arm_gym.wrappers.reward_model",
    "VectorRewardModelWrapper": "arm_gym.wrappers.reward_model",
    "DiscreteActions": "arm_gym.wrappers.sb3_adapters",
    "EmbedObservation": "arm_gym.wrappers.sb3_adapters",
    "EnvReturn": "arm_gym.wrappers.sb3_adapters",
    "make_sb3_env": "arm_gym.wrappers.sb3_adapters",
    "HashingEncoder": "arm_gym.wrappers.text_encoders",
    "MiniLMEncoder": "arm_gym.wrappers.text_encoders",
    "make_encoder": "arm_gym.wrappers.text_encoders",
    "TextVecEnv": "arm_gym.wrappers.sb3_vec",
    "make_text_vec_env": "arm_gym.wrappers.sb3_vec",
    "ArmTextPolicy": "arm_gym.wrappers.sb3_policy",
    "SuccessCurve": "arm_gym.wrappers.sb3_curve",
    "TRLEnvironment": "arm_gym.wrappers.trl_env",
    "environment_factory": "arm_gym.wrappers.trl_env",
    "reward_model_reward": "arm_gym.wrappers.trl_env",
    "env_return_reward": "arm_gym.wrappers.trl_env",
    "seed_dataset": "arm_gym.wrappers.trl_env",
    "TextRollout": "arm_gym.wrappers.trl_rollout",
}

__all__ = ["RecordTrajectory", "load_trajectories", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
