"""The Game of 24's synthesis adapter: the solver as expert, ``miss_24`` and ``false_24`` negatives, its examples."""

from __future__ import annotations

import re
from collections.abc import Sequence

import gymnasium as gym
import numpy as np

from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import TARGET, apply, fmt, parse_numbers, solve
from arm_gym.envs.synthesis import Candidate, Intent, SynthesisAdapter
from arm_gym.trajectory import Trajectory

POLICY_EXAMPLE = """\
Task: Use the numbers 4 8 8 10 and basic arithmetic operations (+ - * /) to obtain 24. Each step combines two \
of the numbers left into one; the last number must be 24.
Observation: Numbers left: 4 8 8 10
Valid actions: 4 + 8 = 12 | 4 * 8 = 32 | 8 - 4 = 4 | 10 - 4 = 6 | 8 + 8 = 16 | 8 + 10 = 18 | 10 - 8 = 2 | 8 / 4 = 2
Action: 10 - 8 = 2
Observation: 10 - 8 = 2 (left: 2 4 8)
Valid actions: 2 + 4 = 6 | 2 * 4 = 8 | 2 + 8 = 10 | 2 * 8 = 16 | 8 - 2 = 6 | 4 + 8 = 12 | 8 / 4 = 2
Action: 4 + 8 = 12
Observation: 4 + 8 = 12 (left: 2 12)
Valid actions: 2 + 12 = 14 | 2 * 12 = 24 | 12 - 2 = 10 | 12 / 2 = 6
Action: 2 * 12 = 24
Observation: 2 * 12 = 24 (left: 24). The game is over.
"""

INTENT_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Start: Numbers left: 2 3 4 8\nActions: 8 - 4 = 4; 3 * 4 = 12; 2 * 12 = 24\n"
        "Outcome: 2 * 12 = 24 (left: 24). The game is over.",
        "Use the numbers 2 3 4 8 and basic arithmetic operations (+ - * /) to obtain 24.",
    ),
    (
        "Start: Numbers left: 1 5 5 5\nActions: 1 / 5 = 1/5; 5 - 1/5 = 24/5; 5 * 24/5 = 24\n"
        "Outcome: 5 * 24/5 = 24 (left: 24). The game is over.",
        "Use the numbers 1 5 5 5 and basic arithmetic operations (+ - * /) to obtain 24.",
    ),
)

NEGATIVE_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "Use the numbers 1 2 3 4 and basic arithmetic operations (+ - * /) to obtain 24.",
        "1 * 2 = 2\n2 * 3 = 6\n4 * 6 = 24",
        "1 + 2 = 3\n3 * 3 = 9\n4 + 9 = 13",
    ),
)


def false_24(positive_actions: Sequence[str]) -> list[Candidate]:
    """Without arithmetic checks: the positive's last step with another operation, still claiming 24.
    It reads like a solution; only the arithmetic says otherwise."""
    try:
        step = parse_step(positive_actions[-1]) if positive_actions else None
    except ValueError:  # a number that cannot be read
        return []
    if step is None:
        return []
    a, op, b, _ = step
    for other in "+-*/":
        value = apply(a, other, b)
        if other != op and value is not None and value != TARGET:
            return [Candidate("false_24", [*positive_actions[:-1], f"{fmt(a)} {other} {fmt(b)} = 24"])]
    return []


class Game24Synthesis(SynthesisAdapter):
    """Game of 24: the solver is the expert; a different last combination is ``miss_24``; with
    ``check_arithmetic=False`` the expert's last step with a wrong operation that still claims 24 is ``false_24``."""

    intent_examples = INTENT_EXAMPLES
    negative_examples = NEGATIVE_EXAMPLES
    policy_examples = (POLICY_EXAMPLE,)
    deviate_kind = "miss_24"

    def expert_actions(self, env: gym.Env, intent: Intent) -> list[str] | None:
        try:
            return solve(parse_numbers(intent.task_id))
        except ValueError:
            return None

    def negatives(
        self, env: gym.Env, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator
    ) -> list[list[Candidate]]:
        if getattr(env.unwrapped, "check_arithmetic", True):
            return []
        return [false_24(positive_actions)]

    def intent_names_task(self, text: str, grounded: Intent) -> bool:
        """Every number of the puzzle is named (as often as it occurs)."""
        have = re.findall(r"\d+", text.lower())
        wanted = grounded.task_id.split()
        return all(have.count(n) >= wanted.count(n) for n in set(wanted))

    def outcome_claim(self, trajectory: Trajectory) -> float:
        """1.0 when the last action claims 24: a step whose stated result is 24, or an ``answer:``."""
        if not trajectory.steps:
            return 0.0
        last = trajectory.steps[-1].action
        if last.strip().lower().startswith("answer"):
            return 1.0
        try:
            step = parse_step(last)
        except ValueError:
            return 0.0
        return 1.0 if step is not None and step[3] == TARGET else 0.0
