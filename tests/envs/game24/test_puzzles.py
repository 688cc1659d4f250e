"""The project's Game of 24 puzzle set, its difficulty order and the solver."""

from __future__ import annotations

import csv
from fractions import Fraction

import pytest

from arm_gym.envs.game24.puzzles import (
    compute_puzzles,
    count_solutions,
    load_tot_csv,
    moves,
    parse_numbers,
    project_puzzles,
    solve,
)
from tests.shared_data import GAME24_CSV


def test_shipped_puzzle_file_equals_the_computation():
    assert project_puzzles() == compute_puzzles()


def test_puzzle_set_equals_tree_of_thoughts_csv():
    with GAME24_CSV.open() as fh:
        tot = {tuple(sorted(int(x) for x in row["Puzzles"].split())) for row in csv.DictReader(fh)}
    ours = {p.numbers for p in project_puzzles()}
    assert len(ours) == 1362 and ours == tot


def test_difficulty_order_most_solutions_first():
    counts = [p.solutions for p in project_puzzles()]
    assert counts == sorted(counts, reverse=True) and counts[-1] == 1


def test_solver_solutions_replay_to_24():
    for puzzle in project_puzzles()[::50]:
        state = tuple(Fraction(x) for x in puzzle.numbers)
        for action in solve(puzzle.numbers):
            state = next(m.next_state for m in moves(state) if m.text == action)
        assert state == (Fraction(24),)
    assert solve([1, 1, 1, 1]) is None


def test_moves_dedupe_and_skip_division_by_zero():
    texts = [m.text for m in moves((Fraction(0), Fraction(5)))]
    assert "5 / 0 = 0" not in texts and "0 / 5 = 0" in texts
    assert len(texts) == len(set(texts))
    assert count_solutions((Fraction(24),)) == 1


def test_parse_numbers_and_bad_csv(tmp_path):
    assert parse_numbers("10 4 8 8") == (4, 8, 8, 10)
    with pytest.raises(ValueError, match="four positive integers"):
        parse_numbers("1 2 3")
    bad = tmp_path / "bad.csv"
    bad.write_text("Rank,Puzzles\n1,1 2 3 x\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        load_tot_csv(bad)
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="Puzzles"):
        load_tot_csv(bad)
