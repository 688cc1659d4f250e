"""``triplets.jsonl`` I/O, deduplication, a train/validation split by task, and export to Hugging Face.

A triplet file is a crash-safe JSON-lines file (:mod:`arm_gym.jsonl`) with one
:class:`arm_gym.data.triplets.Triplet` per line. The export gives TRL's preference format
(``prompt`` / ``chosen`` / ``rejected``); ``datasets`` is imported only by :func:`to_hf_dataset`.

Example:
    >>> from arm_gym.data.dataset import load_triplets, split_by_task
    >>> triplets = dedup_triplets(load_triplets("triplets.jsonl"))       # doctest: +SKIP
    >>> ds = to_hf_dataset(triplets, validation_fraction=0.1)           # doctest: +SKIP
    >>> ds["train"][0].keys()                                          # doctest: +SKIP
    dict_keys(['prompt', 'chosen', 'rejected', 'env_id', 'task_id', ...])
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from arm_gym.jsonl import JsonlWriter, read_jsonl
from arm_gym.data.triplets import Triplet
from arm_gym.trajectory import Trajectory


def _seen(trajectory: Trajectory) -> list[Any]:
    return [trajectory.initial_observation, [[s.action, s.observation] for s in trajectory.steps]]


def content_key(triplet: Triplet) -> str:
    """A hash of what a reward model sees (env, prompt, and both trajectories' actions and observations):
    equal keys are duplicates."""
    payload = json.dumps(
        [triplet.env_id, triplet.prompt, _seen(triplet.chosen_trajectory), _seen(triplet.rejected_trajectory)],
        ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def iter_triplets(path: str | os.PathLike, *, strict: bool = True) -> Iterator[Triplet]:
    """Yield the triplets of a ``triplets.jsonl`` file (a partial last line is skipped)."""
    for lineno, record in enumerate(read_jsonl(path, strict=strict), 1):
        try:
            yield Triplet.from_dict(record)
        except ValueError as exc:
            if strict:
                raise ValueError(f"{path}: record {lineno}: {exc}") from exc


def load_triplets(path: str | os.PathLike, *, strict: bool = True) -> list[Triplet]:
    """Read a whole ``triplets.jsonl`` file."""
    return list(iter_triplets(path, strict=strict))


def save_triplets(path: str | os.PathLike, triplets: Iterable[Triplet], *, fsync: bool = False) -> int:
    """Append ``triplets`` to ``path`` (one line each); return how many were written."""
    n = 0
    with JsonlWriter(path, fsync=fsync) as writer:
        for triplet in triplets:
            writer.write(triplet.to_dict())
            n += 1
    return n


def dedup_triplets(triplets: Iterable[Triplet]) -> list[Triplet]:
    """Drop triplets whose (env, prompt, chosen, rejected) already appeared; keeps the first, in order."""
    seen: set[str] = set()
    out = []
    for triplet in triplets:
        key = content_key(triplet)
        if key not in seen:
            seen.add(key)
            out.append(triplet)
    return out


def task_group(triplet: Triplet) -> str:
    """The group a triplet is split by: its env and the task its intent was posed on.

    WebShop intents carry their goal in ``meta["intent_task"]`` (the bought product), so two
    intents about the same product stay on the same side of the split.
    """
    return f"{triplet.env_id}|{triplet.meta.get('intent_task') or triplet.task_id}"


def is_validation(group: str, validation_fraction: float, seed: int = 0) -> bool:
    """Deterministic, order-free assignment of a task group to the validation side."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < validation_fraction


def split_by_task(
    triplets: Sequence[Triplet], *, validation_fraction: float = 0.1, seed: int = 0
) -> tuple[list[Triplet], list[Triplet]]:
    """Split into (train, validation) so that no task appears on both sides.

    Each task group goes to validation with probability ``validation_fraction`` (a hash of the
    group and ``seed``, so the split is stable as files grow). With at least two groups and a
    positive fraction, validation is never empty and train never empty.
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in [0, 1), not {validation_fraction!r}")
    groups = sorted({task_group(t) for t in triplets})
    val_groups = {g for g in groups if is_validation(g, validation_fraction, seed)}
    if validation_fraction > 0 and len(groups) >= 2:
        if not val_groups:  # small data: put the group with the smallest hash on validation
            val_groups = {min(groups, key=lambda g: hashlib.sha256(f"{seed}:{g}".encode()).digest())}
        elif len(val_groups) == len(groups):
            val_groups.discard(max(groups, key=lambda g: hashlib.sha256(f"{seed}:{g}".encode()).digest()))
    train = [t for t in triplets if task_group(t) not in val_groups]
    validation = [t for t in triplets if task_group(t) in val_groups]
    return train, validation
