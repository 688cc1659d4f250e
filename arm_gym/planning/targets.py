"""Customized targets (ARMAP §4.3): trade the learned reward against what a user also cares about.

ARMAP's paper describes the idea but its code has no implementation and its formula cannot be recovered, so
this is the project's own design: among a task's candidates, the objective is the scorer's value standardised
over those candidates (so weights mean the same for any reward model) minus weighted terms of each trajectory,
``objective = z(score) - Σ_k w_k · term_k``. Terms come from the env's adapter
(:meth:`~arm_gym.envs.synthesis.SynthesisAdapter.target_terms`: ``steps`` everywhere, ``price`` on WebShop) or
from a callable. The planner searches as before; the target decides which candidate is the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from arm_gym.envs.synthesis import SynthesisAdapter
from arm_gym.planning.result import PlanResult
from arm_gym.trajectory import Trajectory


@dataclass
class Target:
    """Weights of the terms to subtract from the standardised score, and optional extra terms.

    Example: ``Target({"steps": 0.1})`` prefers shorter trajectories; ``Target({"price": 0.05})`` cheaper purchases.
    """

    weights: Mapping[str, float] = field(default_factory=dict)
    extra: Mapping[str, Callable[[Trajectory], float]] = field(default_factory=dict)

    def terms(self, trajectory: Trajectory, adapter: SynthesisAdapter) -> dict[str, float]:
        values = adapter.target_terms(trajectory)
        values.update({name: float(fn(trajectory)) for name, fn in self.extra.items()})
        missing = set(self.weights) - set(values)
        if missing:
            raise ValueError(f"unknown target terms {sorted(missing)}; this env offers {sorted(values)}")
        return values

    def objective(self, candidates: list[Trajectory], scores: list[float], adapter: SynthesisAdapter) -> np.ndarray:
        """The objective of every candidate (standardised score minus the weighted terms)."""
        s = np.asarray(scores, float)
        z = (s - s.mean()) / s.std() if len(s) > 1 and s.std() > 0 else np.zeros_like(s)
        penalty = [sum(w * self.terms(t, adapter)[k] for k, w in self.weights.items()) for t in candidates]
        return z - np.asarray(penalty, float)


def apply_target(result: PlanResult, target: Target, adapter: SynthesisAdapter) -> PlanResult:
    """``result`` with its answer re-chosen by ``target`` (the objective values go to ``extra["objective"]``)."""
    objective = target.objective(result.candidates, result.scores, adapter)
    chosen = int(np.argmax(objective))
    extra = {**result.extra, "objective": objective.tolist(), "target": dict(target.weights)}
    return replace(result, trajectory=result.candidates[chosen], chosen=chosen, extra=extra)
