"""``arm-gym train-rm TRIPLETS --out DIR``: train a trajectory reward model on triplets (TRL RewardTrainer).

Renders every (intent, trajectory) within --max-tokens (keeping the instruction and the most
recent steps), holds out --val-fraction of the tasks for validation, trains with the Bradley-Terry
loss and reward centering (1e-3, as ARMAP), reports validation pairwise accuracy each epoch, and
saves a safetensors checkpoint with arm_gym metadata to DIR. Rerunning the same command resumes
from DIR/checkpoints. Runs under `accelerate launch -m arm_gym.cli train-rm ...` or `torchrun` (only the
main process writes and reports).

Examples:
    arm-gym train-rm game24_triplets.jsonl --out runs/rm-game24
    arm-gym train-rm triplets.jsonl --out runs/rm --backbone path/to/model --epochs 3 --max-tokens 512
    arm-gym train-rm triplets.jsonl --out runs/rm-prefix --prefix-pairs   # also rank prefixes (shaped RL reward)
"""

from __future__ import annotations

import argparse
import warnings
import json
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from arm_gym.reward.train import TrainConfig

    d = TrainConfig()
    parser = subparsers.add_parser(
        "train-rm",
        help="train a trajectory reward model on triplets (resumable)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("triplets", metavar="TRIPLETS", help="triplets file written by `arm-gym synthesize`")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="checkpoint folder (created; resumed if it has checkpoints)")
    parser.add_argument("--backbone", default=None, help="HF model id or local path (default: the packaged all-MiniLM-L6-v2)")
    parser.add_argument("--val", default=None, metavar="TRIPLETS", help="validation triplets (default: hold out --val-fraction of the tasks)")
    parser.add_argument("--val-fraction", type=float, default=d.val_fraction, help=f"share of tasks held out (default: {d.val_fraction})")
    parser.add_argument("--max-tokens", type=int, default=d.max_tokens, help=f"token budget per trajectory (default: {d.max_tokens})")
    parser.add_argument("--truncation-side", choices=("left", "right"), default=d.truncation_side,
                        help="drop the oldest (left, default) or the latest (right) steps of long trajectories")
    parser.add_argument("--epochs", type=float, default=d.epochs, help=f"training epochs (default: {d.epochs:g})")
    parser.add_argument("--max-optimizer-steps", type=int, default=d.optimizer_steps,
                        help="stop after this many optimizer steps (overrides --epochs)")
    parser.add_argument("--max-steps", dest="deprecated_max_steps", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=d.batch_size, help=f"pairs per device per step (default: {d.batch_size})")
    parser.add_argument("--grad-accum", type=int, default=d.gradient_accumulation_steps, help="gradient accumulation steps")
    parser.add_argument("--lr", type=float, default=d.learning_rate, help=f"learning rate (default: {d.learning_rate:g})")
    parser.add_argument("--center-rewards", type=float, default=d.center_rewards_coefficient,
                        help=f"reward centering coefficient (default: {d.center_rewards_coefficient:g}; 0 disables)")
    parser.add_argument("--margin-scale", type=float, default=d.margin_scale,
                        help="add margin = SCALE * (chosen return - rejected return) to the loss (default: 0, plain Bradley-Terry)")
    parser.add_argument("--graded-pairs", action=argparse.BooleanOptionalAction, default=d.graded_pairs,
                        help="also train on pairs of same-intent trajectories ordered by their env return "
                        "(default: on; --no-graded-pairs trains on the plain ARMAP triplets)")
    parser.add_argument("--prefix-pairs", action=argparse.BooleanOptionalAction, default=d.prefix_pairs,
                        help="also train on prefixes of the pairs that diverge, cut after the divergence, so the model "
                        "ranks partial trajectories (for a shaped RL reward); validation stays whole "
                        f"(default: {'on' if d.prefix_pairs else 'off'})")
    parser.add_argument("--max-prefix-pairs", type=int, default=d.max_prefix_pairs, metavar="N",
                        help=f"prefix lengths per pair, evenly spread (default: {d.max_prefix_pairs})")
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default=d.precision,
                        help="bf16 autocast where supported (auto, default), or force one")
    parser.add_argument("--save-steps", type=int, default=d.save_steps, help=f"checkpoint every N steps (default: {d.save_steps})")
    parser.add_argument("--max-pairs", type=int, default=None, help="use only the first N triplets")
    parser.add_argument("--seed", type=int, default=d.seed, help="seed of the split, the head init and the data order")
    parser.add_argument("--no-resume", dest="resume", action="store_false", help="start over even if DIR has checkpoints")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.reward.evaluate import format_table
    from arm_gym.reward.train import TrainConfig, train_reward_model

    if args.deprecated_max_steps is not None:
        warnings.warn("train-rm --max-steps is now --max-optimizer-steps (episode step limits are --max-steps "
                      "in collect and eval-rm)", DeprecationWarning, stacklevel=1)
    config = TrainConfig(
        backbone=args.backbone,
        max_tokens=args.max_tokens,
        truncation_side=args.truncation_side,
        epochs=args.epochs,
        optimizer_steps=args.max_optimizer_steps if args.deprecated_max_steps is None else args.deprecated_max_steps,
        batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        learning_rate=args.lr,
        center_rewards_coefficient=args.center_rewards or None,
        margin_scale=args.margin_scale,
        graded_pairs=args.graded_pairs,
        prefix_pairs=args.prefix_pairs,
        max_prefix_pairs=args.max_prefix_pairs,
        val_fraction=args.val_fraction,
        seed=args.seed,
        precision=args.precision,
        save_steps=args.save_steps,
        max_pairs=args.max_pairs,
        progress=args.progress,
    )
    try:
        result = train_reward_model(args.triplets, args.out, config, val_triplets=args.val, resume=args.resume)
    except (ValueError, OSError) as exc:
        print(f"arm-gym train-rm: {exc}", file=sys.stderr)
        return 2
    from accelerate import PartialState

    if not PartialState().is_main_process:  # under a distributed launch only rank 0 reports
        return 0
    summary = {k: v for k, v in result.to_dict().items() if k not in ("epochs", "train_data_sha256")}
    for row in result.epochs:
        summary[f"val_accuracy_epoch_{row['epoch']:g}"] = row["accuracy"]
    print(format_table(summary))
    print(json.dumps({"out": result.out_dir, "val_accuracy": result.val_accuracy}))
    return 0
