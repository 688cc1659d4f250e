"""Sub-commands of the ``arm-gym`` CLI, one module each.

Each module defines ``add_parser(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed ``argparse.Namespace`` and returning an exit code. Modules import
heavy libraries inside ``func`` only, so ``arm-gym --help`` stays fast. What they share (the
``--llm-*`` options, JSON options, error reporting) is in :mod:`arm_gym.commands.common`.
"""

COMMAND_MODULES: tuple[str, ...] = (
    "arm_gym.commands.list_envs",
    "arm_gym.commands.play",
    "arm_gym.commands.collect",
    "arm_gym.commands.synthesize",
    "arm_gym.commands.train_rm",
    "arm_gym.commands.eval_rm",
    "arm_gym.commands.plan",
    "arm_gym.commands.report",
    "arm_gym.commands.quickstart",
    "arm_gym.commands.train_rl",
)
