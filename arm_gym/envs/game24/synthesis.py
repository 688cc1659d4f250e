"""The Game of 24's synthesis adapter: the solver as expert; ``miss_24``, ``false_24``, ``wrong_step``, ``dead_end`` and
``false_claim`` negatives; its examples; and arithmetic mistakes for error-making evaluation policies."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.game24.env import parse_step
from arm_gym.envs.game24.puzzles import TARGET, apply, count_solutions, fmt, moves, parse_numbers, solve
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


def read_step(action: str) -> tuple[Fraction, str, Fraction, Fraction] | None:
    """``(a, op, b, stated result)`` of a step action; ``None`` for anything else (an answer, a number that
    cannot be read)."""
    try:
        return parse_step(action)
    except ValueError:
        return None


def is_last_step(info: Mapping[str, Any]) -> bool:
    """Whether the next step ends the game: every admissible step combines the same two numbers (two numbers
    left). Three equal numbers look the same; a claim of 24 there is a wrong intermediate step, still a mistake."""
    pairs = set()
    for text in info.get("admissible_actions") or ():
        step = read_step(str(text))
        if step is None:
            return False
        pairs.add(tuple(sorted((step[0], step[2]))))
    return len(pairs) == 1


def wrong_step(action: str, last: bool, rng: np.random.Generator) -> str | None:
    """``action`` (a step ``a op b = c``) with a wrong stated result: on the last step a false claim of 24
    (another operation where the true result is 24), otherwise a near miss (off by one or two) or the result
    of another operation. ``None`` when ``action`` is not a step."""
    step = read_step(action)
    if step is None:
        return None
    a, op, b, _ = step
    true = apply(a, op, b)
    if true is None:
        return None
    if last:
        if true != TARGET:
            return f"{fmt(a)} {op} {fmt(b)} = 24"
        others = [o for o in "+-*/" if o != op and apply(a, o, b) not in (None, TARGET)]
        return f"{fmt(a)} {others[int(rng.integers(len(others)))]} {fmt(b)} = 24" if others else None
    wrong = wrong_results(a, op, b)
    if not wrong:
        return None
    return f"{fmt(a)} {op} {fmt(b)} = {fmt(wrong[int(rng.integers(len(wrong)))])}"


def wrong_results(a: Fraction, op: str, b: Fraction) -> list[Fraction]:
    """Plausible wrong results of ``a op b``: off by one or two, or another operation's result (not negative
    unless the true result is)."""
    true = apply(a, op, b)
    if true is None:
        return []
    wrong = {true + d for d in (-2, -1, 1, 2)} | {apply(a, o, b) for o in "+-*/" if o != op}
    return sorted(Fraction(w) for w in wrong if w is not None and w != true and (w >= 0 or true < 0))


def false_24(positive_actions: Sequence[str]) -> list[Candidate]:
    """Without arithmetic checks: the positive's last step with another operation, still claiming 24.
    It reads like a solution; only the arithmetic says otherwise."""
    step = read_step(positive_actions[-1]) if positive_actions else None
    if step is None:
        return []
    a, op, b, _ = step
    for other in "+-*/":
        value = apply(a, other, b)
        if other != op and value is not None and value != TARGET:
            return [Candidate("false_24", [*positive_actions[:-1], f"{fmt(a)} {other} {fmt(b)} = 24"])]
    return []


def state_after(numbers: Sequence[int | Fraction], actions: Sequence[str]) -> tuple[Fraction, ...] | None:
    """The numbers left after ``actions`` taken at face value (stated results), or ``None`` if one is not a step
    on the numbers then left."""
    state = sorted(Fraction(x) for x in numbers)
    for action in actions:
        step = read_step(action)
        if step is None:
            return None
        a, _, b, c = step
        for x in (a, b):
            if x not in state:
                return None
            state.remove(x)
        state = sorted([*state, c])
    return tuple(state)


def wrong_step_negative(
    numbers: Sequence[int], positive_actions: Sequence[str], rng: np.random.Generator
) -> list[Candidate]:
    """Without arithmetic checks: one intermediate step of the positive with a wrong stated result
    (:func:`wrong_step`), then a correct path to 24 from the numbers as stated. Every step but one is right and
    the last says 24: only checking each step's arithmetic tells it from a solution."""
    options = []
    for k in range(len(positive_actions) - 1):
        step = read_step(positive_actions[k])
        if step is None:
            return []
        a, op, b, _ = step
        for value in wrong_results(a, op, b):
            prefix = [*positive_actions[:k], f"{fmt(a)} {op} {fmt(b)} = {fmt(value)}"]
            state = state_after(numbers, prefix)
            rest = solve(state) if state else None
            if rest:
                options.append([*prefix, *rest])
    if not options:
        return []
    return [Candidate("wrong_step", options[int(rng.integers(len(options)))])]


