"""What a planner returns: the chosen trajectory, every candidate it scored, and the budget it spent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from arm_gym.trajectory import Trajectory


@dataclass
class PlanResult:
    """The outcome of planning one task.

    Attributes:
        trajectory: the chosen trajectory (its ``env_return`` is the env's, measured when it was played).
        candidates: every complete trajectory the planner scored, in the order it made them.
        scores: the scorer's value of each candidate.
        chosen: the index of ``trajectory`` in ``candidates``.
        env_steps: env steps the planner took (candidates, tree walks and rollouts).
        seconds: wall time.
        extra: planner-specific details (reflections, tree size, ...).
    """

    trajectory: Trajectory
    candidates: list[Trajectory]
    scores: list[float]
    chosen: int
    env_steps: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def best_possible(self) -> float:
        """The highest env return among the candidates (what an oracle scorer would have picked)."""
        return max((t.env_return for t in self.candidates), default=0.0)
