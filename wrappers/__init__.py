"""Wrappers for arm_gym and any other Gymnasium text environment (installed as ``arm_gym.wrappers``).

Wrappers that need torch load lazily: ``from arm_gym.wrappers import RewardModelWrapper`` imports
torch only at that moment.
"""

from __future__ import annotations

import importlib
from typing import Any

from arm_gym.wrappers.record import RecordTrajectory, load_trajectories

_LAZY: dict[str, str] = {
    "RewardModelWrapper": "arm_gym.wrappers.reward_model",
    "VectorRewardModelWrapper": "arm_gym.wrappers.reward_model",
}

__all__ = ["RecordTrajectory", "load_trajectories", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
