"""An env made where it is used: what a picklable backend worker holds instead of an env."""

from __future__ import annotations

from typing import Any

import gymnasium as gym


class LazyEnv:
    """``make_env(env_id, **env_kwargs)`` on the first :meth:`get` in the process that calls it, or a lent ``env``.

    It pickles without the env, so each backend worker (a Ray actor) makes its own; :meth:`close` closes what it
    holds (a lent env too: the worker that was lent it is its last user).
    """

    def __init__(self, env_id: str, env_kwargs: dict[str, Any] | None = None, env: gym.Env | None = None):
        self.env_id, self.env_kwargs, self.env = env_id, dict(env_kwargs or {}), env

    def get(self) -> gym.Env:
        """The env, made on the first call."""
        if self.env is None:
            from arm_gym.envs import make_env

            self.env = make_env(self.env_id, **self.env_kwargs)
        return self.env

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "env": None}

    def close(self) -> None:
        if self.env is not None:
            self.env.close()
            self.env = None
