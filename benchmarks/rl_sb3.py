"""MaskablePPO with the env's sparse reward vs the learned reward (shaped, terminal): env success vs env steps.

    python benchmarks/rl_sb3.py --envs game24 --seeds 0 1 2 --steps 80000
    python benchmarks/rl_sb3.py --envs game24 coin --rm coin=runs/benchmarks/textworld_small/rm
    python benchmarks/rl_sb3.py --envs cooking --steps 40000 --name rl_sb3_cooking --out runs/rl_sb3_cooking
    python benchmarks/rl_sb3.py --envs webshop --steps 20000 --name rl_sb3_webshop --out runs/rl_sb3_webshop
    python benchmarks/rl_sb3.py --envs game24 --steps 20000 --settings sparse shaped shaped_zero terminal \
        --rm game24=runs/benchmarks_prefix/game24_small/rm --name rl_sb3_prefix --out runs/rl_sb3_prefix

Every run is ``arm-gym train-rl`` (:func:`arm_gym.commands.train_rl.train_rl`) with the same seeds, step budget and
PPO settings; only the reward differs: ``sparse`` (the env's own), ``shaped`` (reward-model score differences from
the empty trajectory's score, ``shaped_origin="empty"``), ``shaped_zero`` (the same from ``v(0) = 0``, the wrapper's
behaviour before ``shaped_origin``) and ``terminal`` (the score at the episode's end). Reward models come from the project's pipeline
(``benchmarks/reward_model.py`` writes ``runs/benchmarks/<env>_small/rm``; ``--rm NAME=PATH`` points elsewhere);
a setting whose reward model is missing is skipped and said so. Runs resume from ``--out`` (``--fresh`` starts over).

Writes ``benchmarks/results/rl_sb3.json`` (settings, per-run summaries and curves, the table),
``benchmarks/results/rl_sb3.png`` (env success rate vs env steps, mean over seeds with the min-max band) and prints
the table: final success rate (mean ± sd over seeds), the env steps from which each setting's mean curve stays at or
above the sparse reward's final success rate, the same two for the mean env return (the measure that moves where no run wins, e.g.
the cooking game's partial scores), and env steps/s with and without the reward model in the loop.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import RESULTS, print_table, save_json

ENVS: dict[str, dict[str, Any]] = {
    "game24": {"env_id": "ARM-Game24-v0", "env_kwargs": {"check_arithmetic": False}, "max_actions": 36,
               "rm": "runs/benchmarks/game24_small/rm"},
    "coin": {"env_id": "ARM-TextWorld-v0", "max_actions": 32, "max_episode_steps": 50,
             "env_kwargs": {"challenges": ["tw-coin_collector"], "levels": {"tw-coin_collector": [5]}},
             "rm": "runs/benchmarks/textworld_small/rm"},
    "cooking": {"env_id": "ARM-TextWorld-v0", "max_actions": 32, "max_episode_steps": 50,
                "env_kwargs": {"challenges": ["tw-cooking"], "levels": {"tw-cooking": [2]}},
                "rm": "runs/benchmarks/textworld_small/rm"},
    "webshop": {"env_id": "ARM-WebShop-v0", "max_actions": 32, "rm": "runs/benchmarks/webshop_small/rm"},
}
SETTINGS: dict[str, tuple[str, str | None, str | None]] = {
    "sparse": ("env", None, None), "shaped": ("rm", "shaped", "empty"), "shaped_zero": ("rm", "shaped", "zero"),
    "terminal": ("rm", "terminal", None),
}
"""Per setting: the reward (``env`` or ``rm``), the wrapper mode and the shaped mode's ``shaped_origin``."""
DEFAULT_SETTINGS = ("sparse", "shaped", "terminal")


