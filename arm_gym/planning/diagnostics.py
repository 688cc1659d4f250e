"""Search diagnostics (B-STaR's two signals): is exploration or the reward the limit?

* diversity: how many distinct trajectories (and distinct actions) the planner's candidates hold;
* discriminability: whether the scorer's pick has the best env return among the candidates.

Few distinct candidates mean the policy explores too little for any scorer to help; a scorer that rarely picks
the best of diverse candidates is the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.planning.result import PlanResult


def diagnose(result: PlanResult) -> dict[str, Any]:
    """The diagnostics of one planned task."""
    distinct = {tuple(t.actions) for t in result.candidates}
    actions = {a for t in result.candidates for a in t.actions}
    returns = [t.env_return for t in result.candidates]
    best = max(returns, default=0.0)
    return {
        "distinct_trajectories": len(distinct),
        "distinct_actions": len(actions),
        "return_spread": float(best - min(returns, default=0.0)),
        "picked_best": bool(result.trajectory.env_return >= best),
    }


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Means over tasks; ``discriminability`` counts only tasks whose candidates' returns differ (elsewhere any
    pick is the best)."""
    if not rows:
        return {}
    spread = [r for r in rows if r["return_spread"] > 0]
    return {
        "distinct_trajectories": float(np.mean([r["distinct_trajectories"] for r in rows])),
        "distinct_actions": float(np.mean([r["distinct_actions"] for r in rows])),
        "tasks_with_spread": float(len(spread) / len(rows)),
        "discriminability": float(np.mean([r["picked_best"] for r in spread])) if spread else float("nan"),
    }
