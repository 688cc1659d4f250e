"""RecordTrajectory: append every finished episode to a JSON-lines file in the trajectory schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import gymnasium as gym

from arm_gym.core import Step, Trajectory
from arm_gym.data.jsonl import JsonlWriter, read_jsonl


class RecordTrajectory(gym.Wrapper[str, str, str, str]):
    """Write each finished episode as one JSON line (schema: :class:`arm_gym.core.Trajectory`).

    Episodes are written when they terminate or are truncated; an episode cut short by a new
    ``reset`` or by ``close`` is written too, with ``meta["complete"] = False``. Lines are appended
    whole, so an interrupted run leaves every earlier line loadable.

    Example:
        >>> import gymnasium as gym, arm_gym
        >>> from arm_gym.wrappers import RecordTrajectory, load_trajectories
        >>> env = RecordTrajectory(gym.make("ARM-Game24-v0"), "/tmp/trajs.jsonl")
        >>> obs, info = env.reset(seed=0)
        >>> obs, r, term, trunc, info = env.step(info["admissible_actions"][0])

    Args:
        env: the text environment (its ``info`` should carry ``instruction`` and ``task_id``).
        path: the JSON-lines file to append to.
        meta: extra fields stored in every record's ``meta`` (e.g. the policy's name).
        fsync: ``os.fsync`` after every episode.
        write_incomplete: also write episodes abandoned before they ended.
    """

    def __init__(
        self,
        env: gym.Env,
        path: str | os.PathLike,
        *,
        meta: dict[str, Any] | None = None,
        fsync: bool = False,
        write_incomplete: bool = True,
    ):
        super().__init__(env)
        self.path = Path(path)
        self.meta = dict(meta or {})
        self.write_incomplete = write_incomplete
        self._writer = JsonlWriter(self.path, fsync=fsync)
        self._current: Trajectory | None = None
        self.episodes_written = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._flush(complete=False)
        obs, info = self.env.reset(seed=seed, options=options)
        spec = self.env.spec
        self._current = Trajectory(
            env_id=spec.id if spec is not None else type(self.env.unwrapped).__name__,
            task_id=str(info.get("task_id", "")),
            instruction=str(info.get("instruction", "")),
            initial_observation=obs,
            seed=seed,
            meta={**self.meta, **({"options": options} if options else {})},
        )
        return obs, info

    def step(self, action: str):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._current is not None:
            self._current.steps.append(Step(str(action), obs, float(reward)))
            self._current.env_return += float(info.get("env_reward", reward))
            self._current.won = bool(info.get("won", False))
            if terminated or truncated:
                self._current.meta["terminated"] = bool(terminated)
                self._flush(complete=True)
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._flush(complete=False)
        self._writer.close()
        super().close()

    def _flush(self, *, complete: bool) -> None:
        trajectory, self._current = self._current, None
        if trajectory is None or (not complete and not (self.write_incomplete and trajectory.steps)):
            return
        trajectory.meta["complete"] = complete
        self._writer.write(trajectory.to_dict())
        self.episodes_written += 1


def load_trajectories(path: str | os.PathLike, *, strict: bool = True) -> list[Trajectory]:
    """Read a RecordTrajectory file back into :class:`Trajectory` objects (a partial last line is skipped).

    ``strict=False`` skips (with a warning) lines that are not JSON; a JSON record that is not a
    trajectory (the wrong file) always raises ``ValueError`` naming the file and record.
    """
    trajectories = []
    for number, record in enumerate(read_jsonl(path, strict=strict), 1):
        try:
            trajectories.append(Trajectory.from_dict(record))
        except ValueError as exc:
            raise ValueError(f"{path}: record {number}: {exc}") from exc
    return trajectories