def run_one(env: str, setting: str, seed: int, args: argparse.Namespace, rm_path: str | None) -> dict[str, Any]:
    from arm_gym.commands.train_rl import RLConfig, train_rl

    spec = ENVS[env]
    reward, mode, origin = SETTINGS[setting]
    out = Path(args.out) / env / setting / f"seed{seed}"
    if args.fresh and out.exists():
        shutil.rmtree(out)
    config = RLConfig(
        env_id=spec["env_id"], steps=args.steps, reward="env" if reward == "env" else f"rm:{rm_path}",
        mode=mode or "shaped", shaped_origin=origin or "empty", num_envs=args.num_envs,
        max_actions=spec["max_actions"], seed=seed,
        env_kwargs=spec.get("env_kwargs", {}), max_episode_steps=spec.get("max_episode_steps"),
        n_steps=args.n_steps, window=args.window,
    )
    summary = _finished(out, config)
    if summary is None:
        summary = train_rl(config, out)
    summary["curve"] = json.loads((out / "curve.json").read_text())
    print(f"{env} {setting} seed {seed}: success {summary['success_rate']:.3f} at {summary['env_steps']} steps, "
          f"{summary['env_steps_per_s']} env steps/s", flush=True)
    return summary


def _finished(out: Path, config: Any) -> dict[str, Any] | None:
    """The summary of a run already done with these settings, reused as it is (its env steps/s were measured
    then; resuming a finished run would report none)."""
    from dataclasses import asdict

    if not ((out / "summary.json").exists() and (out / "config.json").exists()):
        return None
    summary = json.loads((out / "summary.json").read_text())
    same = json.loads((out / "config.json").read_text()) == json.loads(json.dumps(asdict(config)))
    done = summary.get("env_steps", 0) >= config.steps and summary.get("env_steps_per_s") is not None
    return summary if same and done else None


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean / min / max success per curve point over seeds (rows align: same rollout size in every run)."""
    n = min(len(r["curve"]) for r in runs)
    out: dict[str, Any] = {"steps": [row["env_steps"] for row in runs[0]["curve"][:n]], "seeds": len(runs)}
    for field, prefix in (("success_rate", ""), ("mean_env_return", "return_")):
        values = np.array([[row[field] for row in r["curve"][:n]] for r in runs])
        finals = np.array([r[field] for r in runs])
        out |= {f"{prefix}mean": values.mean(0).tolist(), f"{prefix}min": values.min(0).tolist(),
                f"{prefix}max": values.max(0).tolist(), f"final_{prefix}mean": float(finals.mean()),
                f"final_{prefix}sd": float(finals.std())}
    speeds = [r["env_steps_per_s"] for r in runs if r.get("env_steps_per_s")]
    out["env_steps_per_s"] = float(np.mean(speeds)) if speeds else None
    return out


def steps_to_reach(curve: dict[str, Any], target: float, key: str = "mean") -> int | None:
    """The env step count from which the mean curve (``key``: ``mean`` success, ``return_mean`` env return) stays at
    or above ``target`` to the end of the run (``None``: it ends below). Reaching and keeping, not the first touch:
    the untrained policy's first window can touch a low target by luck (the cooking game's random play wins ~2 %)."""
    reached = None
    for step, value in zip(curve["steps"], curve[key]):
        if value >= target > 0:
            reached = reached if reached is not None else int(step)
        else:
            reached = None
    return reached


def plot(curves: dict[str, dict[str, dict[str, Any]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(curves), figsize=(5.5 * len(curves), 7.5), squeeze=False)
    for col, (env, by_setting) in enumerate(curves.items()):
        for row, (key, label) in enumerate((("", "env success rate"), ("return_", "mean env return"))):
            ax = axes[row][col]
            for setting, c in by_setting.items():
                if f"{key}mean" not in c:  # a curve saved before returns were aggregated
                    continue
                ax.plot(c["steps"], c[f"{key}mean"], label=f"{setting} ({c['seeds']} seeds)")
                ax.fill_between(c["steps"], c[f"{key}min"], c[f"{key}max"], alpha=0.2)
            ax.set(title=f"MaskablePPO on {env} ({ENVS[env]['env_id']})", xlabel="env steps", ylabel=label)
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs", nargs="+", choices=sorted(ENVS), default=["game24"])
    parser.add_argument("--settings", nargs="+", choices=list(SETTINGS), default=list(DEFAULT_SETTINGS),
                        help=f"rewards to compare (default: {' '.join(DEFAULT_SETTINGS)})")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--steps", type=int, default=80_000, help="env steps per run (default: 80000)")
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--n-steps", type=int, default=128, help="PPO rollout steps per env (a curve point each)")
    parser.add_argument("--window", type=int, default=200, help="episodes per success-rate point")
    parser.add_argument("--rm", action="append", default=[], metavar="ENV=PATH", help="reward model of an env")
    parser.add_argument("--out", default="runs/rl_sb3", help="run folders (resumed)")
    parser.add_argument("--fresh", action="store_true", help="start every run over")
    parser.add_argument("--name", default="rl_sb3", help="results file stem under benchmarks/results")
    args = parser.parse_args(argv)
    rms = {env: ENVS[env]["rm"] for env in ENVS} | dict(item.split("=", 1) for item in args.rm)

    results: dict[str, Any] = {"runs": [], "skipped": []}
    curves: dict[str, dict[str, dict[str, Any]]] = {}
    for env in args.envs:
        for setting in args.settings:
            rm_path = rms.get(env)
            if SETTINGS[setting][0] == "rm" and not (rm_path and Path(rm_path).exists()):
                results["skipped"].append(f"{env}/{setting}: no reward model at {rm_path}")
                print(results["skipped"][-1], flush=True)
                continue
            runs = [run_one(env, setting, seed, args, rm_path) for seed in args.seeds]
            results["runs"] += [{"env": env, "setting": setting, **{k: v for k, v in r.items()}} for r in runs]
            curves.setdefault(env, {})[setting] = aggregate(runs)

    table = []
    for env, by_setting in curves.items():
        sparse = by_setting.get("sparse")
        target = sparse["final_mean"] if sparse else None
        target_return = sparse["final_return_mean"] if sparse else None
        sparse_steps = steps_to_reach(sparse, target) if sparse else None
        sparse_return_steps = steps_to_reach(sparse, target_return, "return_mean") if sparse else None
        for setting, c in by_setting.items():
            reach = steps_to_reach(c, target) if target is not None else None
            reach_return = steps_to_reach(c, target_return, "return_mean") if target_return is not None else None
            table.append({
                "env": env, "setting": setting, "seeds": c["seeds"], "env_steps": c["steps"][-1] if c["steps"] else 0,
                "final_success": f"{c['final_mean']:.3f} ± {c['final_sd']:.3f}",
                "steps_to_sparse_final": reach,
                "vs_sparse": round(reach / sparse_steps, 2) if reach and sparse_steps else None,
                "final_return": f"{c['final_return_mean']:.3f} ± {c['final_return_sd']:.3f}",
                "steps_to_sparse_return": reach_return,
                "vs_sparse_return": (round(reach_return / sparse_return_steps, 2)
                                     if reach_return and sparse_return_steps else None),
                "env_steps_per_s": round(c["env_steps_per_s"], 1) if c["env_steps_per_s"] else None,
            })
    print_table(table, ["env", "setting", "seeds", "env_steps", "final_success", "steps_to_sparse_final", "vs_sparse",
                        "final_return", "steps_to_sparse_return", "vs_sparse_return", "env_steps_per_s"])
    settings = {"steps": args.steps, "seeds": args.seeds, "num_envs": args.num_envs, "n_steps": args.n_steps,
                "window": args.window, "envs": {e: ENVS[e] | {"rm": rms.get(e)} for e in args.envs}}
    for run in results["runs"]:
        run["curve"] = [{k: row[k] for k in ("env_steps", "success_rate", "mean_env_return")} for row in run["curve"]]
    path = save_json(args.name, {"benchmark": "rl_sb3", "settings": settings, "table": table, "curves": curves,
                                 **results})
    if curves:
        plot(curves, RESULTS / f"{args.name}.png")
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
