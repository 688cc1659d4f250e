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


def make_vec(env_id: str, num_envs: int = 1, vectorization_mode: str = "sync", **kwargs: Any) -> gym.vector.VectorEnv:
    """``gym.make_vec`` with the settings text envs need.

    Gymnasium's ``AsyncVectorEnv`` passes observations through shared memory by default, and it
    reads ``Text`` observations from there only once, at construction (every later observation
    comes back as ``"000..."``). This turns shared memory off for the async mode; everything else
    is passed on (``vector_kwargs`` are merged).
    """
    vector_kwargs = dict(kwargs.pop("vector_kwargs", None) or {})
    if vectorization_mode == "async":
        vector_kwargs.setdefault("shared_memory", False)
    return gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=vectorization_mode, vector_kwargs=vector_kwargs, **kwargs)


def env_ids() -> list[str]:
    """The registered arm_gym ids, in registration order."""
    return [spec.id for spec in ENV_SPECS]
