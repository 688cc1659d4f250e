"""A Ray backend: workers (Ray actors) play episodes, replay synthesis candidates and plan tasks; the driver
writes the files.

Each actor owns its envs (a ScienceWorld actor owns its JVM and closes it with the actor). Work goes out in
small chunks; an actor that dies is restarted by Ray and its chunk retried, and the driver's key checks keep
every record written once (collect: episode keys; synthesize: trajectory and triplet keys; eval-rm: episode
seeds; plan: plan keys), so the outputs hold the same records as the local backend for the same seeds, in
another order.

Example:
    >>> from arm_gym.distributed import RayBackend
    >>> from arm_gym.data.explore import collect
    >>> with RayBackend(num_workers=2) as ray_backend:                                      # doctest: +SKIP
    ...     collect("ARM-Game24-v0", "t.jsonl", episodes=1000, backend=ray_backend)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from arm_gym.data.explore import EpisodeJobs, play_episodes
from arm_gym.policies.base import Policy
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

INSTALL_HINT = 'the Ray backend needs the `ray` extra: pip install "arm-gym[ray]"'


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return ray


def cache_dir() -> Path:
    """arm_gym's cache folder (``$ARM_GYM_CACHE``, default ``~/.cache/arm_gym``)."""
    return Path(os.environ.get("ARM_GYM_CACHE") or Path.home() / ".cache" / "arm_gym")


def init_ray(address: str | None = None, *, num_cpus: int | None = None, object_store_mb: int = 512) -> None:
    """Start (or join, with ``address``) Ray: a local Ray keeps its temp files under the cache folder, runs no
    dashboard and caps its object store; an existing cluster is joined as it is. Idempotent."""
    ray = _ray()
    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
        return
    temp = cache_dir() / "ray"
    temp.mkdir(parents=True, exist_ok=True)
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        object_store_memory=object_store_mb * 1024 * 1024,
        _temp_dir=str(temp),
        log_to_driver=False,
    )


class Worker(Protocol):
    """What :meth:`RayBackend.map` runs: a picklable callable turning a chunk of items into results. Each actor
    holds its own copy, which builds its envs (and models) on first use and frees them in an optional ``close()``."""

    def __call__(self, items: list[Any]) -> Iterable[Any]: ...


class _Actor:
    """The actor class: one copy of a worker, fed chunk after chunk; the worker is closed with the actor."""

    def __init__(self, worker: Worker):
        self.worker = worker

    def run(self, chunk: list[Any]) -> list[Any]:
        return list(self.worker(chunk))

    def ping(self) -> int:
        return os.getpid()

    def close(self) -> None:
        close = getattr(self.worker, "close", None)
        if close is not None:
            close()


