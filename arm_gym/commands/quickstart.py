"""``arm-gym quickstart``: the whole ARMAP path on the embedded defaults, with one summary at the end.

Random exploration → env-checked triplets → a MiniLM reward model trained with TRL → its evaluation beside the
trivial baselines (length, brevity, instruction overlap, the env's "text claims success") on fresh test-task episodes →
Sampling vs ARMAP-B (best-of-N) vs ARMAP-M (MCTS) vs best-of-N by the "claims success" keyword and by the env's
own return (the oracle) on a test slice. The planners' policy is random and, where the env can make mistakes,
plays a wrong step at --plan-error-rate per step (a false claim of 24 in the Game of 24), as an LLM policy would:
a random policy that never errs needs no learned reward, since whatever claims success has reached it.
Everything lands under --out; a rerun reuses every finished stage. The default env is the Game of 24 in ARMAP's
setting (unchecked arithmetic, outcome-blind text).

Examples:
    arm-gym quickstart                                   # about 13 minutes on 2 CPU cores
    arm-gym quickstart --env ARM-WebShop-v0 --budget small --out runs/quickstart-webshop
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from arm_gym.commands.common import report_error


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "quickstart",
        help="explore, synthesize, train, evaluate beside baselines, and plan: the whole path in one command",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--env", default="ARM-Game24-v0", help="env id (default: ARM-Game24-v0)")
    parser.add_argument("--budget", choices=("ci", "small", "full"), default="small",
                        help="small (default, minutes on a CPU), full, or ci (every stage, tiny)")
    parser.add_argument("--out", default="runs/quickstart", help="work folder (default: runs/quickstart)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every stage (default: 0)")
    parser.add_argument("--backbone", default=None, help="reward-model backbone (default: the packaged MiniLM)")
    parser.add_argument("--plan-error-rate", type=float, default=None,
                        help="the planners' random policy plays a wrong step at this rate per step where the env can "
                             "make mistakes (default: 0.3; 0 for the plain random policy)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.pipeline import Pipeline, PipelineSettings, format_plans
    from arm_gym.reward.evaluate import format_histogram, format_scorer_table

    try:
        settings = PipelineSettings.for_env(args.env, args.budget, args.seed, backbone=args.backbone,
                                            plan_error_rate=args.plan_error_rate)
        pipeline = Pipeline(settings, args.out, progress=args.progress)
        print(f"arm-gym quickstart: {args.env} ({settings.env_kwargs or 'default settings'}), budget {args.budget}, "
              f"work folder {args.out}")
        pipeline.explore()
        pipeline.synthesize()
        trained = pipeline.train()
        results = pipeline.evaluate()
        plans = pipeline.plan()
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("quickstart", exc)
    record = pipeline.record(training=trained, evaluation=results, planning=plans)
    Path(args.out, "summary.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"\n== reward model vs baselines: {results.get('n_trajectories')} fresh test episodes on "
          f"{results.get('n_tasks')} tasks")
    print(format_histogram(results.get("return_histogram") or []))
    print(format_scorer_table(results))
    print(f"\n== planning with the policy {pipeline.plan_policy().name} on {settings.plan_tasks} test tasks "
          f"(best-of-{settings.best_of_n}, MCTS {settings.mcts_iterations} iterations)")
    print(format_plans(plans))
    for warning in pipeline.warnings:
        print(f"warning: {warning}")
    print(f"\nseconds by stage: {pipeline.seconds}; everything is under {args.out} (summary.json)")
    return 0
