"""Exploration: roll a policy out in K copies of an environment (a Gymnasium vector env) and record
every episode as one line of a trajectories file.

Episode ``i`` of a run uses seed ``seed + i`` and is keyed ``"{env_id}|{policy}|{seed + i}|{config hash}"``
(``meta["episode_key"]``, see :func:`episode_key`). A rerun with the same arguments reads the keys already in the file and
plays only the missing episodes, so a killed run loses at most the episodes in flight and never
writes one twice. Lines are appended whole by :class:`arm_gym.data.jsonl.JsonlWriter` from the
main process (sub-environments may live in other processes).

Example:
    >>> from arm_gym.data.explore import collect, RandomExplorer
    >>> stats = collect("ARM-Game24-v0", "trajs.jsonl", episodes=8, policy=RandomExplorer(), num_envs=4)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import gymnasium as gym
import numpy as np

from arm_gym.core import Step, Trajectory
from arm_gym.data.jsonl import JsonlWriter, read_jsonl

logger = logging.getLogger(__name__)

CONTRACT_KEYS = frozenset({"instruction", "admissible_actions", "task_id", "env_reward", "won"})


def make_env(env_id: str, **kwargs: Any) -> gym.Env:
    """``gym.make(env_id, **kwargs)``; an unregistered ``"package.module:Class"`` is made from that entry point."""
    import arm_gym  # noqa: F401  (registers the ARM-* ids)

    if ":" in env_id and env_id.partition(":")[2] not in gym.registry:
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=env_id)
        return gym.make(gym.registry[env_id], **kwargs)
    return gym.make(env_id, **kwargs)


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


def existing_keys(path: str | os.PathLike) -> set[str]:
    """The ``meta["episode_key"]`` values already in a trajectories file (empty when it does not exist)."""
    path = Path(path)
    if not path.exists():
        return set()
    keys = set()
    for record in read_jsonl(path, strict=False):
        key = (record.get("meta") or {}).get("episode_key")
        if key is not None:
            keys.add(str(key))
    return keys


@dataclass
class EpisodeView:
    """What a policy sees of one running episode."""

    slot: int
    seed: int
    instruction: str
    observation: str
    info: dict[str, Any]
    history: list[Step]
    rng: np.random.Generator


class ExplorationPolicy(Protocol):
    """Chooses one action for each running episode; called once per vector step with every active one."""

    name: str

    def __call__(self, episodes: Sequence[EpisodeView]) -> list[str]: ...


class RandomExplorer:
    """:class:`arm_gym.planning.policies.RandomPolicy` drawing from each episode's own RNG (seeded by
    its seed), so an episode's actions do not depend on how episodes were batched or resumed.

    A template action such as WebShop's ``search[...]`` is filled with a random run of 2-5 words of
    the instruction (up to its price clause), a cheap stand-in for the query an agent would type.
    """

    name = "random"

    def __call__(self, episodes: Sequence[EpisodeView]) -> list[str]:
        from arm_gym.planning.policies import RandomPolicy

        policy = RandomPolicy(fallback_action="")
        actions = []
        for ep in episodes:
            policy.rng = ep.rng
            action = policy.act(ep.observation, ep.info, ep.history)
            if action.endswith("[...]"):
                action = f"{action[:-5]}[{self.query(ep.instruction, ep.rng)}]"
            actions.append(action)
        return actions

    @staticmethod
    def query(instruction: str, rng: np.random.Generator) -> str:
        """A random run of 2-5 consecutive words of ``instruction`` (before any ", and price" clause)."""
        words = instruction.split(", and price")[0].replace(",", " ").split() or ["item"]
        length = int(rng.integers(2, 6))
        start = int(rng.integers(max(1, len(words) - length + 1)))
        return " ".join(words[start : start + length])


class PolicyExplorer:
    """Adapts a policy object with ``act(observation, info, history)`` or ``act_batch(...)`` (e.g.
    :class:`arm_gym.planning.policies.LLMPolicy`) to :class:`ExplorationPolicy`."""

    def __init__(self, policy: Any, name: str | None = None):
        self.policy = policy
        self.name = name or getattr(policy, "name", type(policy).__name__)

    def __call__(self, episodes: Sequence[EpisodeView]) -> list[str]:
        if hasattr(self.policy, "act_batch"):
            return [
                str(a)
                for a in self.policy.act_batch(
                    [ep.observation for ep in episodes],
                    [ep.info for ep in episodes],
                    [ep.history for ep in episodes],
                )
            ]
        return [str(self.policy.act(ep.observation, ep.info, ep.history)) for ep in episodes]


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


def unbatch_info(infos: dict[str, Any], index: int) -> dict[str, Any]:
    """The ``info`` of sub-environment ``index`` from a vector env's batched info dict."""
    out: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_"):
            continue
        mask = infos.get(f"_{key}")
        if isinstance(value, dict):
            sub = unbatch_info(value, index)
            if mask is None or bool(mask[index]):
                out[key] = sub
            continue
        if mask is not None and not bool(mask[index]):
            continue
        item = value[index]
        out[key] = item.item() if isinstance(item, np.generic) else item
    return out


