"""ARM-Game24-v0: the Game of 24 as a multi-step text environment (the ToT / ARMAP formulation).

The state is the numbers left. An action combines two of them, ``"4 + 8 = 12"``; the step that
leaves one number ends the episode, with reward 1 when that number is 24. A one-shot
``"answer: (4 + 8) * (10 - 8)"`` over the puzzle's (or the remaining) numbers is accepted too.
Arithmetic is exact (fractions print as ``8/3``). Invalid actions (unknown numbers, a wrong
result, division by zero, junk) get an observation saying why, reward 0, and the episode goes on.

``check_arithmetic=False`` is ARMAP's setting, where an LLM writes the steps: a step's stated
result is taken at face value (``"4 + 8 = 13"`` leaves 13), and only the reward knows whether
every step was right.

Observations are outcome-blind by default: the last one ends with ``"The game is over."`` whether
the puzzle is solved or not, so a reward model has to check the arithmetic itself. With
``reveal_outcome=True`` it says ``"You reached 24 and solved the puzzle."`` or why the puzzle is
failed (a result other than 24, or a wrong step with ``check_arithmetic=False``).

Splits: the project's 1,362 puzzles in difficulty order (most winning step sequences first);
``test`` is positions 900–999 of that order (as Tree-of-Thoughts takes ranks 901–1000 of its
list), ``train`` the other 1,262. With ``puzzles_path`` pointing at a ToT ``24.csv``, its rank
order is used instead, with the same positions as test. Task ids are the four numbers ascending,
e.g. ``"4 8 8 10"``; any four positive integers are accepted as a task id.

Example:
    >>> import gymnasium as gym, arm_gym
    >>> env = gym.make("ARM-Game24-v0")
    >>> obs, info = env.reset(options={"task_id": "4 8 8 10"})
    >>> obs
    'Numbers left: 4 8 8 10'
    >>> env.step("4 + 8 = 12")[0]
    '4 + 8 = 12 (left: 8 10 12)'
"""

from __future__ import annotations

import ast
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from arm_gym.core import ReplayState, StepResult, TextEnv, shorten
from arm_gym.envs.game24.puzzles import (
    TARGET,
    Puzzle,
    State,
    apply,
    fmt,
    format_state,
    load_tot_csv,
    moves,
    parse_numbers,
    project_puzzles,
)

TEST_SLICE = slice(900, 1000)
_NUM = r"-?\d+(?:\.\d+)?(?:/\d+)?"
_STEP_RE = re.compile(rf"^\s*({_NUM})\s*([-+*/×x÷])\s*({_NUM})\s*=\s*({_NUM})\s*(?:\(left:[^)]*\))?\s*\.?\s*$")
_ANSWER_RE = re.compile(r"^\s*answer\s*:\s*(.+?)\s*(?:=\s*24(?:\.0*)?\s*)?\.?\s*$", re.IGNORECASE | re.DOTALL)
_OPS = {"×": "*", "x": "*", "÷": "/"}
_HELP = "Combine two of the numbers left, like '4 + 8 = 12', or give 'answer: <expression using the numbers>'."


class InvalidAction(ValueError):
    """Raised inside the env to turn a bad action into an explanatory observation."""


@dataclass(frozen=True)
class Game24State:
    """A snapshot of a Game of 24 episode (cheap to copy: planners branch on it)."""

    task_id: str
    numbers: State
    actions: tuple[str, ...]
    done: bool
    won: bool
    last_observation: str
    wrong_steps: int = 0


def parse_number(text: str) -> Fraction:
    """``"12"``, ``"-4"``, ``"8/3"`` or ``"0.5"`` as an exact fraction."""
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise InvalidAction(f"'{shorten(text, 20)}' is not a number.") from exc