@dataclass
class _EpisodeWorker:
    """Plays chunks of ``(index, seed, key)`` episodes (a vector env per chunk), as :func:`collect` does."""

    jobs: EpisodeJobs
    policy: Policy
    num_envs: int
    vectorization: str

    def __call__(self, chunk: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        play_episodes(self.jobs, chunk, self.policy, num_envs=self.num_envs, vectorization=self.vectorization,
                      on_episode=lambda t: out.append(t.to_dict()))
        return out


@dataclass
class _TripletWorker:
    """Synthesizes the triplets of ``(trajectory, pool, key)`` items with its own copy of a synthesizer (and envs)."""

    synthesizer: Any

    def __call__(self, work: list[tuple[Trajectory, list[Trajectory], str]]) -> list[tuple[str, list, dict]]:
        out = []
        for trajectory, pool, key in work:
            try:
                triplets, counts = self.synthesizer.triplets(trajectory, pool, key)
            except Exception as exc:  # noqa: BLE001 - as the local loop: one trajectory's error costs it only
                logger.warning("%s: synthesis failed: %r", key, exc)
                triplets, counts = [], {"trajectories": 1, "errors": 1}
            out.append((key, [t.to_dict() for t in triplets], counts))
        return out

    def close(self) -> None:
        self.synthesizer.close()


class RayBackend:
    """``num_workers`` Ray actors (restarted when they die) that run chunks of work for the driver; the actors
    live for one :meth:`map` call (their envs are closed with them).

    :meth:`map` is the one scheduler; :meth:`map_episodes` (collect), :meth:`map_triplets` (synthesize) and the
    callers that pass a worker themselves (``fresh_trajectories`` of eval-rm, ``run_plans`` of the planners) go
    through it. The caller keys its results and drops a key it has seen: a chunk retried after an actor died
    can bring results back twice.

    Args:
        num_workers: actors to start.
        address: an existing Ray cluster (``ray://...`` or ``auto``); default a local Ray.
        chunk_size: items (episodes, trajectories, tasks) per task sent to an actor.
        num_cpus: CPUs for a local Ray (default: all).
    """

    def __init__(self, num_workers: int = 2, *, address: str | None = None, chunk_size: int = 16,
                 num_cpus: int | None = None):
        if num_workers < 1 or chunk_size < 1:
            raise ValueError("num_workers and chunk_size must be >= 1")
        self.address, self.num_cpus = address, num_cpus
        init_ray(address, num_cpus=num_cpus)
        self.num_workers, self.chunk_size = num_workers, chunk_size
        self._actor_class = _ray().remote(num_cpus=1, max_restarts=-1, max_task_retries=3)(_Actor)
        self.actors: list[Any] = []

    def __enter__(self) -> RayBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, worker: Worker) -> list[Any]:
        self.close()
        init_ray(self.address, num_cpus=self.num_cpus)  # again, should Ray have been shut down since
        # a small worker travels inline with each actor's creation, which a restart replays
        self.actors = [self._actor_class.remote(worker) for _ in range(self.num_workers)]
        return self.actors

    def close(self) -> None:
        """Close the actors' workers (and so their envs) and stop the actors."""
        ray = _ray()
        for actor in self.actors:
            try:
                ray.get(actor.close.remote(), timeout=60)
            except Exception:  # noqa: BLE001 - a dead actor has nothing left to close
                pass
            ray.kill(actor)
        self.actors = []

    def _chunks(self, items: Sequence[Any]) -> list[list[Any]]:
        """Chunks of at most ``chunk_size``, small enough that every actor gets work (two chunks each at least)."""
        size = max(1, min(self.chunk_size, -(-len(items) // (2 * self.num_workers))))
        return [list(items[i : i + size]) for i in range(0, len(items), size)]

    def _map(self, calls: list[Any]) -> Iterator[Any]:
        """Run ``calls`` (functions of an actor returning an object ref) over the actors, yielding results as they
        finish, at most two chunks in flight per actor."""
        ray = _ray()
        queue, in_flight = list(reversed(calls)), {}
        free = [a for a in self.actors for _ in range(2)]
        while queue or in_flight:
            while queue and free:
                actor = free.pop()
                in_flight[queue.pop()(actor)] = actor
            done, _ = ray.wait(list(in_flight), num_returns=1)
            actor = in_flight.pop(done[0])
            free.append(actor)
            try:
                result = ray.get(done[0])
            except ray.exceptions.RayTaskError as exc:  # the worker's own error, e.g. a ValueError, as it was raised
                if isinstance(getattr(exc, "cause", None), Exception):
                    raise exc.cause from exc
                raise
            yield result

    def map(self, worker: Worker, items: Sequence[Any]) -> Iterator[Any]:
        """Run ``items`` through copies of ``worker``, one per actor, in chunks; yield each result as its chunk
        finishes (in no fixed order; a retried chunk may yield its results again). The actors stop at the end."""
        if not items:
            return
        self._start(worker)
        calls = [lambda a, c=chunk: a.run.remote(c) for chunk in self._chunks(items)]
        try:
            for results in self._map(calls):
                yield from results
        finally:
            self.close()

    def map_episodes(self, jobs: EpisodeJobs, pending: Sequence[tuple[int, int, str]], policy: Policy, *,
                     num_envs: int = 1, vectorization: str = "sync") -> Iterator[Trajectory]:
        """Play ``pending`` episodes on the actors; the finished trajectories, chunk by chunk."""
        for record in self.map(_EpisodeWorker(jobs, policy, num_envs, vectorization), pending):
            yield Trajectory.from_dict(record)

    def map_triplets(self, synthesizer: Any, work: Sequence[tuple[Trajectory, list[Trajectory], str]]
                     ) -> Iterator[tuple[str, list[dict[str, Any]], dict[str, Any]]]:
        """Synthesize the triplets of ``(trajectory, pool, key)`` items on actors that each hold a copy of
        ``synthesizer`` (and so their own envs); ``(key, triplet records, counts)`` per trajectory."""
        yield from self.map(_TripletWorker(synthesizer), work)
