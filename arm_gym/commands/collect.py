"""``arm-gym collect ENV``: explore an environment with a policy and append the episodes to a file.

Episodes run in ``--num-envs`` copies of the env (a Gymnasium vector env). Episode i uses seed
``--seed + i``; a rerun with the same arguments skips the episodes already in ``--out``, so a killed
run resumes where it stopped without duplicating any episode.

Examples:
    arm-gym collect ARM-Game24-v0 --episodes 200 --policy random --out game24.jsonl --num-envs 4
    arm-gym collect ARM-WebShop-v0 --episodes 50 --policy llm --out webshop.jsonl \\
        --llm-base-url http://127.0.0.1:8080/v1 --llm-model gemma-3-270m
"""

from __future__ import annotations

import argparse

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
        "collect",
        help="explore an environment and record trajectories (resumable)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "env_id", metavar="ENV", help="a registered id (see `arm-gym list`) or an entry point module:Class"
    )
    parser.add_argument(
        "--episodes", "-n", type=int, required=True, help="episodes to have in the file for this seed range"
    )
    parser.add_argument("--out", "-o", required=True, help="trajectories file (JSON lines; appended to)")
    parser.add_argument(
        "--policy", choices=("random", "llm"), default="random", help="exploration policy (default: random)"
    )
    parser.add_argument("--num-envs", type=int, default=1, help="parallel copies of the env (default: 1)")
    parser.add_argument(
        "--async",
        dest="vectorization",
        action="store_const",
        const="async",
        default="sync",
        help="one process per copy (gymnasium AsyncVectorEnv)",
    )
    parser.add_argument("--seed", type=int, default=0, help="episode i uses seed SEED+i (default: 0)")
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="episode step limit (gym.make's max_episode_steps; default: the env's registered limit)",
    )
    parser.add_argument("--split", default=None, help="task split to draw from (e.g. train, test)")
    parser.add_argument(
        "--reset-options",
        default="{}",
        help='JSON dict of reset options for every episode, e.g. \'{"challenge": "tw-coin_collector"}\'',
    )
    parser.add_argument(
        "--env-kwargs", default="{}", help='JSON dict of gym.make kwargs, e.g. \'{"check_arithmetic": false}\''
    )
    parser.add_argument("--fsync", action="store_true", help="fsync after every episode (survives power loss)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_llm_arguments(parser)
    add_backend_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.data.explore import collect
    from arm_gym.policies import LLMPolicy, RandomPolicy

    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        reset_options = parse_json_object(args.reset_options, "--reset-options")
        if args.split:
            reset_options["split"] = args.split
        if args.episodes < 0 or args.num_envs < 1:
            raise ValueError("--episodes must be >= 0 and --num-envs >= 1")
        if args.policy == "llm":
            name = f"llm:{args.llm_model}" if args.llm_model else "llm"  # part of the episode keys
            policy = LLMPolicy(build_llm(args), mode=args.llm_mode, name=name)
        else:
            policy = RandomPolicy(fallback_action="")
        stats = collect(
            args.env_id,
            args.out,
            episodes=args.episodes,
            policy=policy,
            num_envs=args.num_envs,
            seed=args.seed,
            max_steps=args.max_steps or None,
            env_kwargs=env_kwargs,
            reset_options=reset_options or None,
            vectorization=args.vectorization,
            progress=args.progress,
            fsync=args.fsync,
            backend=build_backend(args),
        )
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("collect", exc)
    print(f"{args.out}: {stats.summary()}")
    return 0
