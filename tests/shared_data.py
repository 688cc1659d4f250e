"""Where the reference data of ``../shared/data`` lives (``ARM_GYM_SHARED`` overrides; read-only, never copied)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("ARM_GYM_SHARED", Path(__file__).resolve().parents[2] / "shared"))
GAME24_CSV = SHARED / "data" / "game24" / "24.csv"
WEBSHOP_HUMAN_GOALS = SHARED / "data" / "webshop" / "human_goals_dev.json"
