"""Fixtures shared by the env test modules."""

from __future__ import annotations

import pytest

from tests.envs.textworld_games_used import TEXTWORLD_GAMES


@pytest.fixture(scope="session")
def textworld_cache(tmp_path_factory):
    """A TextWorld game cache holding :data:`TEXTWORLD_GAMES`, compiled once per test session."""
    from arm_gym.envs.textworld_games import GameSpec, build_game

    root = tmp_path_factory.getbasetemp() / "arm_gym_textworld_cache"
    for task_id in TEXTWORLD_GAMES.values():
        build_game(GameSpec.parse(task_id), root)
    return root
