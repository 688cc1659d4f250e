"""The ``arm-gym`` command line: ``arm-gym --help`` lists the sub-commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from arm_gym.commands import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command of :data:`arm_gym.commands.COMMAND_MODULES`."""
    from arm_gym import __version__

    parser = argparse.ArgumentParser(
        prog="arm-gym",
        description="Agent benchmarks as Gymnasium text environments, with rewards learned from the environment.",
    )
    parser.add_argument("--version", action="version", version=f"arm-gym {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``arm-gym``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
