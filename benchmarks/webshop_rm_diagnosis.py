"""Why a WebShop reward model orders purchases poorly: what decides a purchase's return, and what the model reads.

    python benchmarks/webshop_rm_diagnosis.py --rm runs/benchmarks/webshop_small/rm

Plays the fresh evaluation episodes of ``benchmarks/reward_model.py --env ARM-WebShop-v0 --budget small`` (the
same policy, tasks and seed) and, among the episodes that bought something, reports:

* the Spearman correlation of the env return with each of WebShop's sub-scores (``r_type``, the share of goal
  attributes matched, the share of goal options matched, price under the bound) and of the model's score with each,
  with 95 % bootstrap intervals over purchases;
* for every goal attribute: whether the bought product matches it, and whether the attribute's words appear in
  the text the model reads (its rendering at its own token budget, the instruction line left out). An attribute
  that decides the return but never reaches the model's input cannot be learned from trajectories;
* a ceiling: Spearman over all the episodes (95 % bootstrap over tasks, as eval-rm) of the model, of "bought
  anything" (the outcome-claim baseline), of "bought anything, then the model" (the model's order among the
  purchases, every non-purchase tied: what Spearman charges a continuous scorer for ordering the episodes whose
  returns are all 0) and of privileged scorers that know the sub-scores a trajectory shows exactly
  (``bought x (2 + r_type + price_ok)``, then with the share of matched attributes the text shows).

Prints both tables and saves ``benchmarks/results/webshop_rm_diagnosis.json``.
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
FACTORS = ("r_type", "attribute_share", "option_share", "price_ok")


def purchase_rows(trajectories: list[Any], scores: np.ndarray) -> list[dict[str, Any]]:
    """One row per episode that bought something: its return, the model's score and the reward's sub-scores."""
    rows = []
    for trajectory, score in zip(trajectories, scores):
        final = trajectory.meta.get("final_info") or {}
        purchase, goal = final.get("purchase"), final.get("goal")
        if not purchase or not isinstance(goal, dict):
            continue
        sub = purchase["scores"]
        rows.append({
            "return": float(sub["reward"]), "model": float(score), "r_type": float(sub["r_type"]),
            "attribute_share": sub["num_attr_matches"] / max(1, len(goal["attributes"])),
            "option_share": min(1.0, sub["num_option_matches"] / max(1, len(goal["options"]))),
            "price_ok": float(sub["r_price"] is not False),
            "asin": purchase["asin"], "goal": goal, "trajectory": trajectory,
        })
    return rows


def spearman_interval(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator) -> dict[str, float]:
    """Spearman's rho of ``x`` and ``y`` (eval-rm's :func:`~arm_gym.reward.evaluate.spearman`) with a percentile
    bootstrap interval over rows."""
    from arm_gym.reward.evaluate import spearman

    boots = np.array([spearman(x[idx], y[idx]) for idx in (rng.integers(len(x), size=len(x)) for _ in range(n_boot))])
    boots = boots[~np.isnan(boots)]
    low, high = np.percentile(boots, [2.5, 97.5]) if len(boots) else (float("nan"), float("nan"))
    return {"value": spearman(x, y), "low": float(low), "high": float(high)}


def attribute_visibility(rows: list[dict[str, Any]], model: Any, catalogue: Any) -> dict[str, int]:
    """Counts of goal attributes by (matched by the bought product?, its words in the model's input?); sets each
    row's ``seen_attribute_share`` (matched attributes the model's input shows, over the goal's attributes)."""
    from arm_gym.envs.webshop.reward import attribute_matches
    from arm_gym.envs.webshop.schema import Goal

    counts = {"matched_seen": 0, "matched_unseen": 0, "missed_seen": 0, "missed_unseen": 0}
    for row in rows:
        goal = Goal.from_dict(row["goal"])
        trajectory = row["trajectory"]
        text = model.render(trajectory.instruction, trajectory).split("\n", 1)[-1].lower()  # without the instruction
        seen_hits = 0
        for attribute, hit in zip(goal.attributes, attribute_matches(goal, catalogue[row["asin"]])):
            seen = attribute.lower() in text
            seen_hits += hit and seen
            counts[f"{'matched' if hit else 'missed'}_{'seen' if seen else 'unseen'}"] += 1
        row["seen_attribute_share"] = seen_hits / max(1, len(goal.attributes))
    return counts


def ceiling(trajectories: list[Any], scores: np.ndarray, rows: list[dict[str, Any]], n_boot: int,
            rng: np.random.Generator) -> list[dict[str, Any]]:
    """Spearman over every episode, bootstrapped over tasks, of the model, "bought anything" and the privileged
    scorers that know the sub-scores a trajectory shows."""
    from arm_gym.reward.evaluate import spearman

    by_trajectory = {id(r["trajectory"]): r for r in rows}
    returns = np.array([by_trajectory[id(t)]["return"] if id(t) in by_trajectory else 0.0 for t in trajectories])

    def privileged(with_seen: bool) -> np.ndarray:
        out = np.zeros(len(trajectories))
        for i, t in enumerate(trajectories):
            r = by_trajectory.get(id(t))
            if r is not None:
                out[i] = 2 + r["r_type"] + r["price_ok"] + (r["seen_attribute_share"] if with_seen else 0.0)
        return out

    bought = np.array([float(id(t) in by_trajectory) for t in trajectories])
    # the model's order among purchases with every non-purchase tied (as the keyword ties them): what Spearman
    # charges a continuous scorer for ordering episodes whose returns are all 0
    scorers = {"model": scores, "bought anything": bought,
               "bought anything, then the model": np.where(bought > 0, scores + np.ptp(scores) + 1.0, scores.min()),
               "knows r_type and price": privileged(False), "knows r_type, price, seen attributes": privileged(True)}
    tasks = sorted({t.task_id for t in trajectories})
    members = {task: np.array([i for i, t in enumerate(trajectories) if t.task_id == task]) for task in tasks}
    draws = [np.concatenate([members[tasks[j]] for j in rng.integers(len(tasks), size=len(tasks))])
             for _ in range(n_boot)]
    table = []
    for name, values in scorers.items():
        boots = np.array([spearman(values[idx], returns[idx]) for idx in draws])
        low, high = np.nanpercentile(boots, [2.5, 97.5])
        table.append({"scorer": name, "spearman": {"value": spearman(values, returns), "low": float(low),
                                                     "high": float(high)}})
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rm", default="runs/benchmarks/webshop_small/rm", help="reward-model checkpoint")
    parser.add_argument("--budget", default="small", help="the reward_model.py budget whose eval episodes to play")
    parser.add_argument("--seed", type=int, default=0, help="the reward_model.py seed (default: 0)")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--name", default="webshop_rm_diagnosis", help="results file stem")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    import gymnasium as gym

    import arm_gym  # noqa: F401  (registers the envs)
    from arm_gym.pipeline import PipelineSettings
    from arm_gym.reward.fresh import fresh_trajectories
    from arm_gym.reward.model import RewardModel

    s = PipelineSettings.for_env(ENV_ID, args.budget, seed=args.seed)
    model = RewardModel.from_pretrained(args.rm)
    trajectories = fresh_trajectories(  # exactly the episodes Pipeline.evaluate plays
        ENV_ID, n_tasks=s.eval_tasks, episodes_per_task=s.episodes_per_task, policy=s.eval_policy,
        error_rate=s.error_rate, env_kwargs=s.env_kwargs, progress=args.progress, lookahead=s.lookahead,
        seed=12345 + s.seed)
    scores = np.asarray(model([(t.instruction, t) for t in trajectories]), dtype=float)
    rows = purchase_rows(trajectories, scores)
    if len(rows) < 5:
        print(f"only {len(rows)} of {len(trajectories)} episodes bought something: nothing to diagnose")
        return 1
    rng = np.random.default_rng(0)
    ret, sc = np.array([r["return"] for r in rows]), np.array([r["model"] for r in rows])
    table = [{"factor": "model score", "mean": round(float(sc.mean()), 3),
              "with return": spearman_interval(sc, ret, args.bootstrap, rng), "with model": None}]
    for factor in FACTORS:
        values = np.array([r[factor] for r in rows])
        table.append({"factor": factor, "mean": round(float(values.mean()), 3),
                      "with return": spearman_interval(values, ret, args.bootstrap, rng),
                      "with model": spearman_interval(values, sc, args.bootstrap, rng)})
    env = gym.make(ENV_ID, **s.env_kwargs)
    try:
        visibility = attribute_visibility(rows, model, env.unwrapped.catalogue)
    finally:
        env.close()

    bounds = ceiling(trajectories, scores, rows, args.bootstrap, rng)

    def cell(v: dict[str, float] | None) -> str:
        return "" if v is None else f"{v['value']:+.2f} [{v['low']:+.2f}, {v['high']:+.2f}]"

    print(f"{len(rows)} of {len(trajectories)} fresh episodes bought something; Spearman among them:")
    print_table([{**r, "with return": cell(r["with return"]), "with model": cell(r["with model"])} for r in table],
                ["factor", "mean", "with return", "with model"])
    print("\ngoal attributes of the purchases, by match and by whether the model's input shows them:")
    print_table([visibility], list(visibility))
    print(f"\nSpearman over all {len(trajectories)} episodes (95 % bootstrap over tasks); the third mixes the keyword"
          " and the model, the last two are privileged:")
    print_table([{**b, "spearman": cell(b["spearman"])} for b in bounds], ["scorer", "spearman"])
    path = save_json(args.name, {"benchmark": "webshop_rm_diagnosis", "rm": args.rm, "budget": args.budget,
                                 "seed": args.seed, "n_trajectories": len(trajectories), "n_purchases": len(rows),
                                 "spearman": table, "attributes": visibility,
                                 "ceiling": bounds})
    print(f"\nsaved {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
