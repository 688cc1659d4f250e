"""Run a planner over the tasks of a split and append each answer to a JSON-lines file (resumable).

Each record is the chosen trajectory (the trajectory schema) with the planning facts in ``meta``: planner,
scorer, the chosen candidate's score, every candidate's score and env return, env steps and seconds spent.
Task ``i`` of a run is reset with seed ``seed + i``; a record is keyed by everything that shapes it
(``meta["plan_key"]``), so a rerun skips the tasks already in the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from arm_gym.data.explore import existing_keys
from arm_gym.envs import make_env
from arm_gym.envs.synthesis import get_adapter
from arm_gym.jsonl import JsonlWriter
from arm_gym.planning.diagnostics import diagnose
from arm_gym.planning.mcts import mcts
from arm_gym.planning.reflexion import reflexion
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer
from arm_gym.planning.search import best_of_n, greedy, sampling
from arm_gym.planning.targets import Target, apply_target
from arm_gym.policies.base import Policy

PLANNERS = ("sampling", "greedy", "best-of-n", "reflexion", "mcts")


@dataclass
class PlanConfig:
    """A planner and its budget. ``n``: Best-of-N candidates; ``trials`` and ``threshold``: Reflexion;
    ``iterations``, ``width``, ``horizon``, ``gamma``, ``c``: MCTS; ``target``: customized-target weights."""

    planner: str = "best-of-n"
    n: int = 10
    trials: int = 10
    threshold: float | None = None
    iterations: int = 10
    width: int = 10
    horizon: int = 10
    gamma: float = 0.9
    c: float = 6.364
    target: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.planner not in PLANNERS:
            raise ValueError(f"unknown planner {self.planner!r}; choose one of {PLANNERS}")
        if self.planner == "reflexion" and self.threshold is None:
            raise ValueError("reflexion needs a threshold (calibrate_threshold on validation triplets)")


def plan_task(env: Any, policy: Policy, scorer: Any, config: PlanConfig, *, seed: int | None,
              options: dict[str, Any] | None, reflector: Any = None) -> PlanResult:
    """Plan one task with ``config.planner``; a customized target, when set, picks the answer among the candidates."""
    if config.planner == "sampling":
        result = sampling(env, policy, seed=seed, options=options)
    elif config.planner == "greedy":
        result = greedy(env, policy, seed=seed, options=options)
    elif config.planner == "best-of-n":
        result = best_of_n(env, policy, scorer, config.n, seed=seed, options=options)
    elif config.planner == "reflexion":
        result = reflexion(env, policy, scorer, threshold=float(config.threshold), max_trials=config.trials,
                           reflector=reflector, seed=seed, options=options)
    else:
        result = mcts(env, policy, scorer, iterations=config.iterations, seed=seed, options=options,
                      width=config.width, horizon=config.horizon, gamma=config.gamma, c=config.c)
    if config.target:
        result = apply_target(result, Target(config.target), get_adapter(env))
    return result


@dataclass
class PlanStats:
    """Totals of one :func:`run_plans` call (the tasks planned now, not those already in the file)."""

    planned: int = 0
    skipped_existing: int = 0
    won: int = 0
    total_return: float = 0.0
    env_steps: int = 0
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list)
    """The plan keys of every task of the call, planned now or already in the file."""

    def summary(self) -> str:
        n = max(self.planned, 1)
        return (f"{self.planned} tasks planned ({self.skipped_existing} already in the file), "
                f"success {self.won / n:.1%}, mean env return {self.total_return / n:.3f}, "
                f"{self.env_steps / n:.1f} env steps a task, {self.seconds:.1f} s")


def run_plans(
    env_id: str,
    out: str | os.PathLike,
    *,
    policy: Policy,
    scorer: Any,
    scorer_name: str,
    config: PlanConfig,
    split: str = "test",
    tasks: int = 20,
    seed: int = 0,
    env_kwargs: dict[str, Any] | None = None,
    reflector: Any = None,
    progress: bool = True,
) -> PlanStats:
    """Plan the first ``tasks`` tasks of ``split`` and append each answer to ``out``; see the module docstring."""
    settings = {"config": asdict(config), "env_kwargs": env_kwargs or {}, "policy": policy.name, "scorer": scorer_name}
    tag = hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:10]
    done = existing_keys(out, key_field="plan_key")
    env = make_env(env_id, **(env_kwargs or {}))
    scorer = scorer if isinstance(scorer, CachedScorer) else CachedScorer(scorer)
    stats = PlanStats()
    writer = JsonlWriter(out)
    try:
        task_ids = list(env.unwrapped.task_ids(split))[:tasks]
        if not task_ids:
            raise ValueError(f"{env_id} has no tasks in split {split!r}")
        from tqdm.auto import tqdm

        for i, task in enumerate(tqdm(task_ids, desc=f"plan {config.planner}", disable=not progress)):
            key = f"{env_id}|{config.planner}|{scorer_name}|{policy.name}|{task}|{seed + i}|{tag}"
            stats.keys.append(key)
            if key in done:
                stats.skipped_existing += 1
                continue
            start = time.perf_counter()
            result = plan_task(env, policy, scorer, config, seed=seed + i, options={"task_id": task, "split": split},
                               reflector=reflector)
            record = result.trajectory
            record.meta.update(
                plan_key=key, planner=config.planner, scorer=scorer_name, score=result.scores[result.chosen],
                candidates=len(result.candidates), chosen=result.chosen, env_steps=result.env_steps,
                seconds=time.perf_counter() - start, best_possible=result.best_possible,
                candidate_scores=[None if np.isnan(s) else s for s in result.scores],
                candidate_returns=[t.env_return for t in result.candidates],
                diagnostics=diagnose(result),
            )
            writer.write(record.to_dict())
            stats.planned += 1
            stats.won += int(record.won)
            stats.total_return += record.env_return
            stats.env_steps += result.env_steps
            stats.seconds += record.meta["seconds"]
    finally:
        writer.close()
        env.close()
    return stats
