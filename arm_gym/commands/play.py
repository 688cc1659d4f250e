"""``arm-gym play ENV_ID``: play an environment in the terminal.

Each turn shows the instruction, the observation and the admissible actions, numbered. Type an
action, or the number of an admissible one; ``:reset`` starts a new episode, ``:quit`` (or end of
input) leaves.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

MAX_LISTED = 40


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "play",
        help="play an environment in the terminal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("env_id", help="a registered id, e.g. ARM-Game24-v0 (see `arm-gym list`)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first reset")
    parser.add_argument("--task-id", default=None, help="play this task (see the env's docs for ids)")
    parser.add_argument("--split", default=None, help="task split to draw from (e.g. train, test)")
    parser.add_argument("--env-kwargs", default="{}", help='JSON dict of gym.make kwargs, e.g. \'{"max_steps": 20}\'')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym

    import arm_gym  # noqa: F401  (registers the ids)

    try:
        kwargs = json.loads(args.env_kwargs)
        if not isinstance(kwargs, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        print(f"arm-gym play: --env-kwargs must be a JSON object: {exc}", file=sys.stderr)
        return 2
    try:
        env = gym.make(args.env_id, **kwargs)
    except gym.error.Error as exc:
        print(f"arm-gym play: {exc}", file=sys.stderr)
        return 2
    options = {k: v for k, v in (("task_id", args.task_id), ("split", args.split)) if v is not None}
    try:
        return play(env, seed=args.seed, options=options, stdin=sys.stdin, stdout=sys.stdout)
    except ValueError as exc:
        print(f"arm-gym play: {exc}", file=sys.stderr)
        return 2
    finally:
        env.close()


def play(env, *, seed: int | None, options: dict, stdin: TextIO, stdout: TextIO) -> int:
    """Run the interactive loop on ``env`` until the player quits or input ends."""
    obs, info = env.reset(seed=seed, options=options)
    episode_return = 0.0
    while True:
        _show(stdout, obs, info)
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip() in (":quit", ":q"):
            stdout.write("\nbye\n")
            return 0
        command = line.rstrip("\n")
        if command.strip() == ":reset":
            obs, info = env.reset(options=options)
            episode_return = 0.0
            continue
        actions = list(info.get("admissible_actions", []))
        if command.strip().isdigit() and 1 <= int(command) <= min(len(actions), MAX_LISTED):
            command = actions[int(command) - 1]
        obs, reward, terminated, truncated, info = env.step(command)
        episode_return += float(reward)
        stdout.write(f"[action: {command}]  reward {reward:g}  return {episode_return:g}\n")
        if terminated or truncated:
            outcome = "won" if info.get("won") else ("truncated" if truncated else "ended")
            stdout.write(f"\n{obs}\n\nEpisode {outcome} with return {episode_return:g}. New episode.\n")
            obs, info = env.reset(options=options)
            episode_return = 0.0


def _show(stdout: TextIO, obs: str, info: dict) -> None:
    stdout.write(f"\n=== {info.get('task_id', '')}\nInstruction: {info.get('instruction', '')}\n\n{obs}\n")
    actions = list(info.get("admissible_actions", []))
    if actions:
        stdout.write("\nAdmissible actions:\n")
        stdout.writelines(f"  {i:>2}. {action}\n" for i, action in enumerate(actions[:MAX_LISTED], 1))
        if len(actions) > MAX_LISTED:
            stdout.write(f"  ... and {len(actions) - MAX_LISTED} more\n")