def jsonable(value: Any) -> Any:
    """``value`` when it round-trips through JSON (after dataclass / numpy conversion), else ``None``."""
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.loads(json.dumps(value, default=lambda o: o.item() if isinstance(o, np.generic) else o.tolist()))
    except (TypeError, ValueError, AttributeError):
        return None


def extra_info(info: dict[str, Any]) -> dict[str, Any]:
    """The env-specific, JSON-able info keys of a final step (e.g. WebShop's ``goal`` and ``purchase``)."""
    extra = {}
    for key, value in info.items():
        if key in CONTRACT_KEYS or key.startswith("_") or key in ("final_obs", "final_info"):
            continue
        converted = jsonable(value)
        if converted is not None:
            extra[key] = converted
    return extra


@dataclass
class _Slot:
    episode: int
    seed: int
    key: str
    trajectory: Trajectory
    rng: np.random.Generator
    info: dict[str, Any]
    observation: str


def collect(
    env_id: str,
    out: str | os.PathLike,
    *,
    episodes: int,
    policy: ExplorationPolicy | Callable[[Sequence[EpisodeView]], list[str]] | None = None,
    num_envs: int = 1,
    seed: int = 0,
    max_steps: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    reset_options: dict[str, Any] | None = None,
    vectorization: str = "sync",
    progress: bool = True,
    fsync: bool = False,
) -> CollectStats:
    """Play ``episodes`` episodes of ``env_id`` with ``policy`` in ``num_envs`` parallel copies and append
    each finished one to ``out`` (the trajectory schema, :class:`arm_gym.core.Trajectory`).

    Args:
        env_id: a registered id (``"ARM-Game24-v0"``) or an entry point ``"module:Class"``.
        out: the trajectories file; episodes whose key is already there are skipped (resume).
        policy: an :class:`ExplorationPolicy`; default :class:`RandomExplorer`.
        num_envs: sub-environments stepped together (``gymnasium.vector``).
        seed: episode ``i`` is reset with seed ``seed + i``.
        max_steps: truncate episodes after this many steps (``gym.make``'s ``max_episode_steps``).
        env_kwargs: keyword arguments of ``gym.make``.
        reset_options: ``options`` of every reset (e.g. ``{"split": "test"}``).
        vectorization: ``"sync"`` (one process) or ``"async"`` (one process per sub-environment).
        progress: show a tqdm bar.
        fsync: ``os.fsync`` after every record.
    """
    if episodes < 0:
        raise ValueError(f"episodes must be >= 0, not {episodes}")
    if num_envs < 1:
        raise ValueError(f"num_envs must be >= 1, not {num_envs}")
    if vectorization not in ("sync", "async"):
        raise ValueError(f"vectorization must be 'sync' or 'async', not {vectorization!r}")
    policy = policy or RandomExplorer()
    policy_name = str(getattr(policy, "name", getattr(policy, "__name__", "policy")))
    env_kwargs = dict(env_kwargs or {})
    if max_steps is not None:
        env_kwargs["max_episode_steps"] = max_steps
    reset_options = dict(reset_options or {})

    config: dict[str, Any] = {}
    if max_steps is not None:
        config["max_steps"] = max_steps
    if any(k != "max_episode_steps" for k in env_kwargs):
        config["env_kwargs"] = jsonable({k: v for k, v in env_kwargs.items() if k != "max_episode_steps"})
    if reset_options:
        config["options"] = jsonable(reset_options)

    stats = CollectStats(requested=episodes)
    done_keys = existing_keys(out)
    pending = []
    for i in range(episodes):
        key = episode_key(env_id, policy_name, seed + i, config)
        if key in done_keys:
            stats.skipped_existing += 1
        else:
            pending.append((i, seed + i, key))
    if not pending:
        logger.info("%s: all %d episodes already collected", out, episodes)
        return stats
    num_envs = min(num_envs, len(pending))
    make = _EnvFactory(env_id, env_kwargs)
    if vectorization == "async":
        venv = gym.vector.AsyncVectorEnv(
            [make] * num_envs, shared_memory=False, copy=False, autoreset_mode=gym.vector.AutoresetMode.DISABLED
        )
    else:
        venv = gym.vector.SyncVectorEnv([make] * num_envs, copy=False, autoreset_mode=gym.vector.AutoresetMode.DISABLED)
    record_env_id = env_id
    meta_base = {"policy": policy_name, "collect_seed": seed, **config}

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=episodes, initial=stats.skipped_existing, desc=f"collect {env_id}", unit="ep")
    start = time.perf_counter()
    slots: list[_Slot | None] = [None] * num_envs
    queue = list(reversed(pending))
    writer = JsonlWriter(out, fsync=fsync)
    try:

        def start_episodes(indices: list[int]) -> None:
            mask = np.zeros(num_envs, dtype=np.bool_)
            seeds: list[int | None] = [None] * num_envs
            assigned = {}
            for j in indices:
                mask[j] = True
                if queue:
                    assigned[j] = queue.pop()
                    seeds[j] = assigned[j][1]
                else:  # nothing left to play: park the sub-env on a fresh episode that is never recorded
                    seeds[j] = 0
            obs, infos = venv.reset(seed=seeds, options={**reset_options, "reset_mask": mask})
            for j in indices:
                if j not in assigned:
                    slots[j] = None
                    continue
                episode, ep_seed, key = assigned[j]
                info = unbatch_info(infos, j)
                trajectory = Trajectory(
                    env_id=record_env_id,
                    task_id=str(info.get("task_id", "")),
                    instruction=str(info.get("instruction", "")),
                    initial_observation=str(obs[j]),
                    seed=ep_seed,
                    meta={**meta_base, "episode": episode, "episode_key": key},
                )
                slots[j] = _Slot(episode, ep_seed, key, trajectory, np.random.default_rng(ep_seed), info, str(obs[j]))

        start_episodes(list(range(num_envs)))
        while any(s is not None for s in slots):
            active = [j for j, s in enumerate(slots) if s is not None]
            views = [
                EpisodeView(
                    j,
                    slots[j].seed,
                    slots[j].trajectory.instruction,
                    slots[j].observation,
                    slots[j].info,
                    slots[j].trajectory.steps,
                    slots[j].rng,
                )
                for j in active
            ]
            chosen = list(policy(views))
            if len(chosen) != len(active):
                raise RuntimeError(f"policy {policy_name!r} returned {len(chosen)} actions for {len(active)} episodes")
            actions = [""] * num_envs
            for j, action in zip(active, chosen):
                actions[j] = "" if action is None else str(action)
            obs, rewards, terminated, truncated, infos = venv.step(tuple(actions))
            finished = []
            for j in range(num_envs):
                slot = slots[j]
                if slot is None:
                    if terminated[j] or truncated[j]:
                        finished.append(j)
                    continue
                info = unbatch_info(infos, j)
                t = slot.trajectory
                t.steps.append(Step(actions[j], str(obs[j]), float(rewards[j])))
                t.env_return += float(info.get("env_reward", rewards[j]))
                t.won = bool(info.get("won", False))
                slot.info, slot.observation = info, str(obs[j])
                stats.steps += 1
                if terminated[j] or truncated[j]:
                    t.meta.update(terminated=bool(terminated[j]), complete=True)
                    extra = extra_info(info)
                    if extra:
                        t.meta["final_info"] = extra
                    writer.write(t.to_dict())
                    stats.collected += 1
                    stats.won += int(t.won)
                    stats.total_return += t.env_return
                    stats.keys.append(slot.key)
                    if bar is not None:
                        bar.update(1)
                    finished.append(j)
            if finished:
                start_episodes(finished)
    finally:
        writer.close()
        venv.close()
        if bar is not None:
            bar.close()
        stats.seconds = time.perf_counter() - start
    return stats


class _EnvFactory:
    """A picklable ``env_fn`` for vector envs (AsyncVectorEnv sends it to worker processes)."""

    def __init__(self, env_id: str, kwargs: dict[str, Any]):
        self.env_id = env_id
        self.kwargs = kwargs

    def __call__(self) -> gym.Env:
        return make_env(self.env_id, **self.kwargs)
