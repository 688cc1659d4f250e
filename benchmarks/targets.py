"""Customized targets move the answer as asked: WebShop best-of-N by the reward model, with and without a target.

    python benchmarks/targets.py --rm runs/benchmarks/webshop_small/rm --tasks 100

Plans best-of-N (the random policy, the model as scorer) on the first ``--tasks`` test tasks three times: with no
target, with ``price=W`` (cheaper purchases) and with ``steps=W`` (shorter trajectories). Candidates are drawn from
the same per-task seeds, so the three runs choose among the same N trajectories and differ only in the target.
Prints, per setting, the mean env return, the share of answers that buy something, the price paid (purchases only)
and the steps, each with a bootstrap 95 % interval over tasks, and the paired change against no target. Saves
``benchmarks/results/targets_webshop.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import print_table, save_json

ENV_ID = "ARM-WebShop-v0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rm", default="runs/benchmarks/webshop_small/rm", help="reward-model checkpoint")
    parser.add_argument("--tasks", type=int, default=100, help="the first N test tasks")
    parser.add_argument("--n", type=int, default=10, help="best-of-N candidates")
    parser.add_argument("--price", type=float, default=0.02, help="weight of the price paid, per dollar")
    parser.add_argument("--steps", type=float, default=0.1, help="weight of the trajectory's steps, per step")
    parser.add_argument("--out", default="runs/targets_webshop", help="work folder (planned answers, resumable)")
    args = parser.parse_args(argv)

    from arm_gym.envs.synthesis import get_adapter
    from arm_gym.pipeline import mean_interval
    from arm_gym.planning.run import PlanConfig, run_plans
    from arm_gym.policies import RandomPolicy
    from arm_gym.reward.model import RewardModel
    from arm_gym.trajectory import load_trajectories

    model = RewardModel.from_pretrained(args.rm)
    adapter = get_adapter(ENV_ID)
    settings = {"no target": {}, f"price={args.price:g}": {"price": args.price},
                f"steps={args.steps:g}": {"steps": args.steps}}
    per_task: dict[str, dict[str, np.ndarray]] = {}
    for name, weights in settings.items():
        out = Path(args.out) / f"{name.replace('=', '-').replace(' ', '_')}.jsonl"
        stats = run_plans(ENV_ID, out, policy=RandomPolicy(fallback_action=""), scorer=model, scorer_name="rm",
                          config=PlanConfig(planner="best-of-n", n=args.n, target=weights), tasks=args.tasks)
        keys = set(stats.keys)
        answers = {t.task_id: t for t in load_trajectories(out) if t.meta.get("plan_key") in keys}
        ordered = [answers[k] for k in sorted(answers)]
        price = np.array([adapter.target_terms(t)["price"] for t in ordered])
        per_task[name] = {"return": np.array([t.env_return for t in ordered]),
                          "bought": (price > 0).astype(float),
                          "price": np.where(price > 0, price, np.nan),
                          "steps": np.array([float(len(t.steps)) for t in ordered])}
    rng = np.random.default_rng(0)
    base = per_task["no target"]
    rows: list[dict[str, Any]] = []
    for name, values in per_task.items():
        row: dict[str, Any] = {"setting": name}
        for key, v in values.items():
            mean = float(np.nanmean(v))
            low, high = mean_interval(v, rng)
            row[key] = f"{mean:.3f} [{low:.3f}, {high:.3f}]"
            row[f"{key}_value"], row[f"{key}_ci"] = mean, [low, high]
            if name != "no target":  # paired: the same task and the same candidates
                diff = v - base[key]
                d_low, d_high = mean_interval(diff, rng)
                row[f"{key} change"] = f"{float(np.nanmean(diff)):+.3f} [{d_low:+.3f}, {d_high:+.3f}]"
                row[f"{key}_change"] = {"value": float(np.nanmean(diff)), "ci": [d_low, d_high]}
        rows.append(row)
    print(f"{ENV_ID}, best of {args.n} by the reward model, first {args.tasks} test tasks (95 % CI over tasks):")
    print_table(rows, ["setting", "return", "bought", "price", "steps"])
    print("\nchange against no target (paired over tasks; price over tasks where both answers bought something):")
    print_table(rows[1:], ["setting", "return change", "bought change", "price change", "steps change"])
    path = save_json("targets_webshop", {"benchmark": "targets", "env": ENV_ID, "rm": args.rm, "tasks": args.tasks,
                                         "n": args.n, "settings": settings,
                                         "rows": [{k: v for k, v in r.items() if not isinstance(v, str) or k == "setting"}
                                                  for r in rows]})
    print(f"\nsaved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
