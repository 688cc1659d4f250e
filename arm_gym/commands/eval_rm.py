"""``arm-gym eval-rm CKPT --env ENV``: evaluate a reward model against the environment's true return.

Reports the pairwise accuracy on validation triplets (default: CKPT/val_triplets.jsonl, written by
`arm-gym train-rm`), and on fresh trajectories of ENV's test tasks, played by a policy other than
the random explorer (default: a lookahead policy mixed with random actions), the Spearman
correlation between score and env return and the better-of-two accuracy on same-task pairs.
Prints a table; --json writes the metrics.

Examples:
    arm-gym eval-rm runs/rm-game24 --env ARM-Game24-v0 --tasks 50 --json eval.json
    arm-gym eval-rm runs/rm --env ARM-WebShop-v0 --trajectories test_trajs.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from arm_gym.commands.common import parse_json_object, report_error


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval-rm",
        help="evaluate a reward model: pairwise accuracy, Spearman with env return, better-of-two",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("checkpoint", metavar="CKPT", help="reward-model folder (from `arm-gym train-rm`)")
    parser.add_argument("--env", required=True, metavar="ENV", help="env id for fresh trajectories, e.g. ARM-Game24-v0")
    parser.add_argument("--val", default=None, metavar="TRIPLETS", help="validation triplets (default: CKPT/val_triplets.jsonl)")
    parser.add_argument("--trajectories", default=None, help="score these recorded trajectories instead of playing fresh ones")
    parser.add_argument("--tasks", type=int, default=20, help="test tasks to play (default: 20)")
    parser.add_argument("--episodes-per-task", type=int, default=4, help="episodes per task (default: 4)")
    parser.add_argument("--policy", choices=("lookahead", "random"), default="lookahead", help="fresh-trajectory policy")
    parser.add_argument("--lookahead-candidates", type=int, default=16, help="actions the lookahead policy tries per step (default: 16)")
    parser.add_argument("--lookahead-rollouts", type=int, default=2, help="random rollouts per tried action (default: 2)")
    parser.add_argument("--split", default="test", help="task split (default: test)")
    parser.add_argument(
        "--max-steps", type=int, default=None, help="episode step limit (default: the env's registered limit)"
    )
    parser.add_argument("--seed", type=int, default=12345, help="seed of the fresh episodes")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:1 ...")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto", help="scoring precision")
    parser.add_argument("--json", dest="json_out", default=None, help="write the metrics to this JSON file")
    parser.add_argument("--save-trajectories", default=None, help="append the fresh trajectories to this JSONL file")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.jsonl import append_jsonl
    from arm_gym.reward.evaluate import evaluate_reward_model, format_table, fresh_trajectories
    from arm_gym.reward.model import RewardModel
    from arm_gym.reward.train import VAL_FILE, load_triplets
    from arm_gym.trajectory import load_trajectories

    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        model = RewardModel.from_pretrained(args.checkpoint, device=args.device, precision=args.precision)
        val_path = Path(args.val) if args.val else Path(args.checkpoint) / VAL_FILE
        val = load_triplets(val_path) if val_path.exists() else []
        if args.val and not val:
            raise ValueError(f"{val_path} has no triplets")
        if args.trajectories:
            trajectories = load_trajectories(args.trajectories)
        else:
            trajectories = fresh_trajectories(
                args.env, n_tasks=args.tasks, episodes_per_task=args.episodes_per_task, policy=args.policy,
                split=args.split, seed=args.seed, max_steps=args.max_steps, env_kwargs=env_kwargs,
                progress=args.progress,
                lookahead={"candidates": args.lookahead_candidates, "rollouts": args.lookahead_rollouts},
            )
            if args.save_trajectories:
                append_jsonl(args.save_trajectories, (t.to_dict() for t in trajectories))
        results = {"checkpoint": str(args.checkpoint), "env_id": args.env, "split": args.split,
                   "policy": "recorded" if args.trajectories else args.policy,
                   **evaluate_reward_model(model, val_triplets=val, trajectories=trajectories)}
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("eval-rm", exc)
    print(format_table(results))
    if args.json_out:
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in results.items()}
        Path(args.json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_out).write_text(json.dumps(clean, indent=2) + "\n")
    return 0
