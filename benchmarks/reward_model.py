"""The reward model beside its baselines, end to end: collect -> synthesize -> train-rm -> eval-rm.

    python benchmarks/reward_model.py --env ARM-Game24-v0 --budget small
    python benchmarks/reward_model.py --env ARM-WebShop-v0 --budget full --out runs/bench
    python benchmarks/reward_model.py --env ARM-Game24-v0 --out runs/benchmarks_prefix --prefix-pairs

Runs the stages of :mod:`arm_gym.pipeline` (the budget presets of ``--budget`` and the env's own settings from its
registration: Game of 24 with unchecked arithmetic, as ARMAP scores it), evaluates the MiniLM reward model beside
the trivial baselines (length, brevity, instruction overlap, the env's outcome claim) on fresh test-task trajectories from
the evaluation policy mix (never the random explorer), prints the return histogram and the table, and saves
everything (git commit, settings, data hashes, metrics with bootstrap 95 % intervals) to
``benchmarks/results/reward_model_<env>_<budget>.json``. Stages whose output already exists are reused
(``--fresh`` starts over). ``--prefix-pairs`` trains with :func:`arm_gym.reward.train.prefix_pairs` as well
(the same settings otherwise) and saves ``reward_model_<env>_<budget>_prefix.json``; copy a work folder without its
``rm/`` to reuse its trajectories and triplets.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def git_state() -> dict[str, Any]:
    """The commit the run measured and whether the work tree differed from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"commit": git("rev-parse", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def train_with_prefix_pairs(pipeline: Any) -> None:
    """Train the pipeline's checkpoint as :meth:`Pipeline.train` does, with prefix pairs (kept when present)."""
    from arm_gym.reward.train import SUMMARY_FILE, TrainConfig, train_reward_model

    if (pipeline.checkpoint / SUMMARY_FILE).exists():
        return
    s = pipeline.settings
    config = TrainConfig(backbone=s.backbone, epochs=s.epochs, max_tokens=s.max_tokens, max_pairs=s.max_pairs,
                         seed=s.seed, progress=pipeline.progress, prefix_pairs=True)
    pipeline._timed("train", lambda: train_reward_model(pipeline.triplets, pipeline.checkpoint, config))


def main(argv: list[str] | None = None) -> int:
    from arm_gym.pipeline import BUDGETS, Pipeline, PipelineSettings
    from arm_gym.reward.evaluate import format_histogram, format_scorer_table

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="ARM-Game24-v0", help="env id (default: ARM-Game24-v0)")
    parser.add_argument("--budget", choices=sorted(BUDGETS), default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/benchmarks", help="work folder (default: runs/benchmarks)")
    parser.add_argument("--fresh", action="store_true", help="start every stage over (delete the work folder)")
    parser.add_argument("--prefix-pairs", action="store_true", help="train on prefix pairs as well")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    settings = PipelineSettings.for_env(args.env, args.budget, args.seed)
    name = f"{args.env.removeprefix('ARM-').removesuffix('-v0').lower()}_{args.budget}"
    work = Path(args.out) / name
    if args.fresh and work.exists():
        shutil.rmtree(work)
    pipeline = Pipeline(settings, work, progress=args.progress)
    pipeline.explore()
    synthesis = pipeline.synthesize()
    if args.prefix_pairs:
        train_with_prefix_pairs(pipeline)
    training = pipeline.train()  # (reads the summary of a model trained above)
    results = pipeline.evaluate()
    payload = {"benchmark": "reward_model", "git": git_state(),
               **pipeline.record(training=training, n_triplets=synthesis.kept, results=results)}
    print(f"\n{args.env}, budget {args.budget}: {synthesis.kept} triplets, {results['n_trajectories']} eval episodes "
          f"on {results['n_tasks']} test tasks, win rate {results['win_rate']:.3f}; seconds {payload['seconds']}")
    print(format_histogram(results["return_histogram"]))
    print(format_scorer_table(results))
    for warning in payload["warnings"]:
        print(f"warning: {warning}")
    target = ROOT / "benchmarks" / "results" / f"reward_model_{name}{'_prefix' if args.prefix_pairs else ''}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"saved {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
