"""Game of 24 arithmetic: exact steps, the solver, and the project's own puzzle set with a difficulty order.

A state is a sorted tuple of :class:`~fractions.Fraction`. A step combines two numbers with
``+ - * /`` into one; commutative operations are listed once (smaller operand first), ``-`` and
``/`` in both orders, division by zero never. The puzzle set is every multiset of four numbers in
1–13 from which some sequence of steps reaches 24 (1,362 of the 1,820 multisets, the same set as
Tree-of-Thoughts' ``24.csv``). Difficulty is the number of distinct winning step sequences: fewer
is harder.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Iterator, Sequence
from fractions import Fraction
from itertools import combinations_with_replacement
from typing import NamedTuple

TARGET = Fraction(24)
State = tuple[Fraction, ...]


class Move(NamedTuple):
    """One step: ``left op right = result``, and the state it leads to."""

    left: Fraction
    op: str
    right: Fraction
    result: Fraction
    next_state: State

    @property
    def text(self) -> str:
        """The action string, e.g. ``"4 + 8 = 12"``."""
        return f"{fmt(self.left)} {self.op} {fmt(self.right)} = {fmt(self.result)}"


def fmt(x: Fraction) -> str:
    """``12`` for integers, ``8/3`` otherwise."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def format_state(state: Sequence[Fraction]) -> str:
    """The numbers space-separated, e.g. ``"4 8 8 10"``."""
    return " ".join(fmt(x) for x in state)


def apply(a: Fraction, op: str, b: Fraction) -> Fraction | None:
    """``a op b``, or ``None`` for division by zero."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return None if b == 0 else a / b
    raise ValueError(f"unknown operation {op!r}")


def moves(state: State) -> list[Move]:
    """Every distinct legal step from ``state``, in a fixed order."""
    out: list[Move] = []
    seen: set[tuple[Fraction, str, Fraction]] = set()
    n = len(state)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = state[i], state[j]
            rest = state[:i] + state[i + 1 : j] + state[j + 1 :]
            for left, op, right in ((a, "+", b), (a, "*", b), (b, "-", a), (a, "-", b), (b, "/", a), (a, "/", b)):
                key = (left, op, right)
                if key in seen:
                    continue
                result = apply(left, op, right)
                if result is None:
                    continue
                seen.add(key)
                out.append(Move(left, op, right, result, tuple(sorted(rest + (result,)))))
    return out


@functools.cache
def count_solutions(state: State) -> int:
    """How many distinct step sequences from ``state`` end on exactly 24."""
    if len(state) == 1:
        return int(state[0] == TARGET)
    return sum(count_solutions(m.next_state) for m in moves(state))


def solve(numbers: Sequence[int | Fraction]) -> list[str] | None:
    """A winning sequence of step actions for ``numbers``, or ``None`` when 24 cannot be reached."""
    state: State = tuple(sorted(Fraction(x) for x in numbers))
    path: list[str] = []
    while len(state) > 1:
        for move in moves(state):
            if count_solutions(move.next_state):
                path.append(move.text)
                state = move.next_state
                break
        else:
            return None
    return path if state[0] == TARGET else None


class Puzzle(NamedTuple):
    """A puzzle: its four numbers (ascending) and its number of winning step sequences."""

    numbers: tuple[int, ...]
    solutions: int

    @property
    def task_id(self) -> str:
        return " ".join(map(str, self.numbers))


PUZZLES_FILE = os.path.join(os.path.dirname(__file__), "puzzles.txt")
"""The computed puzzle set, shipped so that ``gym.make`` needs no search (``compute_puzzles`` rebuilds it)."""


def compute_puzzles() -> tuple[Puzzle, ...]:
    """Every solvable multiset of four numbers in 1–13, easiest (most solutions) first, ties by numbers.

    Searches all 1,820 multisets (seconds); :func:`project_puzzles` reads the same list from disk.
    """
    puzzles = []
    for numbers in combinations_with_replacement(range(1, 14), 4):
        n = count_solutions(tuple(Fraction(x) for x in numbers))
        if n:
            puzzles.append(Puzzle(numbers, n))
    puzzles.sort(key=lambda p: (-p.solutions, p.numbers))
    return tuple(puzzles)


@functools.lru_cache(maxsize=1)
def project_puzzles() -> tuple[Puzzle, ...]:
    """The project's puzzle set in difficulty order (read from :data:`PUZZLES_FILE`)."""
    puzzles = []
    with open(PUZZLES_FILE, encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                *numbers, solutions = (int(x) for x in line.split())
                puzzles.append(Puzzle(tuple(numbers), solutions))
    return tuple(puzzles)


def write_puzzles_file(path: str | os.PathLike = PUZZLES_FILE) -> None:
    """Recompute the puzzle set and write it in :func:`project_puzzles`' format."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# four numbers, then the number of distinct winning step sequences; easiest first\n")
        fh.writelines(f"{' '.join(map(str, p.numbers))} {p.solutions}\n" for p in compute_puzzles())


def parse_numbers(text: str) -> tuple[int, ...]:
    """``"10 4 8 8"`` → ``(4, 8, 8, 10)``; raises ``ValueError`` unless four positive integers."""
    parts = text.split()
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise ValueError(f"a Game of 24 puzzle is four positive integers like '4 8 8 10', not {text!r}")
    numbers = tuple(sorted(int(p) for p in parts))
    if numbers[0] < 1:
        raise ValueError(f"puzzle numbers must be positive: {text!r}")
    return numbers


def load_tot_csv(path: str | os.PathLike) -> tuple[Puzzle, ...]:
    """Puzzles of a Tree-of-Thoughts ``24.csv`` (columns ``Rank``, ``Puzzles``), in rank order."""
    rows: list[tuple[float, Puzzle]] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "Puzzles" not in reader.fieldnames:
            raise ValueError(f"{path}: not a Game of 24 CSV (expected a 'Puzzles' column)")
        for lineno, row in enumerate(reader, start=2):
            try:
                numbers = parse_numbers(row["Puzzles"] or "")
                rank = float(row.get("Rank") or lineno)
            except ValueError as exc:
                raise ValueError(f"{path}:{lineno}: {exc}") from exc
            rows.append((rank, Puzzle(numbers, count_solutions(tuple(Fraction(x) for x in numbers)))))
    rows.sort(key=lambda r: r[0])
    return tuple(p for _, p in rows)


def iter_step_texts(state: State) -> Iterator[str]:
    """The action strings of :func:`moves` (the env's admissible actions)."""
    return (m.text for m in moves(state))


if __name__ == "__main__":
    write_puzzles_file()
    print(f"wrote {len(compute_puzzles())} puzzles to {PUZZLES_FILE}")
