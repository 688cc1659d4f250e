"""Triplets as a Hugging Face dataset in TRL's preference format (``prompt`` / ``chosen`` / ``rejected``).

The trajectories are rendered here, with the one function the reward model trains and scores with
(:func:`arm_gym.reward.render.render_trajectory`); ``datasets`` is imported only when exporting.

Example:
    >>> from arm_gym.data.dataset import load_triplets
    >>> ds = to_hf_dataset(load_triplets("triplets.jsonl"), validation_fraction=0.1)   # doctest: +SKIP
    >>> ds["train"][0].keys()                                                        # doctest: +SKIP
    dict_keys(['prompt', 'chosen', 'rejected', 'env_id', 'task_id', ...])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from arm_gym.data.dataset import dedup_triplets, split_by_task
from arm_gym.data.triplets import Triplet
from arm_gym.reward.render import render_trajectory


def to_records(triplets: Iterable[Triplet], *, explicit_prompt: bool = True) -> list[dict[str, Any]]:
    """Flat rows in TRL's preference format plus audit columns (env, task, returns, kinds).

    ``chosen``/``rejected`` are the rendered trajectories and begin with the instruction; with
    ``explicit_prompt=False`` the ``prompt`` column is left out (TRL's implicit-prompt format), which avoids
    a trainer prepending it twice.
    """
    rows = []
    for t in triplets:
        row: dict[str, Any] = {"prompt": t.prompt} if explicit_prompt else {}
        row.update(
            chosen=render_trajectory(t.prompt, t.chosen_trajectory),
            rejected=render_trajectory(t.prompt, t.rejected_trajectory),
            env_id=t.env_id,
            task_id=t.task_id,
            chosen_return=float(t.chosen_return),
            rejected_return=float(t.rejected_return),
            intent_source=str(t.meta.get("intent_source", "")),
            negative_kind=str(t.meta.get("negative_kind", "")),
        )
        rows.append(row)
    return rows


def to_hf_dataset(
    triplets: Sequence[Triplet],
    *,
    validation_fraction: float | None = 0.1,
    seed: int = 0,
    explicit_prompt: bool = True,
    dedup: bool = True,
):
    """A ``datasets.DatasetDict`` (``train``/``validation``, split by :func:`~arm_gym.data.dataset.split_by_task`)
    or, with ``validation_fraction=None``, one ``datasets.Dataset``; columns ``prompt``/``chosen``/``rejected`` first.
    """
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("exporting triplets needs the `datasets` package: pip install datasets") from exc
    if dedup:
        triplets = dedup_triplets(triplets)
    features = datasets.Features(
        {
            **({"prompt": datasets.Value("string")} if explicit_prompt else {}),
            "chosen": datasets.Value("string"),
            "rejected": datasets.Value("string"),
            "env_id": datasets.Value("string"),
            "task_id": datasets.Value("string"),
            "chosen_return": datasets.Value("float64"),
            "rejected_return": datasets.Value("float64"),
            "intent_source": datasets.Value("string"),
            "negative_kind": datasets.Value("string"),
        }
    )

    def build(rows: Sequence[Triplet]):
        return datasets.Dataset.from_list(to_records(rows, explicit_prompt=explicit_prompt), features=features)

    if validation_fraction is None:
        return build(triplets)
    train, validation = split_by_task(triplets, validation_fraction=validation_fraction, seed=seed)
    return datasets.DatasetDict({"train": build(train), "validation": build(validation)})
