"""Trajectory reward models: rendering, :class:`RewardModel` scoring, TRL training and evaluation.

``import arm_gym.reward`` stays light: the rendering helpers load at once, everything that needs
torch or transformers loads on first access (``from arm_gym.reward import RewardModel``).
"""

from __future__ import annotations

import importlib
from typing import Any

from arm_gym.reward.render import TEMPLATE_VERSION, RenderConfig, render_trajectory

_LAZY: dict[str, str] = {
    "RewardModel": "arm_gym.reward.model",
    "UnsafeCheckpointError": "arm_gym.reward.model",
    "CorruptCheckpointError": "arm_gym.reward.model",
    "DEFAULT_BACKBONE": "arm_gym.reward.model",
    "default_backbone_path": "arm_gym.reward.model",
    "load_backbone": "arm_gym.reward.model",
    "TrainConfig": "arm_gym.reward.train",
    "TrainResult": "arm_gym.reward.train",
    "train_reward_model": "arm_gym.reward.train",
    "load_triplets": "arm_gym.reward.train",
    "evaluate_reward_model": "arm_gym.reward.evaluate",
    "pairwise_accuracy": "arm_gym.reward.evaluate",
}

__all__ = [  # noqa: RUF022  (grouped: eager, then lazy)
    "TEMPLATE_VERSION",
    "RenderConfig",
    "render_trajectory",
    "RewardModel",
    "UnsafeCheckpointError",
    "CorruptCheckpointError",
    "DEFAULT_BACKBONE",
    "default_backbone_path",
    "load_backbone",
    "TrainConfig",
    "TrainResult",
    "train_reward_model",
    "load_triplets",
    "evaluate_reward_model",
    "pairwise_accuracy",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
