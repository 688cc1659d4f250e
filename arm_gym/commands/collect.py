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
import json
import sys
from typing import Any


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--llm-*`` options shared by the commands that can call an LLM."""
    group = parser.add_argument_group("LLM (an OpenAI-compatible server: vLLM, SGLang, llama.cpp, Ollama, OpenAI)")
    group.add_argument(
        "--llm-base-url",
        default=None,
        help="server URL, e.g. http://127.0.0.1:8080/v1 (default: $ARM_GYM_LLM_BASE_URL / $OPENAI_BASE_URL)",
    )
    group.add_argument("--llm-model", default=None, help="model name on the server (default: $ARM_GYM_LLM_MODEL)")
    group.add_argument(
        "--llm-mode",
        choices=("complete", "chat"),
        default="complete",
        help="plain completion (base models) or chat (default: complete)",
    )
    group.add_argument("--llm-timeout", type=float, default=60.0, help="seconds per request (default: 60)")
    group.add_argument("--llm-concurrency", type=int, default=4, help="requests in flight (default: 4)")


def build_llm(args: argparse.Namespace) -> Any:
    """An OpenAI-compatible LLM backend from the ``--llm-*`` options (the API key comes from the environment only)."""
    from arm_gym.llm import OpenAICompatibleLLM

    kwargs: dict[str, Any] = {"timeout": args.llm_timeout, "max_concurrency": args.llm_concurrency}
    if args.llm_base_url:
        kwargs["base_url"] = args.llm_base_url
    if args.llm_model:
        kwargs["model"] = args.llm_model
    return OpenAICompatibleLLM(**kwargs)


def parse_json_object(text: str, option: str) -> dict[str, Any]:
    """``--option '{...}'`` as a dict, or ``ValueError`` saying what is wrong."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{option} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"{option} must be a JSON object, not {type(value).__name__}")
    return value


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
        default=30,
        help="truncate episodes after this many steps (default: 30; 0: the env's own limit)",
    )
    parser.add_argument("--split", default=None, help="task split to draw from (e.g. train, test)")
    parser.add_argument(
        "--reset-options",
        default="{}",
        help='JSON dict of reset options for every episode, e.g. \'{"challenge": "tw-coin_collector"}\'',
    )
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs, e.g. '{\"max_steps\": 20}'")
    parser.add_argument("--fsync", action="store_true", help="fsync after every episode (survives power loss)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_llm_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.data.explore import PolicyExplorer, RandomExplorer, collect

    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        reset_options = parse_json_object(args.reset_options, "--reset-options")
        if args.split:
            reset_options["split"] = args.split
        if args.episodes < 0 or args.num_envs < 1:
            raise ValueError("--episodes must be >= 0 and --num-envs >= 1")
        if args.policy == "llm":
            from arm_gym.planning.policies import LLMPolicy

            name = f"llm:{args.llm_model}" if args.llm_model else "llm"  # part of the episode keys
            policy = PolicyExplorer(LLMPolicy(build_llm(args), mode=args.llm_mode, env_id=args.env_id), name=name)
        else:
            policy = RandomExplorer()
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
        )
    except (ValueError, OSError) as exc:
        print(f"arm-gym collect: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # gymnasium errors (unknown id, bad kwargs) and backend errors
        if type(exc).__module__.startswith(("gymnasium", "arm_gym", "openai")):
            print(f"arm-gym collect: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
        raise
    print(f"{args.out}: {stats.summary()}")
    return 0
