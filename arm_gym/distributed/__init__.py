"""Past one machine: a Ray backend for exploration, synthesis, eval-rm's fresh episodes and the planners, and one
served reward model for many envs.

``ray`` is an optional extra (``pip install "arm-gym[ray]"``); importing this package does not import it.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "RayBackend": "arm_gym.distributed.ray_backend",
    "init_ray": "arm_gym.distributed.ray_backend",
    "RemoteRewardModel": "arm_gym.distributed.serve",
    "serve_reward_model": "arm_gym.distributed.serve",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
