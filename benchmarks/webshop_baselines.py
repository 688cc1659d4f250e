"""ARM-WebShop-v0 calibrated against the WebShop paper: scripted baselines on the 500 test goals.

    python benchmarks/webshop_baselines.py [--goals 500] [--split test] [--seed 0] [--catalogue-seed 0]

Policies (each a plain function of the observation/info, no learning):

* ``rule``: the paper's rule baseline: ``search[<instruction>]``, click the first result, ``Buy Now``;
* ``option_click``: the same, plus a click on every option value of the item page that appears in the
  instruction (the four-step script of issue 11);
* ``search_read``: searches the instruction, opens the top three results' Description and Features,
  keeps the item whose page text shares the most instruction words, clicks the option values that
  appear in the instruction and buys;
* ``expert``: :func:`arm_gym.envs.webshop.expert_actions` (an upper bound: it knows the target).

Prints score (mean reward x 100) and success rate (reward 1) with 95 % bootstrap intervals over goals,
where the target ranks in ``search[<instruction>]`` results, and the paper's numbers (Yao et al., 2022:
rule 45.6 / 9.6 %, IL 59.9 / 29.1 %, human experts 82.1 / 59.6 %); saves
``benchmarks/results/webshop_baselines.json``. Targets (issue 11): rule within 45.6 +- 10 and <= 15 %
success, option_click <= 40 % success, expert 100 %.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAPER = {"rule": (45.6, 9.6), "IL": (59.9, 29.1), "human expert": (82.1, 59.6)}
_WORD = re.compile(r"[a-z0-9]+")


def _clickables(info: dict) -> list[str]:
    return [a[6:-1] for a in info["admissible_actions"] if a.startswith("click[")]


def _first_result(info: dict) -> str | None:
    return next((c for c in _clickables(info) if re.fullmatch(r"[A-Z0-9]{10}", c)), None)


def _option_values(env) -> list[str]:
    shop = env.unwrapped
    product = shop.catalogue.product(shop.page.item)
    return [v for values in product.options.values() for v in values]


def _click_options(env, instruction: str) -> list[str]:
    text = instruction.lower()
    return [f"click[{v}]" for v in _option_values(env) if re.search(r"(?<![a-z0-9])" + re.escape(v.lower())
                                                                     + r"(?![a-z0-9])", text)]


def run_rule(env, instruction: str, info: dict, *, options: bool = False) -> float:
    info = env.step(f"search[{instruction}]")[4]
    first = _first_result(info)
    if first is None:
        return 0.0
    env.step(f"click[{first}]")
    for action in _click_options(env, instruction) if options else []:
        env.step(action)
    return env.step("click[Buy Now]")[1]


def _body(page: str) -> str:
    """A page without its instruction header and navigation buttons (every page repeats the instruction)."""
    return page.split("< Prev", 1)[-1]


def run_search_read(env, instruction: str, info: dict, top: int = 3) -> float:
    words = set(_WORD.findall(instruction.lower().split(", and price lower")[0]))
    _, _, _, _, info = env.step(f"search[{instruction}]")
    asins = [c for c in _clickables(info) if re.fullmatch(r"[A-Z0-9]{10}", c)][:top]
    if not asins:
        return 0.0
    best, best_score = asins[0], -1
    for asin in asins:
        text = _body(env.step(f"click[{asin}]")[0])
        for sub in ("Description", "Features"):
            text += " " + _body(env.step(f"click[{sub}]")[0])
            env.step("click[< Prev]")
        score = len(words & set(_WORD.findall(text.lower())))
        if score > best_score:
            best, best_score = asin, score
        env.step("click[< Prev]")
    env.step(f"click[{best}]")
    for action in _click_options(env, instruction):
        env.step(action)
    return env.step("click[Buy Now]")[1]


def run_expert(env, instruction: str, info: dict) -> float:
    from arm_gym.envs.webshop import expert_actions

    reward = 0.0
    for action in expert_actions(env, env.unwrapped.goal):
        reward = env.step(action)[1]
    return reward


POLICIES = {
    "rule": run_rule,
    "option_click": lambda env, ins, info: run_rule(env, ins, info, options=True),
    "search_read": run_search_read,
    "expert": run_expert,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--goals", type=int, default=500)
    parser.add_argument("--split", default="test")
    parser.add_argument("--num-products", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--catalogue-seed", type=int, default=0, help="seed of the generated catalogue and goals")
    args = parser.parse_args()

    from _common import print_table, save_json

    from arm_gym.envs.webshop import WebShopEnv
    from arm_gym.pipeline import mean_interval

    env = WebShopEnv(num_products=args.num_products, catalogue_seed=args.catalogue_seed, max_steps=None)
    ids = list(env.task_ids(args.split))[: args.goals]
    ranks = []
    for gid in ids:
        goal = env.goal_by_id(gid)
        found = env.search(goal.instruction)
        ranks.append(found.index(goal.asin) + 1 if goal.asin in found else None)
    rng = np.random.default_rng(args.seed)
    rows, t0 = [], time.perf_counter()
    for name, policy in POLICIES.items():
        rewards = []
        for gid in ids:
            _, info = env.reset(options={"task_id": gid})
            rewards.append(float(policy(env, info["instruction"], info)))
        r = np.asarray(rewards)
        won = (r >= 1.0 - 1e-9).astype(float)
        lo, hi = mean_interval(r, rng, n_boot=2000)
        slo, shi = mean_interval(won, rng, n_boot=2000)
        rows.append({"policy": name, "score": round(100 * r.mean(), 1), "score_ci95": [round(100 * lo, 1), round(100 * hi, 1)],
                     "success_pct": round(100 * won.mean(), 1), "success_ci95": [round(100 * slo, 1), round(100 * shi, 1)],
                     "goals": len(ids)})
        print(rows[-1], flush=True)
    found = [k for k in ranks if k is not None]
    rank_stats = {
        "target_first_pct": round(100 * sum(k == 1 for k in found) / len(ranks), 1),
        "target_on_page_1_pct": round(100 * sum(k <= 10 for k in found) / len(ranks), 1),
        "target_in_top_50_pct": round(100 * len(found) / len(ranks), 1),
        "median_rank_when_found": float(np.median(found)) if found else None,
    }
    print()
    print_table([{**r, "score_ci95": f"{r['score_ci95'][0]}-{r['score_ci95'][1]}",
                  "success_ci95": f"{r['success_ci95'][0]}-{r['success_ci95'][1]}"} for r in rows]
                + [{"policy": f"paper: {k}", "score": v[0], "success_pct": v[1]} for k, v in PAPER.items()],
                ["policy", "score", "score_ci95", "success_pct", "success_ci95"])
    print("\ntarget rank in search[<instruction>]:", rank_stats)
    name = "webshop_baselines" if args.catalogue_seed == 0 else f"webshop_baselines_seed{args.catalogue_seed}"
    path = save_json(name, {"split": args.split, "goals": len(ids), "num_products": args.num_products,
                            "catalogue_seed": args.catalogue_seed, "rows": rows, "paper": PAPER,
                            "target_rank": rank_stats, "seconds": round(time.perf_counter() - t0, 1)})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
