"""``arm-gym eval-rm CKPT --env ENV``: evaluate a reward model beside trivial baselines, against the env's return.

Scores the validation triplets (default: CKPT/val_triplets.jsonl, written by `arm-gym train-rm`) and fresh
trajectories of ENV's test tasks with the model and with baselines (trajectory length, instruction-word overlap,
the env's "text claims success" heuristic, and an LLM judge when --llm-* is given). Prints the return histogram
and one table: a row per scorer with pairwise accuracy, Spearman with env return and better-of-two accuracy,
each with a bootstrap 95 % interval over tasks, then the model's margin over the best baseline. The model has a
second row, reward_model_verdict: its score read as yes/no at the cut that best separates the validation
triplets (what a 0/1 keyword competes with where returns are 0/1; never a baseline). Spearman and
better-of-two are refused (n/a, with the reason) when the trajectories hold no win or no loss.

Fresh-trajectory policies (--policy), never the random explorer that made the training data:
  mix         (default) lookahead mixed with random actions at rates 0, 1/n, ... (below 1), and where the env
              can make mistakes (Game of 24: wrong results, false claims of 24) half the episodes by an errorful
              lookahead that corrupts a step with probability --error-rate
  lookahead   the random-action spread only
  errorful    the errorful lookahead only
  expert-mix  the first 1/n, 2/n, ..., all of the env's expert path (e.g. ScienceWorld's gold sequence), then
              random actions: wins, partial returns and losses where the lookahead wins nothing (refused
              for an env whose synthesis adapter has no expert path)
  llm         every episode by an LLM agent (a ReAct policy, --llm-mode) on the --llm-* server, sampling at
              --llm-temperature: its own mistakes, and different episodes of a task. Needs --llm-base-url or
              --llm-model (or $ARM_GYM_LLM_BASE_URL); plays in this process (not with --backend ray). The
              LLM judge baseline is added as usual when --llm-base-url or --llm-model is given

The checkpoint's provenance is checked: a checkpoint trained on another env id or other env kwargs, or on one of
the evaluation tasks, is refused (--force evaluates anyway, with a warning).

With --backend ray the fresh trajectories are played on --num-workers Ray actors (each with its own env) and
scored here: the same trajectories, in the same order, as the local backend for the same --seed.

Examples:
    arm-gym eval-rm runs/rm-game24 --env ARM-Game24-v0 --env-kwargs '{"check_arithmetic": false}' --tasks 50
    arm-gym eval-rm runs/rm --env ARM-WebShop-v0 --trajectories test_trajs.jsonl --json eval.json --plot scores.png
    arm-gym eval-rm runs/rm-game24 --env ARM-Game24-v0 --tasks 200 --backend ray --num-workers 8
    arm-gym eval-rm runs/rm --env ARM-Game24-v0 --policy llm --llm-base-url http://localhost:8080/v1 --llm-temperature 0.7
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from pathlib import Path
from typing import Any

from arm_gym.commands.common import (
    add_backend_arguments,
    add_llm_arguments,
    build_backend,
    build_llm,
    parse_json_object,
    report_error,
)
from arm_gym.jsonl import without_nan
from arm_gym.reward.evaluate import MODEL, VERDICT
from arm_gym.reward.fresh import POLICIES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval-rm",
        help="evaluate a reward model beside baselines: pairwise accuracy, Spearman with env return, better-of-two",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="reward-model folder (from `arm-gym train-rm`)")
    parser.add_argument("--env", required=True, metavar="ENV", help="env id for fresh trajectories, e.g. ARM-Game24-v0")
    parser.add_argument("--val", default=None, metavar="TRIPLETS", help="validation triplets (default: CKPT/val_triplets.jsonl)")
    parser.add_argument("--trajectories", default=None, help="score these recorded trajectories instead of playing fresh ones")
    parser.add_argument("--tasks", type=int, default=20, help="test tasks to play (default: 20)")
    parser.add_argument("--episodes-per-task", type=int, default=4, help="episodes per task (default: 4)")
    parser.add_argument("--policy", choices=POLICIES, default="mix", help="fresh-trajectory policy (see above)")
    parser.add_argument("--error-rate", type=float, default=0.3, help="errorful policy: mistakes per step (default: 0.3)")
    parser.add_argument("--llm-temperature", type=float, default=1.0,
                        help="--policy llm: the LLM agent's sampling temperature (default: 1.0)")
    parser.add_argument("--lookahead-candidates", type=int, default=16, help="actions the lookahead policy tries per step (default: 16)")
    parser.add_argument("--lookahead-rollouts", type=int, default=2, help="random rollouts per tried action (default: 2)")
    parser.add_argument("--split", default="test", help="task split (default: test)")
    parser.add_argument(
        "--max-steps", type=int, default=None, help="episode step limit (default: the env's registered limit)"
    )
    parser.add_argument("--seed", type=int, default=12345, help="seed of the fresh episodes")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs")
    parser.add_argument("--force", action="store_true", help="evaluate a checkpoint trained on another env, other env "
                        "kwargs or evaluation tasks (a warning instead of an error)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples of tasks (default: 1000)")
    parser.add_argument("--bootstrap-seed", type=int, default=0, help="seed of the bootstrap (default: 0)")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:1 ...")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto", help="scoring precision")
    parser.add_argument("--json", dest="json_out", default=None, help="write every result to this JSON file")
    parser.add_argument("--plot", default=None, metavar="PNG", help="draw score vs env return, model and best baseline")
    parser.add_argument("--save-trajectories", default=None, help="append the fresh trajectories to this JSONL file")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_llm_arguments(parser)
    add_backend_arguments(parser)
    parser.set_defaults(func=functools.partial(run, parser=parser))


def build_policy_llm(args: argparse.Namespace) -> Any:
    """The LLM backend that plays ``--policy llm`` (``None`` when not asked), or ``ValueError`` saying why it cannot."""
    from arm_gym.llm.openai_compat import BASE_URL_ENV

    if args.policy != "llm" or args.trajectories:
        return None
    try:
        llm = build_llm(args)
    except ValueError as exc:
        raise ValueError(f"--policy llm plays the episodes with an LLM agent and needs its server: --llm-base-url URL "
                         f"or ${BASE_URL_ENV} (and --llm-model NAME); {exc}") from exc
    if args.backend != "local":
        raise ValueError("--policy llm plays in this process (its LLM client is not sent to Ray workers): "
                         "use --backend local")
    return llm


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    from arm_gym.jsonl import append_jsonl
    from arm_gym.policies import LLMPolicy
    from arm_gym.reward.baselines import default_baselines
    from arm_gym.reward.evaluate import (
        check_provenance,
        check_tasks,
        evaluate_reward_model,
        format_histogram,
        format_scorer_table,
        format_table,
    )
    from arm_gym.reward.fresh import fresh_trajectories
    from arm_gym.reward.model import RewardModel
    from arm_gym.reward.train import VAL_FILE, load_triplets
    from arm_gym.trajectory import load_trajectories

    try:
        policy_llm = build_policy_llm(args)
    except ValueError as exc:
        if parser is not None:
            parser.error(str(exc))
        return report_error("eval-rm", exc)
    judge = bool(args.llm_base_url or args.llm_model)  # the LLM judge baseline, as without --policy llm
    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        llm = policy_llm or (build_llm(args) if judge else None)  # one client for the agent and the judge
        llm_policy = (LLMPolicy(policy_llm, mode=args.llm_mode, temperature=args.llm_temperature, name="llm")
                      if policy_llm is not None else None)
        model = RewardModel.from_pretrained(args.checkpoint, device=args.device, precision=args.precision)
        warnings = check_provenance(model.metadata, args.env, env_kwargs, force=args.force)
        val_path = Path(args.val) if args.val else Path(args.checkpoint) / VAL_FILE
        val = load_triplets(val_path) if val_path.exists() else []
        if args.val and not val:
            raise ValueError(f"{val_path} has no triplets")

        def refuse_training_tasks(task_ids: Any) -> None:
            warnings.extend(check_tasks(model.metadata, list(task_ids), force=args.force))

        if args.trajectories:
            trajectories = load_trajectories(args.trajectories)
            refuse_training_tasks({t.task_id for t in trajectories})
        else:
            trajectories = fresh_trajectories(
                args.env, n_tasks=args.tasks, episodes_per_task=args.episodes_per_task, policy=args.policy,
                error_rate=args.error_rate, split=args.split, seed=args.seed, max_steps=args.max_steps,
                env_kwargs=env_kwargs, progress=args.progress, task_check=refuse_training_tasks,
                lookahead={"candidates": args.lookahead_candidates, "rollouts": args.lookahead_rollouts},
                backend=build_backend(args), llm_policy=llm_policy,
            )
            if args.save_trajectories:
                append_jsonl(args.save_trajectories, (t.to_dict() for t in trajectories))
        baselines = default_baselines(args.env, llm=llm if judge else None, llm_mode=args.llm_mode)
        results = {"checkpoint": str(args.checkpoint), "env_id": args.env, "env_kwargs": env_kwargs,
                   "split": args.split, "policy": "recorded" if args.trajectories else args.policy,
                   "error_rate": None if args.trajectories else args.error_rate,
                   **evaluate_reward_model(model, val_triplets=val, trajectories=trajectories, baselines=baselines,
                                           n_boot=args.bootstrap, seed=args.bootstrap_seed),
                   "warnings": warnings}
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("eval-rm", exc)
    for warning in warnings:
        print(f"arm-gym eval-rm: warning: {warning}", file=sys.stderr)
    print(format_table(results))
    if results.get("return_histogram"):
        print()
        print(format_histogram(results["return_histogram"]))
    print()
    print(format_scorer_table(results))
    if args.plot and results.get("per_trajectory"):
        plot_scores(results, args.plot)
    if args.json_out:
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(without_nan(results), indent=2) + "\n")
    return 0


def best_baseline(results: dict[str, Any]) -> str | None:
    """The baseline the model is compared with: the best on Spearman, else on better-of-two, else the first."""
    margin = results.get("margin") or {}
    for metric in ("spearman", "better_of_two_accuracy", "val_pairwise_accuracy"):
        if metric in margin:
            return margin[metric]["baseline"]
    names = [n for n in (results.get("per_trajectory") or {}).get("scores", {}) if n not in (MODEL, VERDICT)]
    return names[0] if names else None


def plot_scores(results: dict[str, Any], path: str | Path) -> Path:
    """Score vs env return (jittered), the model beside the best baseline, saved as a PNG (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    per = results["per_trajectory"]
    names = [MODEL] + [n for n in [best_baseline(results)] if n]
    returns = np.asarray(per["env_return"], float)
    won = np.asarray(per["won"], bool)
    jitter = np.random.default_rng(0).uniform(-0.02, 0.02, len(returns)) * (np.ptp(returns) or 1.0)
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names):
        scores = np.asarray(per["scores"][name], float)
        ax.scatter(returns[won] + jitter[won], scores[won], s=14, alpha=0.7, label="won")
        ax.scatter(returns[~won] + jitter[~won], scores[~won], s=14, alpha=0.7, label="not won")
        row = results["scorers"][name]["spearman"]
        rho = "n/a" if row["value"] is None or math.isnan(row["value"]) else f"{row['value']:.3f}"
        ax.set(title=f"{name} (Spearman {rho})", xlabel="env return", ylabel="score")
        ax.legend(loc="best", fontsize=8)
    fig.suptitle(f"{results.get('env_id', '')}: score vs env return")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
