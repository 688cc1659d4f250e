"""``SuccessCurve``: an SB3 callback that records the env's own success rate against env steps.

Whatever reward PPO optimises (the env's, or a learned one), the curve reads the env's verdict from each finished
episode's ``info["won"]`` and its own return from the ``info["env_reward"]`` of its steps. A row is added after
every rollout: ``env_steps``, ``episodes``, ``success_rate`` and ``mean_env_return`` over the last ``window``
episodes, and the cumulative ``wall_s``. :meth:`SuccessCurve.state` / ``state=`` carry it across a resume.
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

CURVE_FIELDS = ("env_steps", "episodes", "success_rate", "mean_env_return", "wall_s")


class SuccessCurve(BaseCallback):
    """Env success rate vs env steps, one row per rollout.

    Example:
        >>> from arm_gym.wrappers.sb3_curve import SuccessCurve
        >>> curve = SuccessCurve(window=100)
        >>> # model.learn(10_000, callback=curve); curve.rows[-1]["success_rate"]   (see arm-gym train-rl)

    Args:
        window: the number of latest episodes a row averages over.
        state: what :meth:`state` returned in an earlier run (rows, recent episodes, wall time), to go on from.
        on_row: called with each new row (e.g. to save checkpoints and curve files).
    """

    def __init__(self, window: int = 100, state: dict[str, Any] | None = None, on_row: Any = None):
        super().__init__()
        state = state or {}
        self.window = int(window)
        self.rows: list[dict[str, Any]] = list(state.get("rows", []))
        self.recent: deque[tuple[bool, float]] = deque(
            ((bool(w), float(r)) for w, r in state.get("recent", [])), maxlen=self.window
        )
        self.episodes = int(state.get("episodes", 0))
        self.wall_before = float(state.get("wall_s", 0.0))
        self.on_row = on_row
        self._returns: np.ndarray | None = None
        self._start = time.perf_counter()

    def _on_training_start(self) -> None:
        self._returns = np.zeros(self.training_env.num_envs)
        self._start = time.perf_counter()

    def _on_step(self) -> bool:
        infos, dones = self.locals["infos"], self.locals["dones"]
        for i, info in enumerate(infos):
            self._returns[i] += float(info.get("env_reward", 0.0))
            if dones[i]:
                self.recent.append((bool(info.get("won", False)), float(self._returns[i])))
                self.episodes += 1
                self._returns[i] = 0.0
        return True

    def _on_rollout_end(self) -> None:
        row = {
            "env_steps": int(self.num_timesteps),
            "episodes": self.episodes,
            "success_rate": float(np.mean([w for w, _ in self.recent])) if self.recent else 0.0,
            "mean_env_return": float(np.mean([r for _, r in self.recent])) if self.recent else 0.0,
            "wall_s": round(self.wall_s, 3),
        }
        self.rows.append(row)
        if self.on_row is not None:
            self.on_row(row)

    @property
    def wall_s(self) -> float:
        """Seconds of training so far, earlier runs included."""
        return self.wall_before + time.perf_counter() - self._start

    def state(self) -> dict[str, Any]:
        """JSON-able state to resume from (rows, the window's episodes, the episode count, wall time)."""
        return {"rows": self.rows, "recent": [list(x) for x in self.recent], "episodes": self.episodes,
                "wall_s": self.wall_s}


def write_curve(rows: list[dict[str, Any]], out_dir: str | os.PathLike, stem: str = "curve") -> tuple[Path, Path]:
    """Write ``rows`` to ``out_dir/stem.csv`` and ``out_dir/stem.json`` (each replaced atomically)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, json_path = out / f"{stem}.csv", out / f"{stem}.json"
    tmp = csv_path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CURVE_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, csv_path)
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=1))
    os.replace(tmp, json_path)
    return csv_path, json_path
