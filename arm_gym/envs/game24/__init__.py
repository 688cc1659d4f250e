"""ARM-Game24-v0: the Game of 24 as Tree-of-Thoughts and ARMAP pose it (:class:`Game24Env`)."""

from __future__ import annotations

from arm_gym.envs.game24.env import Game24Env, Game24State

__all__ = ["Game24Env", "Game24State"]