def parse_step(action: str) -> tuple[Fraction, str, Fraction, Fraction] | None:
    """``"4 + 8 = 12"`` as ``(4, "+", 8, 12)``; ``None`` when ``action`` is not a step.

    The arithmetic is not checked; a number that cannot be read raises :class:`InvalidAction`.
    """
    match = _STEP_RE.match(action)
    if not match:
        return None
    left, op, right, claimed = match.groups()
    return parse_number(left), _OPS.get(op, op), parse_number(right), parse_number(claimed)


def evaluate_expression(expression: str) -> tuple[Fraction, list[Fraction]]:
    """Exactly evaluate an arithmetic expression of numbers, ``+ - * /`` and parentheses.

    Returns the value and the numbers used; raises :class:`InvalidAction` for anything else.
    """
    expression = expression.replace("×", "*").replace("÷", "/")
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: the answer is invalid anyway
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise InvalidAction(f"cannot read the expression '{shorten(expression, 60)}'.") from exc
    used: list[Fraction] = []

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if type(node.value) is float and not math.isfinite(node.value):
                raise InvalidAction(f"'{shorten(ast.get_source_segment(expression, node) or '', 20)}' is not a finite number.")
            value = Fraction(node.value) if type(node.value) is int else Fraction(str(node.value))
            used.append(value)
            return value
        if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
            result = apply(ev(node.left), op, ev(node.right))
            if result is None:
                raise InvalidAction("the expression divides by zero.")
            return result
        raise InvalidAction("only numbers, + - * / and parentheses may appear in an answer.")

    try:
        return ev(tree.body), used
    except RecursionError as exc:
        raise InvalidAction("the expression is nested too deeply.") from exc


