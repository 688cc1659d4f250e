"""Run a planner over the tasks of a split and append each answer to a JSON-lines file (resumable).

Each record is the chosen trajectory (the trajectory schema) with the planning facts in ``meta``: planner,
scorer, the chosen candidate's score, every candidate's score and env return, env steps, seconds and (for an LLM
policy whose backend counts its usage) LLM tokens spent.
Task ``i`` of a run is reset with seed ``seed + i``; a record is keyed by everything that shapes it
(``meta["plan_key"]``), so a rerun skips the tasks already in the file. With a backend (``RayBackend``) the
tasks are planned by workers that each hold their own env, policy and scorer; this process writes the records.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from arm_gym.data.explore import existing_keys
from arm_gym.envs import make_env
from arm_gym.envs.lazy import LazyEnv
from arm_gym.envs.synthesis import get_adapter
from arm_gym.jsonl import JsonlWriter
from arm_gym.planning.diagnostics import diagnose
from arm_gym.planning.mcts import mcts
from arm_gym.planning.reflexion import reflexion
from arm_gym.planning.result import PlanResult
from arm_gym.planning.scorers import CachedScorer
from arm_gym.planning.search import PLANNERS_VERSION, best_of_n, greedy, sampling
from arm_gym.planning.targets import Target, apply_target
from arm_gym.policies.base import Policy
from arm_gym.trajectory import Trajectory

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


class PlanWorker:
    """Plans ``(index, task_id, key)`` items (task ``index`` reset with ``seed + index``) and yields each answer as
    a record: the chosen trajectory with the planning facts in ``meta``. Picklable for a backend's workers as long
    as its policy, scorer and reflector are (see :class:`CheckpointScorer`): the env is made on first use where
    it runs, or lent with ``env`` (never pickled), and closed by :meth:`close`; scores are cached per worker."""

    def __init__(self, env_id: str, *, policy: Policy, scorer: Any, scorer_name: str, config: PlanConfig,
                 split: str, seed: int, env_kwargs: dict[str, Any] | None = None, reflector: Any = None,
                 env: Any = None):
        self.envs = LazyEnv(env_id, env_kwargs, env)
        self.policy, self.scorer_name, self.config, self.reflector = policy, scorer_name, config, reflector
        self.scorer = scorer if isinstance(scorer, CachedScorer) else CachedScorer(scorer)
        self.split, self.seed = split, seed

    def __call__(self, items: Iterable[tuple[int, str, str]]) -> Iterator[Trajectory]:
        for i, task, key in items:
            start, tokens_before = time.perf_counter(), self._llm_tokens()
            result = plan_task(self.envs.get(), self.policy, self.scorer, self.config, seed=self.seed + i,
                               options={"task_id": task, "split": self.split}, reflector=self.reflector)
            record = result.trajectory
            record.meta.update(
                plan_key=key, planner=self.config.planner, scorer=self.scorer_name, score=result.scores[result.chosen],
                candidates=len(result.candidates), chosen=result.chosen, env_steps=result.env_steps,
                seconds=time.perf_counter() - start, best_possible=result.best_possible,
                candidate_scores=[None if np.isnan(s) else s for s in result.scores],
                candidate_returns=[t.env_return for t in result.candidates],
                diagnostics=diagnose(result),
            )
            if tokens_before is not None:
                record.meta["llm_tokens"] = self._llm_tokens() - tokens_before
            yield record

    def _llm_tokens(self) -> int | None:
        """Prompt and completion tokens spent so far by the LLMs of the policy and reflector (shared ones once);
        ``None`` when neither talks to an LLM that counts its usage."""
        llms = {id(llm): llm for llm in (getattr(self.policy, "llm", None), getattr(self.reflector, "llm", None))
                if isinstance(getattr(llm, "usage", None), dict)}
        if not llms:
            return None
        return sum(int(llm.usage.get("prompt_tokens", 0)) + int(llm.usage.get("completion_tokens", 0))
                   for llm in llms.values())

    def close(self) -> None:
        self.envs.close()


class CheckpointScorer:
    """A reward model that travels as its checkpoint path: loaded on the first ``score`` in the process where it
    runs, so each backend worker (a Ray actor) loads its own copy instead of receiving a pickled model.

    Each worker loads its copy on ``device`` (``"auto"``: a GPU where the worker sees one, as Ray 2.60's actors
    do); for one copy shared by every worker, serve the model (:func:`arm_gym.distributed.serve_reward_model`)
    and pass the client as the scorer.
    """

    name = "reward_model"

    def __init__(self, checkpoint: str | os.PathLike, *, device: str = "auto", precision: str = "auto"):
        from arm_gym.reward.model import check_checkpoint

        check_checkpoint(checkpoint)  # a missing or unsafe checkpoint fails here, not in every worker
        self.checkpoint, self.device, self.precision = str(checkpoint), device, precision
        self._model: Any = None

    @property
    def identity(self) -> str | None:
        """Which trained model the checkpoint holds (read from its metadata, not its weights)."""
        from arm_gym.reward.model import checkpoint_identity

        return checkpoint_identity(self.checkpoint)

    def load(self) -> Any:
        """The :class:`~arm_gym.reward.model.RewardModel`, loaded in this process on the first call."""
        if self._model is None:
            from arm_gym.reward.model import RewardModel

            self._model = RewardModel.from_pretrained(self.checkpoint, device=self.device, precision=self.precision)
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_model": None}

    def score(self, pairs: Sequence[tuple[str, Trajectory]]) -> np.ndarray:
        return self.load().score(pairs)


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
    backend: Any = None,
) -> PlanStats:
    """Plan the first ``tasks`` tasks of ``split`` and append each answer to ``out``; see the module docstring.

    ``backend``: where the tasks are planned, ``None`` (this process) or an object with ``map(worker, items)``
    (e.g. :class:`arm_gym.distributed.RayBackend`), whose workers each get a copy of the policy, the scorer (a
    reward model as a :class:`CheckpointScorer`) and the reflector; this process alone writes ``out``, once per key.
    """
    from tqdm.auto import tqdm

    settings = {"config": asdict(config), "env_kwargs": env_kwargs or {}, "policy": policy.name, "scorer": scorer_name,
                "planners": PLANNERS_VERSION}
    identity = getattr(scorer, "identity", None)
    if identity:  # a retrained checkpoint at the same path plans anew instead of reusing the old model's answers
        settings["scorer_identity"] = identity
    tag = hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:10]
    done = existing_keys(out, key_field="plan_key")
    env = make_env(env_id, **(env_kwargs or {}))
    try:
        task_ids = list(env.unwrapped.task_ids(split))[:tasks]
        if not task_ids:
            raise ValueError(f"{env_id} has no tasks in split {split!r}")
    except BaseException:
        env.close()
        raise
    if backend is not None:
        env.close()  # the workers make their own
    stats = PlanStats()
    pending = []
    for i, task in enumerate(task_ids):
        key = f"{env_id}|{config.planner}|{scorer_name}|{policy.name}|{task}|{seed + i}|{tag}"
        stats.keys.append(key)
        if key in done:
            stats.skipped_existing += 1
        else:
            pending.append((i, task, key))
    worker = PlanWorker(env_id, policy=policy, scorer=scorer, scorer_name=scorer_name, config=config, split=split,
                        seed=seed, env_kwargs=env_kwargs, reflector=reflector, env=env if backend is None else None)
    with ExitStack() as cleanup:
        cleanup.callback(worker.close)
        writer = JsonlWriter(out)
        cleanup.callback(writer.close)
        bar = cleanup.enter_context(tqdm(total=len(task_ids), initial=stats.skipped_existing,
                                         desc=f"plan {config.planner}", disable=not progress))
        for record in worker(pending) if backend is None else backend.map(worker, pending):
            if record.meta["plan_key"] in done:  # a chunk retried on a restarted worker comes back twice
                continue
            done.add(record.meta["plan_key"])
            writer.write(record.to_dict())
            stats.planned += 1
            stats.won += int(record.won)
            stats.total_return += record.env_return
            stats.env_steps += record.meta["env_steps"]
            stats.seconds += record.meta["seconds"]
            bar.update(1)
    return stats
