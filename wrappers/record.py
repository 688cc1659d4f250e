"""RecordTrajectory: append every finished episode to a JSON-lines file in the trajectory schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import gymnasium as gym

from arm_gym.jsonl import JsonlWriter
from arm_gym.trajectory import EpisodeRecorder, env_id_of, load_trajectories

__all__ = ["RecordTrajectory", "load_trajectories"]


class RecordTrajectory(gym.Wrapper[str, str, str, str]):
    """Write each finished episode as one JSON line (schema: :class:`arm_gym.trajectory.Trajectory`).

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
        self._recorder: EpisodeRecorder | None = None
        self.episodes_written = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        self._flush(complete=False)
        obs, info = self.env.reset(seed=seed, options=options)
        meta = {**self.meta, **({"options": options} if options else {})}
        self._recorder = EpisodeRecorder(env_id_of(self.env), obs, info, seed=seed, meta=meta)
        return obs, info

    def step(self, action: str):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if self._recorder is not None and self._recorder.step(action, obs, reward, terminated, truncated, info):
            self._flush(complete=True)
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self._flush(complete=False)
        self._writer.close()
        super().close()

    def _flush(self, *, complete: bool) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is None or (not complete and not (self.write_incomplete and recorder.trajectory.steps)):
            return
        self._writer.write(recorder.finish(complete=complete).to_dict())
        self.episodes_written += 1
