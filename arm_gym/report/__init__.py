"""Self-contained HTML reports of trajectories, triplets, evaluation and planner outputs (``arm-gym report``)."""

from __future__ import annotations

from arm_gym.report.build import build_items, load_records
from arm_gym.report.html import render_report

__all__ = ["build_items", "load_records", "render_report"]
