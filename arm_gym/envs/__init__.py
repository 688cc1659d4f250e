"""Every arm_gym environment id, registered with Gymnasium in one place.

Entry points are strings, so registering imports no simulator: a benchmark's module (and its
heavy dependencies) is imported only when ``gym.make`` builds that env.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym


@dataclass(frozen=True)
class ArmEnvSpec:
    """One registered id: where it lives, a one-line description, and default kwargs."""

    id: str
    entry_point: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)


ENV_SPECS: tuple[ArmEnvSpec, ...] = (
    ArmEnvSpec(
        "ARM-Game24-v0",
        "arm_gym.envs.game24:Game24Env",
        "Game of 24: combine four numbers two at a time with + - * / to reach 24 (ToT/ARMAP formulation).",
    ),
    ArmEnvSpec(
        "ARM-WebShop-v0",
        "arm_gym.envs.webshop:WebShopEnv",
        "WebShop text-mode shopping (search, click, buy) on a generated 10k-product catalogue or the official data.",
    ),
    ArmEnvSpec(
        "ARM-ScienceWorld-v0",
        "arm_gym.envs.scienceworld:ScienceWorldEnv",
        "ScienceWorld: 30 elementary-science tasks with train/dev/test variations (needs `scienceworld` and Java 11+).",
    ),
    ArmEnvSpec(
        "ARM-TextWorld-v0",
        "arm_gym.envs.textworld:TextWorldEnv",
        "TextWorld: coin collector, treasure hunter, cooking and custom games generated and compiled locally "
        "(needs `textworld`).",
    ),
)


def register_envs() -> None:
    """Register every :data:`ENV_SPECS` id with Gymnasium (idempotent)."""
    for spec in ENV_SPECS:
        if spec.id not in gym.registry:
            gym.register(id=spec.id, entry_point=spec.entry_point, kwargs=dict(spec.kwargs), disable_env_checker=False)


def env_ids() -> list[str]:
    """The registered arm_gym ids, in registration order."""
    return [spec.id for spec in ENV_SPECS]