class Game24Env(TextEnv):
    """Game of 24. See the module docstring for the rules, splits and task ids.

    Args:
        puzzles_path: a Tree-of-Thoughts ``24.csv`` whose rank order defines the splits.
        max_steps: truncate after this many actions (invalid ones count), default 10.
        check_arithmetic: refuse a step whose stated result is wrong (default); with ``False`` the
            stated result stands and the episode's reward is 0 if any step was wrong.
        reveal_outcome: end the last observation with whether the puzzle is solved (default: only
            ``"The game is over."``; the outcome is in ``info["won"]`` and the reward either way).
        split, render_mode: as :class:`arm_gym.core.TextEnv`.
    """

    reset_options = frozenset()
    synthesis_adapter = "arm_gym.envs.game24.synthesis:Game24Synthesis"

    def __init__(
        self,
        *,
        puzzles_path: str | os.PathLike | None = None,
        split: str = "train",
        max_steps: int | None = 10,
        check_arithmetic: bool = True,
        render_mode: str | None = None,
        reveal_outcome: bool = False,
    ):
        super().__init__(split=split, max_steps=max_steps, render_mode=render_mode, reveal_outcome=reveal_outcome)
        self.check_arithmetic = bool(check_arithmetic)
        self.wrong_steps = 0  # steps whose stated result was wrong (only with check_arithmetic=False)
        puzzles: Sequence[Puzzle] = load_tot_csv(puzzles_path) if puzzles_path else project_puzzles()
        ids = [p.task_id for p in puzzles]
        test = ids[TEST_SLICE]
        test_set = set(test)
        self._splits = {"train": tuple(i for i in ids if i not in test_set), "test": tuple(test)}
        self.puzzles_path = puzzles_path
        self.puzzle: tuple[int, ...] = ()
        self.numbers: State = ()
        self._done = False

    # ---------------------------------------------------------------- TextEnv hooks
    def task_ids(self, split: str) -> Sequence[str]:
        return self._splits[split]

    def has_task(self, task_id: str) -> bool:
        try:
            parse_numbers(task_id)
        except ValueError:
            return False
        return True

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        self.puzzle = parse_numbers(task_id)
        self.task_id = " ".join(map(str, self.puzzle))
        self.numbers = tuple(Fraction(x) for x in self.puzzle)
        self._done = False
        self.wrong_steps = 0
        self.instruction = (
            f"Use the numbers {self.task_id} and basic arithmetic operations (+ - * /) to obtain 24. "
            "Each step combines two of the numbers left into one; the last number must be 24."
        )
        return f"Numbers left: {format_state(self.numbers)}"

    def _step(self, action: str) -> StepResult:
        if self._done:
            return StepResult("The game is over; reset to play again.", 0.0, True, self.won)
        try:
            if _ANSWER_RE.match(action):
                return self._answer(action)
            return self._combine(action)
        except InvalidAction as exc:
            return StepResult(f"Invalid action: {exc} {_HELP} Numbers left: {format_state(self.numbers)}", 0.0, False)

    def admissible_actions(self) -> list[str]:
        if self._done:
            return []
        return [m.text for m in moves(self.numbers)]

    # ---------------------------------------------------------------- planning hooks
    def get_state(self) -> Game24State:
        return Game24State(
            self.task_id,
            self.numbers,
            tuple(self.actions_taken),
            self._done,
            self.won,
            self.last_observation,
            self.wrong_steps,
        )

    def set_state(self, state: Game24State | ReplayState) -> None:
        if isinstance(state, ReplayState):
            return super().set_state(state)
        if not isinstance(state, Game24State):
            raise TypeError(f"Game24Env.set_state expects a Game24State, got {type(state).__name__}")
        self._reset_task(state.task_id, {})
        self.numbers, self._done, self.won = state.numbers, state.done, state.won
        self.wrong_steps = state.wrong_steps
        self.actions_taken = list(state.actions)
        self.last_observation = state.last_observation

    # ---------------------------------------------------------------- rules
    def _combine(self, action: str) -> StepResult:
        step = parse_step(action)
        if step is None:
            raise InvalidAction(f"'{shorten(action, 60)}' is not a step.")
        a, op, b, c = step
        remaining = Counter(self.numbers)
        remaining.subtract([a, b])
        if any(v < 0 for v in remaining.values()):
            missing = fmt(a) if Counter(self.numbers)[a] < 1 else fmt(b)
            raise InvalidAction(f"{missing} is not among the numbers left ({format_state(self.numbers)}).")
        result = apply(a, op, b)
        if result is None:
            raise InvalidAction("division by zero.")
        if result != c:
            if self.check_arithmetic:
                raise InvalidAction(f"{fmt(a)} {op} {fmt(b)} is {fmt(result)}, not {fmt(c)}.")
            self.wrong_steps += 1  # taken at face value; only the reward will know
            result = c
        self.numbers = tuple(sorted(list(remaining.elements()) + [result]))
        text = f"{fmt(a)} {op} {fmt(b)} = {fmt(result)} (left: {format_state(self.numbers)})"
        if len(self.numbers) > 1:
            return StepResult(text, 0.0, False)
        return self._finish(text, self.numbers[0])

    def _answer(self, action: str) -> StepResult:
        expression = _ANSWER_RE.match(action).group(1)  # type: ignore[union-attr]
        value, used = evaluate_expression(expression)
        allowed = [Counter(Fraction(x) for x in self.puzzle), Counter(self.numbers)]
        if Counter(used) not in allowed:
            raise InvalidAction(
                f"an answer must use each of {self.task_id} exactly once "
                f"(or the numbers left, {format_state(self.numbers)}); it used {format_state(used)}."
            )
        self.numbers = (value,)
        return self._finish(f"Answer: {shorten(expression, 120)} = {fmt(value)}", value)

    def _finish(self, text: str, value: Fraction) -> StepResult:
        self._done = True
        won = value == TARGET and self.wrong_steps == 0
        if not self.reveal_outcome:  # the observation must not tell a reward model the outcome
            return StepResult(f"{text}. The game is over.", float(won), True, won)
        if won:
            return StepResult(f"{text}. You reached 24 and solved the puzzle.", 1.0, True, True)
        if value == TARGET:
            return StepResult(f"{text}. A step's arithmetic was wrong: the puzzle is failed.", 0.0, True, False)
        return StepResult(f"{text}. The result is {fmt(value)}, not 24: the puzzle is failed.", 0.0, True, False)
