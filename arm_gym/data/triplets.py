"""Triplets: (task intent, a trajectory that fulfils it, one that does not), the reward model's training data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arm_gym.trajectory import SCHEMA_VERSION, Trajectory, record_schema


@dataclass
class Triplet:
    """One preference example: the intent (``prompt``), the trajectory that fulfils it and one that does not,
    with their env returns under the intent.

    Triplets store trajectories, not text: the reward layer renders them
    (:func:`arm_gym.reward.render.render_trajectory`) for training, scoring and the Hugging Face export, so a
    change of rendering never leaves stale text in a file. Files written before carried ``chosen`` /
    ``rejected`` text as well; it is ignored on reading.
    """

    prompt: str
    chosen_trajectory: Trajectory
    rejected_trajectory: Trajectory
    chosen_return: float
    rejected_return: float
    task_id: str = ""
    env_id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (one line of ``triplets.jsonl``)."""
        return {
            "schema": self.schema,
            "env_id": self.env_id,
            "task_id": self.task_id,
            "prompt": self.prompt,
            "chosen_return": self.chosen_return,
            "rejected_return": self.rejected_return,
            "chosen_trajectory": self.chosen_trajectory.to_dict(),
            "rejected_trajectory": self.rejected_trajectory.to_dict(),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Triplet:
        """Parse one line of ``triplets.jsonl``; raises ``ValueError`` when fields are missing."""
        schema = record_schema(record, "triplet")
        try:
            return cls(
                prompt=str(record["prompt"]),
                chosen_trajectory=Trajectory.from_dict(record["chosen_trajectory"]),
                rejected_trajectory=Trajectory.from_dict(record["rejected_trajectory"]),
                chosen_return=float(record["chosen_return"]),
                rejected_return=float(record["rejected_return"]),
                task_id=str(record.get("task_id", "")),
                env_id=str(record.get("env_id", "")),
                meta=dict(record.get("meta") or {}),
                schema=schema,
            )
        except KeyError as exc:
            raise ValueError(f"not a triplet record: no {exc.args[0]!r} field") from exc
        except (TypeError, ValueError) as exc:
            raise ValueError(f"not a triplet record: {exc}") from exc
