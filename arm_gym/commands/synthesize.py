"""``arm-gym synthesize TRAJECTORIES --out TRIPLETS``: explored trajectories → checked training triplets.

For each trajectory: the intent it fulfils (env-grounded, or written by an LLM with --intent llm),
the trajectory as the positive, and negatives (env-grounded near misses, or LLM-proposed with
--negatives llm|both); for a trajectory that failed its own task, an expert path (Game of 24's
solver, WebShop's expert) as the positive against it. Every triplet is replayed in the environment
under its intent and kept only when the positive's return beats the negative's. A rerun with the
same arguments resumes: finished trajectories are skipped, no triplet is written twice.

Examples:
    arm-gym synthesize game24.jsonl --out game24_triplets.jsonl
    arm-gym synthesize webshop.jsonl --out triplets.jsonl --intent llm --llm-base-url http://127.0.0.1:8080/v1
    arm-gym synthesize webshop.jsonl --out triplets.jsonl --export-hf hf_triplets/
"""

from __future__ import annotations

import argparse
import json

from arm_gym.commands.common import (
    add_backend_arguments,
    add_llm_arguments,
    build_backend,
    build_llm,
    parse_json_object,
    report_error,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synthesize",
        help="turn trajectories into checked (intent, positive, negative) triplets (resumable)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("trajectories", metavar="TRAJECTORIES", help="a trajectories file written by `arm-gym collect`")
    parser.add_argument("--out", "-o", required=True, help="triplets file (JSON lines; appended to)")
    parser.add_argument("--intent", choices=("env", "llm"), default="env", help="who writes the intent (default: env)")
    parser.add_argument(
        "--negatives", choices=("env", "llm", "both"), default="env", help="negative sources (default: env)"
    )
    parser.add_argument("--max-negatives", type=int, default=None,
                        help="env-grounded negatives per intent (default: the env's own, 4 for most; 7 for Game of 24)")
    parser.add_argument(
        "--sources",
        default="relabel,original",
        help="intents to build: relabel (what the trajectory achieved), original (its own task, with an expert positive)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the negative samplers (default: 0)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N trajectories")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs for the replay envs")
    parser.add_argument("--stats", default=None, help="also write the run's statistics to this JSON file")
    parser.add_argument(
        "--export-hf",
        default=None,
        metavar="DIR",
        help="save the triplets as a Hugging Face DatasetDict (train/validation by task)",
    )
    parser.add_argument(
        "--validation-fraction", type=float, default=0.1, help="share of tasks for validation (default: 0.1)"
    )
    parser.add_argument("--fsync", action="store_true", help="fsync after every record")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_llm_arguments(parser)
    add_backend_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.data.synthesize import Synthesizer, synthesize

    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
        unknown = set(sources) - {"relabel", "original"}
        if unknown or not sources:
            raise ValueError(f"--sources takes relabel and/or original, not {args.sources!r}")
        llm = build_llm(args) if args.intent == "llm" or args.negatives != "env" else None
        synthesizer = Synthesizer(
            intent=args.intent,
            negatives=args.negatives,
            llm=llm,
            max_negatives=args.max_negatives,
            sources=sources,
            env_kwargs=env_kwargs,
            seed=args.seed,
            llm_mode=args.llm_mode,
        )
        stats = synthesize(
            args.trajectories,
            args.out,
            synthesizer=synthesizer,
            limit=args.limit,
            progress=args.progress,
            fsync=args.fsync,
            backend=build_backend(args),
        )
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("synthesize", exc)
    print(f"{args.out}: {stats.summary()}")
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as fh:
            json.dump(stats.to_dict(), fh, indent=2)
    if args.export_hf:
        from arm_gym.data.dataset import load_triplets
        from arm_gym.reward.export import to_hf_dataset

        ds = to_hf_dataset(load_triplets(args.out), validation_fraction=args.validation_fraction)
        ds.save_to_disk(args.export_hf)
        print(f"{args.export_hf}: " + ", ".join(f"{name} {len(split)}" for name, split in ds.items()))
    return 0
