"""Exploration: roll a policy out in K copies of an environment (a Gymnasium vector env) and record
every episode as one line of a trajectories file.

Episode ``i`` of a run uses seed ``seed + i`` and is keyed ``"{env_id}|{policy}|{seed + i}|{config hash}"``
(``meta["episode_key"]``, see :func:`episode_key`). A rerun with the same arguments reads the keys already
in the file and plays only the missing episodes, so a killed run loses at most the episodes in flight and
never writes one twice. Lines are appended whole by :class:`arm_gym.jsonl.JsonlWriter` from the main
process (sub-environments may live in other processes). Each episode's policy draws from a generator
seeded by the episode's seed, so its actions do not depend on how episodes were batched or resumed.

Example:
    >>> from arm_gym.data.explore import collect
    >>> stats = collect("ARM-Game24-v0", "trajs.jsonl", episodes=8, num_envs=4)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs import make_vec
from arm_gym.envs.synthesis import get_adapter
from arm_gym.jsonl import JsonlWriter, read_jsonl
from arm_gym.policies.base import Policy, RandomPolicy
from arm_gym.trajectory import EpisodeRecorder, Trajectory, jsonable, policy_rng, split_infos

logger = logging.getLogger(__name__)


def episode_key(env_id: str, policy: str, seed: int, config: dict[str, Any] | None = None) -> str:
    """The key that identifies one explored episode (and makes reruns resumable).

    ``config`` holds whatever else shapes the episode (step limit, env kwargs, reset options); a
    non-empty one adds a short hash, so e.g. a run on another split never mistakes its episodes for these.
    """
    key = f"{env_id}|{policy}|{seed}"
    if config:
        blob = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
        key += "|" + hashlib.sha1(blob.encode()).hexdigest()[:10]
    return key


def existing_keys(path: str | os.PathLike, *, key_field: str = "episode_key") -> set[str]:
    """The ``meta[key_field]`` values already in a trajectories file (empty when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return set()
    keys = set()
    for record in read_jsonl(path, strict=False):
        key = (record.get("meta") or {}).get(key_field)
        if key is not None:
            keys.add(str(key))
    return keys


@dataclass
class CollectStats:
    """Counts of one :func:`collect` run."""

    requested: int = 0
    skipped_existing: int = 0
    collected: int = 0
    won: int = 0
    steps: int = 0
    total_return: float = 0.0
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list, repr=False)

    @property
    def episodes_per_second(self) -> float:
        return self.collected / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        mean = self.total_return / self.collected if self.collected else 0.0
        return (
            f"{self.collected} episodes collected ({self.skipped_existing} already in the file), "
            f"{self.won} won, mean return {mean:.3f}, {self.steps} steps, "
            f"{self.seconds:.1f} s ({self.episodes_per_second:.2f} episodes/s)"
        )


def episode_config(
    max_steps: int | None, env_kwargs: dict[str, Any], reset_options: dict[str, Any]
) -> dict[str, Any]:
    """What shapes a run's episodes besides env, policy and seed (part of every episode key)."""
    config: dict[str, Any] = {}
    if max_steps is not None:
        config["max_steps"] = max_steps
    if env_kwargs:
        config["env_kwargs"] = jsonable(env_kwargs)
    if reset_options:
        config["options"] = jsonable(reset_options)
    return config


@dataclass
class _Episode:
    """One running episode in a sub-environment slot."""

    index: int
    key: str
    recorder: EpisodeRecorder
    rng: np.random.Generator
    observation: str
    info: dict[str, Any]


