"""The one function that turns (instruction, trajectory) into reward-model input text.

Training and scoring both call :func:`render_trajectory`, so a model always sees the format it was
trained on.
"""

from __future__ import annotations

from collections.abc import Sequence

from arm_gym.core import Step, Trajectory


def render_trajectory(
    instruction: str,
    trajectory: Trajectory | Sequence[Step],
    *,
    initial_observation: str | None = None,
) -> str:
    """Render a trajectory for the reward model: the instruction, then alternating actions and observations."""
    if isinstance(trajectory, Trajectory):
        steps = trajectory.steps
        if initial_observation is None:
            initial_observation = trajectory.initial_observation
    else:
        steps = list(trajectory)
    lines = [f"Instruction: {instruction}"]
    if initial_observation:
        lines.append(f"Observation: {initial_observation}")
    for step in steps:
        lines.append(f"Action: {step.action}")
        lines.append(f"Observation: {step.observation}")
    return "\n".join(lines)
