"""The ARMAP table: policies × planners on an env's test tasks, with the learned reward as the planners' scorer.

Rows are policies (the random policy; Gemma 3 270M served locally by llama.cpp with ``--gemma``; any
OpenAI-compatible model with ``--llm-base-url``/``--llm-model``), columns the planners Sampling, Greedy,
ARMAP-R (Reflexion), ARMAP-B (best-of-N), ARMAP-M (MCTS), Oracle-B (best-of-N by the env's own return) and the
trivial scorers' best-of-N: Claim-B (the env's "text claims success" keyword) and Brevity-B (fewer steps).
``--error-rate R`` makes the random policy play a wrong step at rate R per step where the env can make mistakes
(:class:`~arm_gym.policies.ErrorfulPolicy`), as an LLM policy would.
Each cell: success rate and mean env return with bootstrap 95 % intervals over tasks, env steps and seconds a
task, and LLM tokens for LLM policies. Also a plot of success against the budget (N for best-of-N, from the
candidates' scores and returns), JSON and Markdown under ``benchmarks/results/``.

    python benchmarks/armap_table.py --env ARM-Game24-v0 --rm runs/quickstart/rm --tasks 50
    python benchmarks/armap_table.py --env ARM-Game24-v0 --rm runs/quickstart/rm --tasks 10 --gemma --no-random
    python benchmarks/armap_table.py --env ARM-WebShop-v0 --rm runs/benchmarks/webshop_small/rm --tasks 50 --n 10 --iterations 10

The test slice is the first ``--tasks`` tasks of the test split (say so wherever a figure is quoted).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
COLUMNS = ("sampling", "greedy", "reflexion", "best-of-n", "mcts", "oracle-best-of-n", "claim-best-of-n",
           "brevity-best-of-n")
SCORER_PREFIXES = ("oracle-", "claim-", "brevity-")


def policies(args: argparse.Namespace, env_id: str) -> list[tuple[str, Any, Any, Any]]:
    """``(name, policy, llm or None, server or None)`` for each row."""
    from arm_gym.envs.synthesis import get_adapter
    from arm_gym.policies import ErrorfulPolicy, LLMPolicy, RandomPolicy, can_corrupt

    rows: list[tuple[str, Any, Any, Any]] = []
    if args.random:
        if args.error_rate > 0 and can_corrupt(get_adapter(env_id)):
            rows.append((f"random+err{args.error_rate:g}", ErrorfulPolicy(RandomPolicy(fallback_action=""),
                                                                          args.error_rate), None, None))
        else:
            rows.append(("random", RandomPolicy(fallback_action=""), None, None))
    if args.gemma:
        from arm_gym.llm.server import LlamaServer

        server = LlamaServer().start()
        llm = server.llm(timeout=300, max_concurrency=2)
        rows.append(("gemma-3-270m", LLMPolicy(llm, mode="complete", temperature=0.7, env_id=env_id,
                                               name="llm:gemma-3-270m"), llm, server))
    if args.llm_base_url:
        from arm_gym.llm import OpenAICompatibleLLM

        llm = OpenAICompatibleLLM(base_url=args.llm_base_url, model=args.llm_model, timeout=300)
        rows.append((args.llm_model or "llm", LLMPolicy(llm, mode=args.llm_mode, temperature=0.7, env_id=env_id,
                                                        name=f"llm:{args.llm_model}"), llm, None))
    return rows


def budget_curve(answers: list[Any], budgets: list[int]) -> dict[int, float]:
    """Success of best-of-k (k in ``budgets``) from each answer's candidate scores and returns."""
    curve = {}
    for k in budgets:
        wins = []
        for t in answers:
            scores, returns = t.meta.get("candidate_scores") or [], t.meta.get("candidate_returns") or []
            if len(scores) >= k:
                pick = int(np.argmax(np.asarray(scores[:k], float)))
                wins.append(float(returns[pick] >= 1.0))
        if wins:
            curve[k] = float(np.mean(wins))
    return curve


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="ARM-Game24-v0")
    parser.add_argument("--rm", required=True, help="the reward model (from arm-gym quickstart or train-rm)")
    parser.add_argument("--tasks", type=int, default=50, help="the first N test tasks")
    parser.add_argument("--n", type=int, default=100, help="best-of-N candidates (ARMAP: 100 on Game of 24, else 10)")
    parser.add_argument("--iterations", type=int, default=100, help="MCTS iterations (ARMAP: 100 / 10)")
    parser.add_argument("--trials", type=int, default=10, help="Reflexion attempts")
    parser.add_argument("--no-random", dest="random", action="store_false", help="leave out the random policy")
    parser.add_argument("--error-rate", type=float, default=0.0,
                        help="the random policy plays a wrong step at this rate per step (where the env can err)")
    parser.add_argument("--gemma", action="store_true", help="add Gemma 3 270M served by llama.cpp")
    parser.add_argument("--llm-base-url", default=None)
    parser.add_argument("--llm-model", default=None)
    parser.add_argument("--llm-mode", choices=("complete", "chat"), default="chat")
    parser.add_argument("--out", default="runs/armap_table", help="work folder (planned answers, resumable)")
    args = parser.parse_args()

    from arm_gym.data.dataset import load_triplets
    from arm_gym.envs import pipeline_settings
    from arm_gym.envs.synthesis import get_adapter
    from arm_gym.pipeline import summarise_answers
    from arm_gym.planning import EnvReturnScorer, calibrate_threshold
    from arm_gym.planning.reflexion import LLMReflector
    from arm_gym.planning.run import PlanConfig, run_plans
    from arm_gym.reward.baselines import BrevityScorer, OutcomeClaimScorer
    from arm_gym.reward.model import RewardModel
    from arm_gym.reward.train import VAL_FILE
    from arm_gym.trajectory import load_trajectories

    env_kwargs = dict(pipeline_settings(args.env).get("env_kwargs", {}))
    model = RewardModel.from_pretrained(args.rm)
    threshold = calibrate_threshold(model, load_triplets(Path(args.rm) / VAL_FILE))
    scorers = {"oracle-": (EnvReturnScorer(), "env"),
               "claim-": (OutcomeClaimScorer(get_adapter(args.env)), "baseline:outcome_claim"),
               "brevity-": (BrevityScorer(), "baseline:brevity")}
    work = Path(args.out)
    table: dict[str, dict[str, Any]] = {}
    curves: dict[str, dict[int, float]] = {}
    for name, policy, llm, server in policies(args, args.env):
        table[name] = {}
        try:
            for column in COLUMNS:
                prefix = next((p for p in SCORER_PREFIXES if column.startswith(p)), "")
                scorer, scorer_name = scorers.get(prefix, (model, "rm"))
                config = PlanConfig(planner=column.removeprefix(prefix), n=args.n, iterations=args.iterations,
                                    trials=args.trials, threshold=threshold)
                out = work / f"{name}-{column}.jsonl".replace(":", "_")
                stats = run_plans(args.env, out, policy=policy, scorer=scorer, scorer_name=scorer_name, config=config,
                                  tasks=args.tasks,
                                  env_kwargs=env_kwargs, reflector=LLMReflector(llm) if llm else None, progress=True)
                keys = set(stats.keys)
                answers = [t for t in load_trajectories(out) if t.meta.get("plan_key") in keys]
                row = summarise_answers(answers)
                # planning time as each answer recorded it, so answers kept from an earlier run count too
                row["seconds_per_task"] = float(np.mean([t.meta.get("seconds", 0.0) for t in answers])) if answers else 0.0
                if llm is not None:  # as each answer recorded it (None for answers planned before tokens were kept)
                    tokens = [t.meta.get("llm_tokens") for t in answers]
                    row["llm_tokens_per_task"] = float(np.mean(tokens)) if tokens and None not in tokens else None
                table[name][column] = row
                if column == "best-of-n":
                    curves[name] = budget_curve(answers, [1, 2, 5, 10, 25, 50, 100])
                print(f"{name:>14} {column:<17} success {row['success']:.3f} {row['success_ci']} "
                      f"return {row['return']:.3f} steps/task {row['env_steps_per_task']:.1f}", flush=True)
        finally:
            if server is not None:
                server.stop()

    lines = [f"{args.env}, first {args.tasks} test tasks; cells: success [95 % CI] / mean env return", "",
             "| policy | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, row in table.items():
        cells = [f"{row[c]['success']:.2f} [{row[c]['success_ci'][0]:.2f}, {row[c]['success_ci'][1]:.2f}] / "
                 f"{row[c]['return']:.2f}" for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    markdown = "\n".join(lines)
    print("\n" + markdown)
    stem = f"armap_table_{args.env.removeprefix('ARM-').removesuffix('-v0').lower()}" + (
        f"_err{args.error_rate:g}" if args.error_rate > 0 else "") + (
        "" if args.random else "_gemma" if args.gemma else "_llm")  # LLM rows alone do not overwrite the random table
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.md").write_text(markdown + "\n")
    (RESULTS / f"{stem}.json").write_text(json.dumps({"env": args.env, "tasks": args.tasks, "table": table,
                                                      "best_of_n_curve": curves, "rm": args.rm}, indent=2) + "\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    for name, curve in curves.items():
        ax.plot(list(curve), list(curve.values()), marker="o", label=f"{name}, ARMAP-B")
    ax.set_xscale("log")
    ax.set_xlabel("N (candidates)")
    ax.set_ylabel("success")
    ax.set_title(f"{args.env}: success vs budget")
    ax.legend()
    fig.tight_layout()
    fig.savefig(RESULTS / f"{stem}.png", dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
