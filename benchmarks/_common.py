"""Shared helpers for benchmark scripts: timing a random policy, printing a table, saving JSON."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def random_policy_steps_per_s(env, *, steps: int, seed: int = 0) -> dict[str, Any]:
    """Run a uniform random admissible-action policy for ``steps`` steps.

    Later resets count in the time; the first one (simulator start-up, compiles) is reported apart.
    """
    rng = np.random.default_rng(seed)
    episodes = 1
    start = time.perf_counter()
    obs, info = env.reset(seed=seed)
    first_reset_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        actions = info["admissible_actions"]
        action = actions[int(rng.integers(len(actions)))] if len(actions) else ""
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            episodes += 1
            obs, info = env.reset()
    seconds = time.perf_counter() - start
    return {
        "steps": steps,
        "episodes": episodes,
        "seconds": round(seconds, 4),
        "steps_per_s": round(steps / seconds, 1),
        "first_reset_s": round(first_reset_s, 3),
    }


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """A plain fixed-width table on stdout."""
    widths = [max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(_cell(row.get(c)).ljust(w) for c, w in zip(columns, widths)))


def save_json(name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (plus machine facts) to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()}, **payload}
    path.write_text(json.dumps(payload, indent=2))
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3g}"
    return str(value)
