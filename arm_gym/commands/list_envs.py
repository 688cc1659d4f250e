"""``arm-gym list``: the registered environment ids with a one-line description each."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("list", help="list the registered ARM-* environment ids", description=__doc__)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.envs import ENV_SPECS

    width = max(len(spec.id) for spec in ENV_SPECS)
    for spec in ENV_SPECS:
        print(f"{spec.id:<{width}}  {spec.description}")
    return 0
