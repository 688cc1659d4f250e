"""Trajectories: the record of one episode, its JSON-lines file, and the one recorder that builds it.

Every stage that plays episodes (``RecordTrajectory``, exploration, replays under an intent, fresh
evaluation episodes, planners) builds its :class:`Trajectory` with :class:`EpisodeRecorder`, so an
episode's return has one definition: the sum of ``info["env_reward"]`` (the env's own reward, before any
wrapper touched it), falling back to the step reward where an env does not report it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from arm_gym.jsonl import read_jsonl

SCHEMA_VERSION = 1
"""Version of the trajectory and triplet records."""

CONTRACT_KEYS = frozenset({"instruction", "admissible_actions", "task_id", "env_reward", "won"})
"""The ``info`` keys every arm_gym env returns (see :mod:`arm_gym.core`)."""


def record_schema(record: Any, kind: str) -> int:
    """The schema version of a JSON record of ``kind``; ``ValueError`` if it is not an object or is newer."""
    if not isinstance(record, dict):
        raise ValueError(f"not a {kind} record: a JSON {type(record).__name__}, not an object")
    schema = record.get("schema", SCHEMA_VERSION)
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise ValueError(f"{kind} schema {schema!r} is newer than this arm_gym reads ({SCHEMA_VERSION})")
    return schema


@dataclass
class Step:
    """One transition of a recorded trajectory."""

    action: str
    observation: str
    reward: float


@dataclass
class Trajectory:
    """One episode (one JSON line in a trajectories file)."""

    env_id: str
    task_id: str
    instruction: str
    initial_observation: str = ""
    steps: list[Step] = field(default_factory=list)
    env_return: float = 0.0
    won: bool = False
    seed: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict in the trajectory schema."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Trajectory:
        """Parse a record; raises ``ValueError`` on a missing field or a newer schema."""
        schema = record_schema(record, "trajectory")
        try:
            steps = [Step(str(s["action"]), str(s["observation"]), float(s["reward"])) for s in record["steps"]]
            return cls(
                env_id=str(record["env_id"]),
                task_id=str(record["task_id"]),
                instruction=str(record["instruction"]),
                initial_observation=str(record.get("initial_observation", "")),
                steps=steps,
                env_return=float(record["env_return"]),
                won=bool(record["won"]),
                seed=record.get("seed"),
                meta=dict(record.get("meta") or {}),
                schema=schema,
            )
        except KeyError as exc:
            raise ValueError(f"not a trajectory record: no {exc.args[0]!r} field") from exc
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a trajectory record: {exc}") from exc

    @property
    def actions(self) -> list[str]:
        """The actions, in order."""
        return [s.action for s in self.steps]


POLICY_STREAM = 0x5EED_A11E
"""Mixed into an episode's seed for its policy's generator. Gymnasium seeds the env's ``np_random`` with the
bare seed, so a policy generator seeded alike would draw the very numbers the env drew to pick the task (a
random explorer's first choice would follow the task index)."""


def policy_rng(seed: int | None) -> np.random.Generator:
    """The generator of the policy that plays the episode reset with ``seed`` (independent of the env's)."""
    return np.random.default_rng(None if seed is None else [seed, POLICY_STREAM])


def env_id_of(env: Any) -> str:
    """The id an env was made with (``env.spec.id``), or its class name when it was built directly."""
    spec = getattr(env, "spec", None)
    return spec.id if spec is not None else type(getattr(env, "unwrapped", env)).__name__


class EpisodeRecorder:
    """Builds one :class:`Trajectory` from an episode's ``reset`` and ``step`` results.

    Example:
        >>> obs, info = env.reset(seed=0)                                    # doctest: +SKIP
        >>> recorder = EpisodeRecorder(env_id_of(env), obs, info, seed=0)     # doctest: +SKIP
        >>> done = recorder.step(action, *env.step(action))                   # doctest: +SKIP
        >>> trajectory = recorder.finish(complete=True)                       # doctest: +SKIP
    """

    def __init__(
        self,
        env_id: str,
        observation: str,
        info: Mapping[str, Any],
        *,
        seed: int | None = None,
        meta: dict[str, Any] | None = None,
        instruction: str | None = None,
        task_id: str | None = None,
    ):
        self.trajectory = Trajectory(
            env_id=env_id,
            task_id=str(info.get("task_id", "")) if task_id is None else task_id,
            instruction=str(info.get("instruction", "")) if instruction is None else instruction,
            initial_observation=str(observation),
            seed=seed,
            meta=dict(meta or {}),
        )
        self.last_info: Mapping[str, Any] = info
        self.done = False

    @classmethod
    def resume(cls, trajectory: Trajectory, info: Mapping[str, Any]) -> EpisodeRecorder:
        """A recorder that goes on from a copy of ``trajectory`` (e.g. a planner's tree node), ``info`` its last."""
        recorder = cls.__new__(cls)
        recorder.trajectory = replace(trajectory, steps=list(trajectory.steps), meta=dict(trajectory.meta))
        recorder.last_info, recorder.done = info, False
        return recorder

    def step(
        self, action: str, observation: str, reward: float, terminated: bool, truncated: bool, info: Mapping[str, Any]
    ) -> bool:
        """Record one transition; return whether the episode ended (``meta["terminated"]`` is set then)."""
        t = self.trajectory
        t.steps.append(Step(str(action), str(observation), float(reward)))
        t.env_return += float(info.get("env_reward", reward))
        t.won = bool(info.get("won", False))
        self.last_info = info
        if terminated or truncated:
            t.meta["terminated"] = bool(terminated)
            self.done = True
        return self.done

    def finish(self, *, complete: bool | None = None, final_info: bool = False) -> Trajectory:
        """The trajectory, with ``meta["complete"]`` when given and, with ``final_info``, the env-specific
        JSON-able keys of the last ``info`` in ``meta["final_info"]`` (e.g. WebShop's purchase)."""
        t = self.trajectory
        if complete is not None:
            t.meta["complete"] = complete
        if final_info:
            extra = extra_info(self.last_info)
            if extra:
                t.meta["final_info"] = extra
        return t


def jsonable(value: Any) -> Any:
    """``value`` when it round-trips through JSON (after dataclass / numpy conversion), else ``None``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.loads(json.dumps(value, default=lambda o: o.item() if isinstance(o, np.generic) else o.tolist()))
    except (TypeError, ValueError, AttributeError):
        return None


def extra_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """The env-specific, JSON-able info keys of a final step (e.g. WebShop's ``goal`` and ``purchase``)."""
    extra = {}
    for key, value in info.items():
        if key in CONTRACT_KEYS or key.startswith("_") or key in ("final_obs", "final_info"):
            continue
        converted = jsonable(value)
        if converted is not None:
            extra[key] = converted
    return extra


def split_infos(infos: Sequence[Mapping[str, Any]] | Mapping[str, Any], num: int) -> list[dict[str, Any]]:
    """Per-episode ``info`` dicts from a list of them or from a vector env's batched ``{key: array, _key: mask}``
    (nested dicts included; numpy scalars become Python scalars)."""
    if not isinstance(infos, Mapping):
        infos = [dict(i) for i in infos]
        if len(infos) != num:
            raise ValueError(f"got {len(infos)} infos for {num} episodes")
        return infos
    return [_unbatch(infos, index) for index in range(num)]


def _unbatch(infos: Mapping[str, Any], index: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_"):
            continue
        mask = infos.get(f"_{key}")
        if isinstance(value, Mapping):
            sub = _unbatch(value, index)
            if mask is None or bool(mask[index]):
                out[key] = sub
            continue
        if mask is not None and not bool(mask[index]):
            continue
        item = value[index]
        out[key] = item.item() if isinstance(item, np.generic) else item
    return out


def load_trajectories(path: str | os.PathLike, *, strict: bool = True) -> list[Trajectory]:
    """Read a trajectories file back into :class:`Trajectory` objects (a partial last line is skipped).

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
