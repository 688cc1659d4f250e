"""The reward model beside its baselines, end to end: collect -> synthesize -> train-rm -> eval-rm.

    python benchmarks/reward_model.py --env ARM-Game24-v0 --budget small
    python benchmarks/reward_model.py --env ARM-WebShop-v0 --budget full --out runs/bench

Runs the whole ARMAP path through the Python API with the settings of ``--budget`` (:data:`BUDGETS`, with the env's
own settings from :data:`ENV_SETTINGS`: Game of 24 with unchecked arithmetic, as ARMAP scores it), evaluates the
MiniLM reward model beside the trivial baselines (length, instruction overlap, the env's outcome claim) on fresh
test-task trajectories from the evaluation policy mix (never the random explorer), prints the return histogram and
the table, and saves everything (git commit, settings, data hashes, metrics with bootstrap 95 % intervals) to
``benchmarks/results/reward_model_<env>_<budget>.json``. Stages whose output already exists are reused
(``--fresh`` starts over).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGETS: dict[str, dict[str, Any]] = {
    "small": {"episodes": 200, "epochs": 2.0, "max_tokens": 128, "eval_tasks": 20, "episodes_per_task": 4,
              "max_pairs": 1200},
    "full": {"episodes": 1500, "epochs": 3.0, "max_tokens": 256, "eval_tasks": 50, "episodes_per_task": 4,
             "max_pairs": None},
}
ENV_SETTINGS: dict[str, dict[str, Any]] = {
    "ARM-Game24-v0": {"env_kwargs": {"check_arithmetic": False}, "lookahead": {"candidates": 64, "rollouts": 16}},
    "ARM-WebShop-v0": {"env_kwargs": {}, "lookahead": {"candidates": 16, "rollouts": 2}, "max_tokens": 256},
    "ARM-TextWorld-v0": {"env_kwargs": {}, "lookahead": {"candidates": 16, "rollouts": 2}, "scale": 0.25},
    "ARM-ScienceWorld-v0": {"env_kwargs": {}, "lookahead": {"candidates": 8, "rollouts": 1}, "scale": 0.25},
}


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256 (``None`` when it does not exist)."""
    if not path.exists():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def git_state() -> dict[str, Any]:
    """The commit the run measured and whether the work tree differed from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def settings_for(env_id: str, budget: str, seed: int) -> dict[str, Any]:
    """The run's settings: the budget's, scaled down for the slow simulators, and the env's."""
    env = ENV_SETTINGS.get(env_id, {"env_kwargs": {}, "lookahead": {"candidates": 16, "rollouts": 2}})
    plan = dict(BUDGETS[budget])
    scale = env.get("scale", 1.0)
    plan["episodes"] = max(20, int(plan["episodes"] * scale))
    plan["eval_tasks"] = max(5, int(plan["eval_tasks"] * scale))
    plan["max_tokens"] = max(plan["max_tokens"], env.get("max_tokens", 0))  # long pages need a longer window
    return {"env_id": env_id, "budget": budget, "seed": seed, "env_kwargs": env["env_kwargs"],
            "lookahead": env["lookahead"], "eval_policy": "mix", "error_rate": 0.3, **plan}


def run(settings: dict[str, Any], out: Path, *, progress: bool) -> dict[str, Any]:
    """Every stage, then the evaluation; returns the JSON payload."""
    from arm_gym.data.explore import collect
    from arm_gym.data.synthesize import Synthesizer, synthesize
    from arm_gym.reward.baselines import default_baselines
    from arm_gym.reward.evaluate import check_provenance, check_tasks, evaluate_reward_model, fresh_trajectories
    from arm_gym.reward.model import RewardModel
    from arm_gym.reward.train import VAL_FILE, TrainConfig, load_triplets, train_reward_model

    env_id, kwargs, seconds = settings["env_id"], settings["env_kwargs"], {}
    out.mkdir(parents=True, exist_ok=True)
    trajs_path, triplets_path, ckpt = out / "trajectories.jsonl", out / "triplets.jsonl", out / "rm"

    start = time.perf_counter()
    collect(env_id, trajs_path, episodes=settings["episodes"], seed=settings["seed"], env_kwargs=kwargs,
            progress=progress)
    seconds["collect"] = time.perf_counter() - start

    start = time.perf_counter()
    synth = synthesize(trajs_path, triplets_path, synthesizer=Synthesizer(env_kwargs=kwargs, seed=settings["seed"]),
                       progress=progress)
    seconds["synthesize"] = time.perf_counter() - start

    start = time.perf_counter()
    config = TrainConfig(epochs=settings["epochs"], max_tokens=settings["max_tokens"], max_pairs=settings["max_pairs"],
                         seed=settings["seed"], progress=progress)
    trained = train_reward_model(triplets_path, ckpt, config)
    seconds["train"] = time.perf_counter() - start

    start = time.perf_counter()
    model = RewardModel.from_pretrained(ckpt)
    warnings = check_provenance(model.metadata, env_id, kwargs)
    trajectories = fresh_trajectories(
        env_id, n_tasks=settings["eval_tasks"], episodes_per_task=settings["episodes_per_task"],
        policy=settings["eval_policy"], error_rate=settings["error_rate"], env_kwargs=kwargs, progress=progress,
        lookahead=settings["lookahead"], seed=12345 + settings["seed"],
        task_check=lambda tasks: warnings.extend(check_tasks(model.metadata, list(tasks))),
    )
    results = evaluate_reward_model(model, val_triplets=load_triplets(ckpt / VAL_FILE), trajectories=trajectories,
                                    baselines=default_baselines(env_id), n_boot=1000, seed=settings["seed"])
    seconds["evaluate"] = time.perf_counter() - start
    return {
        "benchmark": "reward_model",
        "git": git_state(),
        "settings": settings,
        "data": {
            "trajectories_sha256": sha256_file(trajs_path),
            "triplets_sha256": sha256_file(triplets_path),
            "train_data_sha256": trained.train_data_sha256,
            "n_triplets": synth.kept,
            "n_train": trained.n_train,
            "n_val": trained.n_val,
        },
        "training": {k: v for k, v in trained.to_dict().items() if k not in ("out_dir",)},
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "warnings": warnings,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="ARM-Game24-v0", help="env id (default: ARM-Game24-v0)")
    parser.add_argument("--budget", choices=sorted(BUDGETS), default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/benchmarks", help="work folder (default: runs/benchmarks)")
    parser.add_argument("--fresh", action="store_true", help="start every stage over (delete the work folder)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    from arm_gym.commands.eval_rm import without_nan
    from arm_gym.reward.evaluate import format_histogram, format_scorer_table

    settings = settings_for(args.env, args.budget, args.seed)
    name = f"{args.env.removeprefix('ARM-').removesuffix('-v0').lower()}_{args.budget}"
    work = Path(args.out) / name
    if args.fresh and work.exists():
        shutil.rmtree(work)
    payload = run(settings, work, progress=args.progress)
    results = payload["results"]
    print(f"\n{args.env}, budget {args.budget}: {payload['data']['n_triplets']} triplets, "
          f"{results['n_trajectories']} eval episodes on {results['n_tasks']} test tasks, "
          f"win rate {results['win_rate']:.3f}; seconds {payload['seconds']}")
    print(format_histogram(results["return_histogram"]))
    print(format_scorer_table(results))
    for warning in payload["warnings"]:
        print(f"warning: {warning}")
    target = ROOT / "benchmarks" / "results" / f"reward_model_{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(without_nan(payload), indent=2) + "\n")
    print(f"saved {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
