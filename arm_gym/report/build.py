"""Turn trajectory, triplet and planner records into the report's items (plain JSON-able dicts).

Every item has ``kind`` (``trajectory`` or ``triplet``), ``task``, ``instruction``, a ``won`` flag, an env
``return`` and its steps; with a reward model each step also carries the model's score of the trajectory up to
it (the shaped reward's running value) and the item a ``disagree`` flag: a triplet the model orders wrongly, or
a trajectory in a pair of its task that the model orders against the env return.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from arm_gym.data.triplets import Triplet
from arm_gym.jsonl import read_jsonl
from arm_gym.reward.pairs import divergence
from arm_gym.trajectory import Trajectory

MAX_OBSERVATION_CHARS = 2000
"""Observations are cut to this many characters in a report (a WebShop page can be long)."""


def load_records(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The JSON records of a trajectories, triplets or plans file (a partial last line is skipped)."""
    return list(read_jsonl(path, strict=False))


def _steps(trajectory: Trajectory) -> list[dict[str, Any]]:
    return [
        {"a": s.action, "o": s.observation[:MAX_OBSERVATION_CHARS], "r": round(float(s.reward), 4)}
        for s in trajectory.steps
    ]


def _prefixes(trajectory: Trajectory) -> list[Trajectory]:
    return [
        Trajectory(trajectory.env_id, trajectory.task_id, trajectory.instruction, trajectory.initial_observation,
                   trajectory.steps[: k + 1])
        for k in range(len(trajectory.steps))
    ]


def _score_steps(model: Any, items: Sequence[tuple[dict[str, Any], Trajectory]]) -> None:
    """Add the model's score after every step (``s``) and of the whole trajectory (``score``), in one batch."""
    pairs, owners = [], []
    for item, trajectory in items:
        for k, prefix in enumerate(_prefixes(trajectory)):
            pairs.append((item["instruction"], prefix))
            owners.append((item, k))
    if not pairs:
        return
    scores = np.asarray(model.score(pairs), float)
    for (item, k), value in zip(owners, scores.tolist()):
        item["steps_ref"][k]["s"] = round(value, 4)
    for item, trajectory in items:
        item["score"] = item["steps_ref"][-1]["s"] if trajectory.steps else None


def _trajectory_item(record: dict[str, Any]) -> tuple[dict[str, Any], Trajectory]:
    t = Trajectory.from_dict(record)
    meta = t.meta
    item = {
        "kind": "trajectory",
        "task": t.task_id,
        "instruction": t.instruction,
        "start": t.initial_observation[:MAX_OBSERVATION_CHARS],
        "won": t.won,
        "return": round(t.env_return, 4),
        "steps": _steps(t),
        "policy": str(meta.get("policy", meta.get("eval_policy", ""))),
    }
    if "planner" in meta and "candidate_scores" in meta:  # a planner's answer: its candidates' scores and returns
        item["plan"] = {
            "planner": meta["planner"],
            "scorer": meta.get("scorer"),
            "chosen": meta.get("chosen"),
            "scores": meta.get("candidate_scores"),
            "returns": meta.get("candidate_returns"),
        }
    item["steps_ref"] = item["steps"]
    return item, t


def _triplet_item(record: dict[str, Any]) -> tuple[dict[str, Any], Trajectory, Trajectory]:
    t = Triplet.from_dict(record)
    chosen, rejected = t.chosen_trajectory, t.rejected_trajectory
    diverge = divergence(chosen, rejected)
    if diverge is None:  # one is a prefix of the other: they part where the shorter ends
        diverge = min(len(chosen.steps), len(rejected.steps))
    side = {
        "chosen": {"steps": _steps(chosen), "return": round(t.chosen_return, 4), "won": chosen.won},
        "rejected": {"steps": _steps(rejected), "return": round(t.rejected_return, 4), "won": rejected.won},
    }
    item = {
        "kind": "triplet",
        "task": t.task_id,
        "instruction": t.prompt,
        "start": chosen.initial_observation[:MAX_OBSERVATION_CHARS],
        "won": chosen.won,
        "return": round(t.chosen_return, 4),
        "negative": str(t.meta.get("negative_kind", "")),
        "diverge": diverge,
        **side,
    }
    return item, chosen, rejected


def build_items(records: Iterable[dict[str, Any]], model: Any = None) -> list[dict[str, Any]]:
    """Report items for ``records`` (trajectories, planner outputs or triplets, recognised by their fields);
    with ``model`` (anything with ``score(pairs)``) every step gets the model's running score."""
    items: list[dict[str, Any]] = []
    scored: list[tuple[dict[str, Any], Trajectory]] = []
    for number, record in enumerate(records, 1):
        try:
            if "chosen_trajectory" in record:
                item, chosen, rejected = _triplet_item(record)
                scored += [({"instruction": item["instruction"], "steps_ref": item["chosen"]["steps"]}, chosen),
                           ({"instruction": item["instruction"], "steps_ref": item["rejected"]["steps"]}, rejected)]
                item["_pair"] = scored[-2:]
            else:
                item, trajectory = _trajectory_item(record)
                scored.append((item, trajectory))
        except ValueError as exc:
            raise ValueError(f"record {number}: {exc}") from exc
        items.append(item)
    if model is not None:
        _score_steps(model, scored)
    for item in items:
        item.pop("steps_ref", None)
        pair = item.pop("_pair", None)
        if pair is not None and model is not None:
            item["chosen"]["score"], item["rejected"]["score"] = pair[0][0].get("score"), pair[1][0].get("score")
            item["disagree"] = bool((item["chosen"]["score"] or 0) <= (item["rejected"]["score"] or 0))
    if model is not None:
        _mark_trajectory_disagreement([i for i in items if i["kind"] == "trajectory"])
    return items


def _mark_trajectory_disagreement(items: Sequence[dict[str, Any]]) -> None:
    """A trajectory disagrees when it is in a pair of its task that the model orders against the env: the other
    trajectory has a different return and the model's scores are tied or in the opposite order."""
    by_task: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        item["disagree"] = False
        by_task[item["task"]].append(item)
    for group in by_task.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a["return"] == b["return"]:
                    continue
                better, worse = (a, b) if a["return"] > b["return"] else (b, a)
                if (better.get("score") or 0.0) <= (worse.get("score") or 0.0):
                    better["disagree"] = worse["disagree"] = True