class _Slots:
    """The vector env's sub-environments and the episode each one plays (``None``: parked, not recorded)."""

    def __init__(
        self,
        venv: gym.vector.VectorEnv,
        env_id: str,
        meta: dict[str, Any],
        reset_options: dict[str, Any],
        pending: list[tuple[int, int, str]],
    ):
        self.venv, self.env_id, self.meta, self.reset_options = venv, env_id, meta, reset_options
        self.queue = list(reversed(pending))
        self.episodes: list[_Episode | None] = [None] * venv.num_envs

    def start(self, slots: list[int]) -> None:
        """Reset ``slots`` onto the next pending (episode, seed, key); slots left over are parked."""
        queue = self.queue
        num = self.venv.num_envs
        mask = np.zeros(num, dtype=np.bool_)
        seeds: list[int | None] = [None] * num
        assigned = {}
        for j in slots:
            mask[j] = True
            assigned[j] = queue.pop() if queue else None
            seeds[j] = assigned[j][1] if assigned[j] else 0  # a parked sub-env replays a fresh episode unrecorded
        obs, infos = self.venv.reset(seed=seeds, options={**self.reset_options, "reset_mask": mask})
        infos = split_infos(infos, num)
        for j in slots:
            if assigned[j] is None:
                self.episodes[j] = None
                continue
            index, seed, key = assigned[j]
            meta = {**self.meta, "episode": index, "episode_key": key}
            recorder = EpisodeRecorder(self.env_id, str(obs[j]), infos[j], seed=seed, meta=meta)
            self.episodes[j] = _Episode(index, key, recorder, policy_rng(seed), str(obs[j]), infos[j])

    def active(self) -> list[int]:
        return [j for j, e in enumerate(self.episodes) if e is not None]


@dataclass
class EpisodeJobs:
    """What every episode of a run shares: the env, how it is made and reset, and the records' common meta."""

    env_id: str
    env_kwargs: dict[str, Any]
    reset_options: dict[str, Any]
    meta: dict[str, Any]


def play_episodes(
    jobs: EpisodeJobs,
    pending: list[tuple[int, int, str]],
    policy: Policy,
    *,
    num_envs: int = 1,
    vectorization: str = "sync",
    on_episode: Callable[[Trajectory], None],
) -> int:
    """Play the ``(index, seed, key)`` episodes in ``num_envs`` sub-environments and hand each finished one to
    ``on_episode``; return the steps taken. Each episode depends only on its seed, so the records are the same
    however the episodes are batched, ordered or spread over processes and machines."""
    if not pending:
        return 0
    venv = make_vec(
        jobs.env_id,
        num_envs=min(num_envs, len(pending)),
        vectorization_mode=vectorization,
        vector_kwargs={"copy": False, "autoreset_mode": gym.vector.AutoresetMode.DISABLED},
        **jobs.env_kwargs,
    )
    policy.bind(get_adapter(jobs.env_id))
    stats = CollectStats()
    try:
        slots = _Slots(venv, jobs.env_id, jobs.meta, jobs.reset_options, pending)
        slots.start(list(range(venv.num_envs)))
        while slots.active():
            for episode in _step_once(slots, policy, stats):
                on_episode(episode.recorder.finish(complete=True, final_info=True))
    finally:
        venv.close()
    return stats.steps


