"""Every arm_gym environment id, registered with Gymnasium in one place.

Entry points are strings, so registering imports no simulator: a benchmark's module (and its
heavy dependencies) is imported only when ``gym.make`` builds that env. Each registration carries the
env's step limit as ``max_episode_steps`` (visible in ``gym.spec(id)``, applied by Gymnasium's
``TimeLimit`` and overridden with ``gym.make(id, max_episode_steps=N)``); the env's own ``max_steps``
is left off when it is made through Gymnasium, so there is one limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym


@dataclass(frozen=True)
class ArmEnvSpec:
    """One registered id: where it lives, a one-line description, its step limit and default kwargs.

    ``pipeline`` holds the env's settings for the ARMAP pipeline (``arm-gym quickstart``, the benchmarks):
    ``env_kwargs`` of the setting reward models are trained and judged in (Game of 24: unchecked arithmetic, as
    ARMAP scores it), the evaluation ``lookahead`` policy's search width, a budget ``scale`` for slow
    simulators, the reward model's ``max_tokens``, the ``max_negatives`` synthesized per intent, the fresh-episode
    ``eval_policy`` (ScienceWorld: ``expert-mix``, since no cheap policy scores there), and ``budgets``:
    per budget name, figures that replace the budget's own (:class:`arm_gym.pipeline.PipelineSettings`).
    """

    id: str
    entry_point: str
    description: str
    max_episode_steps: int
    kwargs: dict[str, Any] = field(default_factory=lambda: {"max_steps": None})
    pipeline: dict[str, Any] = field(default_factory=dict)


ENV_SPECS: tuple[ArmEnvSpec, ...] = (
    ArmEnvSpec(
        "ARM-Game24-v0",
        "arm_gym.envs.game24:Game24Env",
        "Game of 24: combine four numbers two at a time with + - * / to reach 24 (ToT/ARMAP formulation).",
        max_episode_steps=10,
        pipeline={"env_kwargs": {"check_arithmetic": False}, "lookahead": {"candidates": 64, "rollouts": 16},
                  "max_negatives": 7, "max_tokens": 160,
                  # checking each step's arithmetic is learned from thousands of pairs; episodes cost microseconds,
                  # so the evaluation plays the whole test split (100 puzzles) 16 times: ~60 wins where the first
                  # 20 puzzles x 4 left every interval wide
                  "budgets": {"small": {"episodes": 1500, "max_pairs": 4000, "eval_tasks": 100,
                                        "episodes_per_task": 16},
                              "full": {"episodes": 5000, "eval_tasks": 100, "episodes_per_task": 16}}},
    ),
    ArmEnvSpec(
        "ARM-WebShop-v0",
        "arm_gym.envs.webshop:WebShopEnv",
        "WebShop text-mode shopping (search, click, buy) on a generated 10k-product catalogue or the official data.",
        max_episode_steps=15,
        pipeline={"lookahead": {"candidates": 16, "rollouts": 2}, "max_tokens": 512,
                  # four product negatives (near_miss, over_price, wrong_type, wrong_option) plus room for the
                  # generic ones that buy nothing (stop_short, explored, deviate)
                  "max_negatives": 6,
                  # evaluated on the whole test split (episodes cost milliseconds): over 50 tasks the intervals of
                  # the model and of "bought anything" overlap; every synthesized triplet (~2.4k from 300 episodes)
                  # trains
                  "budgets": {"small": {"eval_tasks": 500, "max_pairs": None}}},
    ),
    ArmEnvSpec(
        "ARM-ScienceWorld-v0",
        "arm_gym.envs.scienceworld:ScienceWorldEnv",
        "ScienceWorld: 30 elementary-science tasks with train/dev/test variations (needs `scienceworld` and Java 11+).",
        max_episode_steps=100,
        pipeline={"lookahead": {"candidates": 8, "rollouts": 1}, "scale": 0.25, "eval_policy": "expert-mix"},
    ),
    ArmEnvSpec(
        "ARM-TextWorld-v0",
        "arm_gym.envs.textworld:TextWorldEnv",
        "TextWorld: coin collector, treasure hunter, cooking and custom games generated and compiled locally "
        "(needs `textworld`).",
        max_episode_steps=100,
        pipeline={"lookahead": {"candidates": 16, "rollouts": 2}, "scale": 0.25},
    ),
)


def register_envs() -> None:
    """Register every :data:`ENV_SPECS` id with Gymnasium (idempotent)."""
    for spec in ENV_SPECS:
        if spec.id not in gym.registry:
            gym.register(
                id=spec.id,
                entry_point=spec.entry_point,
                max_episode_steps=spec.max_episode_steps,
                kwargs=dict(spec.kwargs),
                disable_env_checker=False,
            )


def make_env(env_id: str, **kwargs: Any) -> gym.Env:
    """``gym.make(env_id, **kwargs)``; an unregistered ``"package.module:Class"`` is registered from that
    entry point first, so any text env class can be named where an id is expected."""
    return gym.make(_spec_or_id(env_id), **kwargs)


def _spec_or_id(env_id: str) -> str | gym.envs.registration.EnvSpec:
    """``env_id``, or for an entry point ``"module:Class"`` that is no registered id, its registered spec."""
    register_envs()
    if ":" in env_id and env_id.partition(":")[2] not in gym.registry:
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=env_id)
        return gym.registry[env_id]
    return env_id


def spec_of(env_id: str) -> gym.envs.registration.EnvSpec:
    """The registered spec of ``env_id`` (an id, or an entry point ``"module:Class"`` registered on first use)."""
    spec = _spec_or_id(env_id)
    return gym.spec(spec) if isinstance(spec, str) else spec


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
    return gym.make_vec(_spec_or_id(env_id), num_envs=num_envs, vectorization_mode=vectorization_mode, vector_kwargs=vector_kwargs, **kwargs)


def pipeline_settings(env_id: str) -> dict[str, Any]:
    """The ARMAP-pipeline settings of a registered arm_gym id (``{}`` for any other env)."""
    for spec in ENV_SPECS:
        if spec.id == env_id:
            return dict(spec.pipeline)
    return {}


def env_ids() -> list[str]:
    """The registered arm_gym ids, in registration order."""
    return [spec.id for spec in ENV_SPECS]