def false_claim(numbers: Sequence[int], positive_actions: Sequence[str], rng: np.random.Generator) -> list[Candidate]:
    """Without arithmetic checks: a start of the positive, correct steps of its own, then a last step that claims
    24 where its true result is not (two numbers left that no operation brings to 24, or the wrong one)."""
    if not positive_actions:
        return []
    keep = int(rng.integers(len(positive_actions)))
    actions = list(positive_actions[:keep])
    state = state_after(numbers, actions)
    if state is None:
        return []
    while len(state) > 2:
        options = moves(state)
        move = options[int(rng.integers(len(options)))]
        actions.append(move.text)
        state = move.next_state
    wrong = [m for m in moves(state) if m.result != TARGET]
    if len(state) != 2 or not wrong:
        return []
    move = wrong[int(rng.integers(len(wrong)))]
    return [Candidate("false_claim", [*actions, f"{fmt(move.left)} {move.op} {fmt(move.right)} = 24"])]


def dead_end(numbers: Sequence[int], positive_actions: Sequence[str], rng: np.random.Generator) -> list[Candidate]:
    """A start of the positive, then a correct step after which no sequence reaches 24 (the solver checks), then
    correct steps to the end. Unlike ``miss_24`` it goes wrong before the last step, so its prefixes teach a
    reward model which partial trajectories are already lost (what a shaped reward pays for)."""
    for k in rng.permutation(max(0, len(positive_actions) - 1)):
        state = state_after(numbers, positive_actions[:k])
        lost = [m for m in moves(state) if not count_solutions(m.next_state)] if state else []
        if not lost:
            continue
        move = lost[int(rng.integers(len(lost)))]
        actions, state = [*positive_actions[:k], move.text], move.next_state
        while len(state) > 1:
            options = moves(state)
            move = options[int(rng.integers(len(options)))]
            actions.append(move.text)
            state = move.next_state
        return [Candidate("dead_end", actions)]
    return []


class Game24Synthesis(SynthesisAdapter):
    """Game of 24: the solver is the expert; a different last combination is ``miss_24``; with
    ``check_arithmetic=False`` three kinds of arithmetic mistake: the expert's last step with a wrong operation that
    still claims 24 (``false_24``), a wrong intermediate result followed by a correct finish (``wrong_step``), and
    a last step that claims 24 after a start of its own (``false_claim``); with or without checks, a step before
    the last after which 24 cannot be reached (``dead_end``)."""

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
        try:
            numbers = parse_numbers(intent.task_id)
        except ValueError:
            return []
        if getattr(env.unwrapped, "check_arithmetic", True):
            return [dead_end(numbers, positive_actions, rng)]
        return [false_24(positive_actions), wrong_step_negative(numbers, positive_actions, rng),
                false_claim(numbers, positive_actions, rng), dead_end(numbers, positive_actions, rng)]

    def intent_names_task(self, text: str, grounded: Intent) -> bool:
        """Every number of the puzzle is named (as often as it occurs)."""
        have = re.findall(r"\d+", text.lower())
        wanted = grounded.task_id.split()
        return all(have.count(n) >= wanted.count(n) for n in set(wanted))

    def corrupt_action(self, action: str, info: Mapping[str, Any], rng: np.random.Generator) -> str | None:
        """A step with a wrong stated result (:func:`wrong_step`): a false claim of 24 on the last step, a near
        miss or another operation's result before it. With ``check_arithmetic=False`` the env takes it at face
        value and scores the episode 0; with arithmetic checks it is an invalid action."""
        return wrong_step(action, is_last_step(info), rng)

    def outcome_claim(self, trajectory: Trajectory) -> float:
        """1.0 when the last action claims 24: a step whose stated result is 24, or an ``answer:``."""
        if not trajectory.steps:
            return 0.0
        last = trajectory.steps[-1].action
        if last.strip().lower().startswith("answer"):
            return 1.0
        step = read_step(last)
        return 1.0 if step is not None and step[3] == TARGET else 0.0
