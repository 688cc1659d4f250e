"""A small configurable TextEnv for wrapper and tooling tests (after Gymnasium's GenericTestEnv).

``GenericTextEnv`` has ``n_tasks`` tasks ``"t0"``, ``"t1"``, ...; the admissible actions are
``"good"`` and ``"bad"``; ``"good"`` ``goal_steps`` times in a row wins with reward 1, ``"bad"``
ends the episode with reward 0, anything else is an invalid action (reward 0, episode goes on).
Behaviour can be swapped by passing ``step_fn``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from arm_gym.core import StepResult, TextEnv


class GenericTextEnv(TextEnv):
    def __init__(
        self,
        *,
        n_tasks: int = 4,
        goal_steps: int = 3,
        step_fn: Callable[[GenericTextEnv, str], StepResult] | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.n_tasks = n_tasks
        self.goal_steps = goal_steps
        self.step_fn = step_fn
        self.progress = 0

    def task_ids(self, split: str) -> Sequence[str]:
        ids = [f"t{i}" for i in range(self.n_tasks)]
        return ids[: self.n_tasks // 2] if split == "train" else ids[self.n_tasks // 2 :]

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        self.progress = 0
        self.instruction = f"say good {self.goal_steps} times ({task_id})"
        return f"start of {task_id}"

    def _step(self, action: str) -> StepResult:
        if self.step_fn is not None:
            return self.step_fn(self, action)
        if action == "good":
            self.progress += 1
            won = self.progress >= self.goal_steps
            return StepResult(f"good {self.progress}", 1.0 if won else 0.0, won, won)
        if action == "bad":
            return StepResult("bad: episode over", 0.0, True)
        return StepResult(f"invalid action {action[:20]!r}", 0.0, False)

    def admissible_actions(self) -> Sequence[str]:
        return ["good", "bad"]