def collect(
    env_id: str,
    out: str | os.PathLike,
    *,
    episodes: int,
    policy: Policy | None = None,
    num_envs: int = 1,
    seed: int = 0,
    max_steps: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    reset_options: dict[str, Any] | None = None,
    vectorization: str = "sync",
    progress: bool = True,
    fsync: bool = False,
    backend: Any = None,
) -> CollectStats:
    """Play ``episodes`` episodes of ``env_id`` with ``policy`` in ``num_envs`` parallel copies and append
    each finished one to ``out`` (the trajectory schema, :class:`arm_gym.trajectory.Trajectory`).

    Args:
        env_id: a registered id (``"ARM-Game24-v0"``) or an entry point ``"module:Class"``.
        out: the trajectories file; episodes whose key is already there are skipped (resume).
        policy: any :class:`~arm_gym.policies.Policy`; default a :class:`~arm_gym.policies.RandomPolicy`.
        num_envs: sub-environments stepped together (``gymnasium.vector``), per worker.
        seed: episode ``i`` is reset with seed ``seed + i``.
        max_steps: the episode step limit (``gym.make``'s ``max_episode_steps``); default: the env's own.
        env_kwargs: keyword arguments of ``gym.make``.
        reset_options: ``options`` of every reset (e.g. ``{"split": "test"}``).
        vectorization: ``"sync"`` (one process) or ``"async"`` (one process per sub-environment).
        progress: show a tqdm bar.
        fsync: ``os.fsync`` after every record.
        backend: where episodes run: ``None`` (this process) or an object with
            ``map_episodes(jobs, chunks, policy, num_envs=, vectorization=)`` yielding finished trajectories
            (e.g. :class:`arm_gym.distributed.RayBackend`). This process alone writes ``out``.
    """
    if episodes < 0:
        raise ValueError(f"episodes must be >= 0, not {episodes}")
    if num_envs < 1:
        raise ValueError(f"num_envs must be >= 1, not {num_envs}")
    if vectorization not in ("sync", "async"):
        raise ValueError(f"vectorization must be 'sync' or 'async', not {vectorization!r}")
    policy = policy or RandomPolicy(fallback_action="")
    env_kwargs, reset_options = dict(env_kwargs or {}), dict(reset_options or {})
    config = episode_config(max_steps, env_kwargs, reset_options)

    stats = CollectStats(requested=episodes)
    done_keys = existing_keys(out)
    pending = []
    for i in range(episodes):
        key = episode_key(env_id, policy.name, seed + i, config)
        if key in done_keys:
            stats.skipped_existing += 1
        else:
            pending.append((i, seed + i, key))
    if not pending:
        logger.info("%s: all %d episodes already collected", out, episodes)
        return stats

    if max_steps is not None:
        env_kwargs["max_episode_steps"] = max_steps
    jobs = EpisodeJobs(env_id, env_kwargs, reset_options, {"policy": policy.name, "collect_seed": seed, **config})
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=episodes, initial=stats.skipped_existing, desc=f"collect {env_id}", unit="ep")
    start = time.perf_counter()
    writer = JsonlWriter(out, fsync=fsync)

    def record(trajectory: Trajectory) -> None:
        key = trajectory.meta["episode_key"]
        if key in done_keys:  # a retried chunk can bring an episode back: never write one twice
            return
        done_keys.add(key)
        writer.write(trajectory.to_dict())
        stats.collected += 1
        stats.won += int(trajectory.won)
        stats.total_return += trajectory.env_return
        stats.steps += len(trajectory.steps)
        stats.keys.append(key)
        if bar is not None:
            bar.update(1)

    try:
        if backend is None:
            play_episodes(jobs, pending, policy, num_envs=num_envs, vectorization=vectorization, on_episode=record)
        else:
            for trajectory in backend.map_episodes(jobs, pending, policy, num_envs=num_envs,
                                                   vectorization=vectorization):
                record(trajectory)
    finally:
        writer.close()
        if bar is not None:
            bar.close()
        stats.seconds = time.perf_counter() - start
    return stats


def _step_once(slots: _Slots, policy: Policy, stats: CollectStats) -> list[_Episode]:
    """One vector step: the policy acts for every running episode; ended episodes are returned and
    their slots (with parked ones that ended) start the next queued episodes."""
    active = slots.active()
    running = [slots.episodes[j] for j in active]
    chosen = list(
        policy.act_batch(
            [e.observation for e in running],
            [e.info for e in running],
            [e.recorder.trajectory.steps for e in running],
            [e.rng for e in running],
        )
    )
    if len(chosen) != len(active):
        raise RuntimeError(f"policy {policy.name!r} returned {len(chosen)} actions for {len(active)} episodes")
    actions = [""] * slots.venv.num_envs
    for j, action in zip(active, chosen):
        actions[j] = "" if action is None else str(action)
    obs, rewards, terminated, truncated, infos = slots.venv.step(tuple(actions))
    infos = split_infos(infos, slots.venv.num_envs)
    finished, freed = [], []
    for j, episode in enumerate(slots.episodes):
        ended = bool(terminated[j] or truncated[j])
        if episode is None:
            if ended:
                freed.append(j)
            continue
        episode.observation, episode.info = str(obs[j]), infos[j]
        stats.steps += 1
        if episode.recorder.step(actions[j], str(obs[j]), float(rewards[j]), terminated[j], truncated[j], infos[j]):
            finished.append(episode)
            freed.append(j)
    if freed:
        slots.start(freed)
    return finished
