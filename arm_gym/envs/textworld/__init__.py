"""ARM-TextWorld-v0: TextWorld games generated and compiled locally (:class:`TextWorldEnv`).

Importing this package does not import ``textworld``; building or playing a game does.
"""

from __future__ import annotations

from arm_gym.envs.textworld.env import TextWorldEnv, TextWorldState

__all__ = ["TextWorldEnv", "TextWorldState"]
