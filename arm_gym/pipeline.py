"""The whole ARMAP path in one call: explore → synthesize → train → evaluate beside baselines → plan.

``arm-gym quickstart`` and ``benchmarks/reward_model.py`` run it. Every stage writes its artifact under one folder
and a rerun reuses what is there (collect, synthesize and planning resume by key; a trained model and an
evaluation are kept). The env's own settings come from its registration (:func:`arm_gym.envs.pipeline_settings`:
e.g. Game of 24 with unchecked arithmetic, as ARMAP scores it); the budget presets are :data:`BUDGETS`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.envs import pipeline_settings
from arm_gym.jsonl import without_nan

BUDGETS: dict[str, dict[str, Any]] = {
    # CI: every stage runs, on a budget that proves nothing about quality.
    "ci": {"episodes": 40, "epochs": 1.0, "max_tokens": 128, "max_pairs": 160, "eval_tasks": 4, "episodes_per_task": 4,
           "plan_tasks": 3, "best_of_n": 8, "mcts_iterations": 8},
    "small": {"episodes": 300, "epochs": 2.0, "max_tokens": 128, "max_pairs": 1200, "eval_tasks": 20,
              "episodes_per_task": 4, "plan_tasks": 50, "best_of_n": 100, "mcts_iterations": 100},
    "full": {"episodes": 1500, "epochs": 3.0, "max_tokens": 256, "max_pairs": None, "eval_tasks": 50,
             "episodes_per_task": 4, "plan_tasks": 50, "best_of_n": 100, "mcts_iterations": 100},
}


@dataclass
class PipelineSettings:
    """One run's settings: the budget's, scaled for slow simulators, and the env's own (its ``budgets`` entry
    overrides the budget's figures, e.g. Game of 24's cheap episodes buy more training data)."""

    env_id: str
    budget: str = "small"
    seed: int = 0
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    lookahead: dict[str, int] = field(default_factory=lambda: {"candidates": 16, "rollouts": 2})
    episodes: int = 300
    epochs: float = 2.0
    max_tokens: int = 128
    max_pairs: int | None = 1200
    eval_tasks: int = 20
    episodes_per_task: int = 4
    eval_policy: str = "mix"
    error_rate: float = 0.3
    plan_error_rate: float = 0.3
    plan_tasks: int = 20
    best_of_n: int = 50
    mcts_iterations: int = 50
    backbone: str | None = None

    @classmethod
    def for_env(cls, env_id: str, budget: str = "small", seed: int = 0, **overrides: Any) -> PipelineSettings:
        if budget not in BUDGETS:
            raise ValueError(f"unknown budget {budget!r}; choose one of {sorted(BUDGETS)}")
        env = pipeline_settings(env_id)
        plan = dict(BUDGETS[budget])
        scale = float(env.get("scale", 1.0))
        for key, floor in (("episodes", 20), ("eval_tasks", 3), ("plan_tasks", 3)):
            plan[key] = max(min(floor, plan[key]), int(plan[key] * scale))
        plan["max_tokens"] = max(plan["max_tokens"], int(env.get("max_tokens", 0)))  # long pages, a longer window
        plan["eval_policy"] = str(env.get("eval_policy", "mix"))  # e.g. expert-mix where no cheap policy wins
        plan.update(env.get("budgets", {}).get(budget, {}))  # the env's own figures for this budget
        settings = cls(env_id=env_id, budget=budget, seed=seed, env_kwargs=dict(env.get("env_kwargs", {})),
                       lookahead=dict(env.get("lookahead", {"candidates": 16, "rollouts": 2})), **plan)
        for key, value in overrides.items():
            if value is not None:
                setattr(settings, key, value)
        return settings


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256 (``None`` when it does not exist)."""
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Pipeline:
    """The stages over one work folder; ``log`` receives one line per stage."""

    def __init__(self, settings: PipelineSettings, out: str | Path, *, progress: bool = True,
                 log: Callable[[str], None] = print):
        self.settings, self.out, self.progress, self.log = settings, Path(out), progress, log
        self.out.mkdir(parents=True, exist_ok=True)
        self.trajectories, self.triplets, self.checkpoint = (
            self.out / "trajectories.jsonl", self.out / "triplets.jsonl", self.out / "rm")
        self.seconds: dict[str, float] = {}
        self.warnings: list[str] = []
        if not progress:
            _quiet_transformers()

    def _timed(self, stage: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = fn()
        self.seconds[stage] = round(self.seconds.get(stage, 0.0) + time.perf_counter() - start, 1)
        return result

    def explore(self) -> Any:
        from arm_gym.data.explore import collect

        s = self.settings
        stats = self._timed("collect", lambda: collect(s.env_id, self.trajectories, episodes=s.episodes, seed=s.seed,
                                                        num_envs=4, env_kwargs=s.env_kwargs, progress=self.progress))
        self.log(f"collect: {stats.summary()}")
        return stats

    def synthesize(self) -> Any:
        from arm_gym.data.synthesize import Synthesizer, synthesize

        s = self.settings
        stats = self._timed("synthesize", lambda: synthesize(
            self.trajectories, self.triplets, synthesizer=Synthesizer(env_kwargs=s.env_kwargs, seed=s.seed),
            progress=self.progress))
        self.log(f"synthesize: {stats.summary()}")
        return stats

    def train(self) -> dict[str, Any]:
        from arm_gym.reward.train import SUMMARY_FILE, TrainConfig, train_reward_model

        summary = self.checkpoint / SUMMARY_FILE
        if not summary.exists():
            s = self.settings
            config = TrainConfig(backbone=s.backbone, epochs=s.epochs, max_tokens=s.max_tokens, max_pairs=s.max_pairs,
                                 seed=s.seed, progress=self.progress)
            self._timed("train", lambda: train_reward_model(self.triplets, self.checkpoint, config))
        result = json.loads(summary.read_text())
        self.log(f"train: {result['n_train']} training pairs, validation accuracy {result.get('val_accuracy')}")
        return result

    def evaluate(self) -> dict[str, Any]:
        """The model and the baselines on fresh test-task episodes (kept in ``eval.json``)."""
        from arm_gym.reward.baselines import default_baselines
        from arm_gym.reward.evaluate import check_provenance, check_tasks, evaluate_reward_model
        from arm_gym.reward.fresh import fresh_trajectories
        from arm_gym.reward.model import RewardModel
        from arm_gym.reward.train import VAL_FILE, load_triplets

        path = self.out / "eval.json"
        if path.exists():
            return json.loads(path.read_text())
        s = self.settings

        def run() -> dict[str, Any]:
            model = RewardModel.from_pretrained(self.checkpoint)
            self.warnings += check_provenance(model.metadata, s.env_id, s.env_kwargs)
            trajectories = fresh_trajectories(
                s.env_id, n_tasks=s.eval_tasks, episodes_per_task=s.episodes_per_task, policy=s.eval_policy,
                error_rate=s.error_rate, env_kwargs=s.env_kwargs, progress=self.progress, lookahead=s.lookahead,
                seed=12345 + s.seed, task_check=lambda tasks: self.warnings.extend(check_tasks(model.metadata, tasks)))
            return evaluate_reward_model(model, val_triplets=load_triplets(self.checkpoint / VAL_FILE),
                                         trajectories=trajectories, baselines=default_baselines(s.env_id),
                                         n_boot=1000, seed=s.seed)

        results = without_nan(self._timed("evaluate", run))
        path.write_text(json.dumps(results, indent=2) + "\n")
        return results

    def plan(
        self, planners: tuple[str, ...] = ("sampling", "best-of-n", "mcts", "claim-best-of-n", "oracle-best-of-n")
    ) -> dict[str, Any]:
        """Each planner on the first test tasks with :meth:`plan_policy`; per planner its success and return.
        ``claim-`` planners score with the env's "text claims success" baseline, ``oracle-`` ones with the env's
        own return; the others with the trained reward model."""
        from arm_gym.envs.synthesis import get_adapter
        from arm_gym.planning import EnvReturnScorer
        from arm_gym.planning.run import PlanConfig, run_plans
        from arm_gym.reward.baselines import OutcomeClaimScorer
        from arm_gym.reward.model import RewardModel
        from arm_gym.trajectory import load_trajectories

        s = self.settings
        model = RewardModel.from_pretrained(self.checkpoint)
        policy = self.plan_policy()
        rows = {}
        scorers = {"oracle": (EnvReturnScorer(), "env"), "claim": (OutcomeClaimScorer(get_adapter(s.env_id)),
                                                                   "baseline:outcome_claim")}
        for name in planners:
            prefix, _, rest = name.partition("-")
            planner = rest if prefix in scorers else name
            scorer, scorer_name = scorers.get(prefix, (model, "rm"))
            config = PlanConfig(planner=planner, n=s.best_of_n, iterations=s.mcts_iterations)
            out = self.out / f"plan-{policy.name.replace('+', '-')}-{name}.jsonl"  # a policy's plans never mix
            stats = self._timed(f"plan {name}", lambda: run_plans(
                s.env_id, out, policy=policy, scorer=scorer,
                scorer_name=scorer_name, config=config, tasks=s.plan_tasks, seed=s.seed,
                env_kwargs=s.env_kwargs, progress=self.progress))
            keys = set(stats.keys)
            rows[name] = summarise_answers([t for t in load_trajectories(out) if t.meta.get("plan_key") in keys])
        return rows

    def plan_policy(self) -> Any:
        """The planners' policy: random, and where the env can make mistakes (its adapter corrupts actions) a wrong
        step at ``plan_error_rate`` per step, as a policy that errs (an LLM) would make; with a random policy that
        never errs, a trajectory that claims success has reached it and a keyword planner needs no learned reward."""
        from arm_gym.envs.synthesis import get_adapter
        from arm_gym.policies import ErrorfulPolicy, RandomPolicy, can_corrupt

        policy = RandomPolicy(fallback_action="")
        if self.settings.plan_error_rate > 0 and can_corrupt(get_adapter(self.settings.env_id)):
            return ErrorfulPolicy(policy, self.settings.plan_error_rate)
        return policy

    def record(self, **parts: Any) -> dict[str, Any]:
        """The run's JSON record: settings, data hashes, seconds, warnings and the given parts."""
        return without_nan({
            "settings": asdict(self.settings),
            "data": {"trajectories_sha256": sha256_file(self.trajectories),
                     "triplets_sha256": sha256_file(self.triplets)},
            "seconds": self.seconds,
            "warnings": self.warnings,
            **parts,
        })


def mean_interval(values: np.ndarray, rng: np.random.Generator, n_boot: int = 1000) -> list[float]:
    """Percentile bootstrap 95 % interval of the mean of ``values`` (one value per task; NaN values left out)."""
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return [float("nan"), float("nan")]
    means = values[rng.integers(len(values), size=(n_boot, len(values)))].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def summarise_answers(answers: list[Any], n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Success rate and mean env return of planned answers with bootstrap 95 % intervals over tasks, and the
    env steps spent per task."""
    won = np.asarray([float(t.won) for t in answers])
    returns = np.asarray([t.env_return for t in answers])
    rng = np.random.default_rng(seed)
    return {
        "tasks": len(answers),
        "success": float(won.mean()) if len(won) else float("nan"),
        "success_ci": mean_interval(won, rng, n_boot),
        "return": float(returns.mean()) if len(returns) else float("nan"),
        "return_ci": mean_interval(returns, rng, n_boot),
        "env_steps_per_task": float(np.mean([t.meta.get("env_steps", 0) for t in answers])) if answers else 0.0,
    }


def format_plans(rows: dict[str, dict[str, Any]]) -> str:
    """The planners as a text table: success and mean env return with their 95 % intervals, env steps per task."""
    header = f"{'planner':<18} {'success [95% CI]':<24} {'env return [95% CI]':<24} {'env steps/task':>14}"
    lines = [header, "-" * len(header)]
    for name, r in rows.items():
        success = f"{r['success']:.3f} [{r['success_ci'][0]:.3f}, {r['success_ci'][1]:.3f}]"
        ret = f"{r['return']:.3f} [{r['return_ci'][0]:.3f}, {r['return_ci'][1]:.3f}]"
        lines.append(f"{name:<18} {success:<24} {ret:<24} {r['env_steps_per_task']:>14.1f}")
    return "\n".join(lines)


def _quiet_transformers() -> None:
    """No weight-loading and shard-writing bars from transformers (its own tqdm) when progress is off."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the reward extra is not installed: nothing to quiet
        return
    hf_logging.disable_progress_bar()
