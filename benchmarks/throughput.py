"""Random-policy steps/s for every registered ARM-* env, beside the raw simulators where they exist.

    python benchmarks/throughput.py [--steps 2000] [--envs ARM-Game24-v0 ...] [--no-raw]

Prints one table and saves ``benchmarks/results/throughput.json``. The policy picks uniformly among
``info["admissible_actions"]`` (so the cost of listing them is included); resets are timed too.
Rows from ``benchmarks/raw_<sim>.py`` (``rows(steps, seed)``) drive each simulator directly with the
same policy in the same run, so the wrapper's overhead reads as a ratio. The random policy reads
``admissible_actions`` every step, so ScienceWorld's rows here are its eager mode.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import gymnasium as gym

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_table, random_policy_steps_per_s, save_json

import arm_gym

RAW_MODULES = ("raw_scienceworld", "raw_textworld")


def measure_env(env_id: str, steps: int, seed: int) -> dict:
    start = time.perf_counter()
    try:
        env = gym.make(env_id)
    except (ImportError, gym.error.DependencyNotInstalled) as exc:
        return {"env": env_id, "mode": f"skipped: {exc}".splitlines()[0][:80]}
    make_s = time.perf_counter() - start
    try:
        row = random_policy_steps_per_s(env, steps=steps, seed=seed)
    finally:
        env.close()
    return {"env": env_id, "mode": "arm_gym (gym.make)", "make_s": round(make_s, 3), **row}


def raw_rows(steps: int, seed: int) -> list[dict]:
    rows = []
    here = Path(__file__).resolve().parent
    for name in RAW_MODULES:
        path = here / f"{name}.py"
        if not path.exists():
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows.extend(module.rows(steps=steps, seed=seed))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000, help="steps per env (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--envs", nargs="*", default=None, help="ids to measure (default: every registered id)")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw-simulator rows")
    args = parser.parse_args(argv)
    rows = [measure_env(env_id, args.steps, args.seed) for env_id in (args.envs or arm_gym.env_ids())]
    if not args.no_raw:
        rows.extend(raw_rows(args.steps, args.seed))
    print_table(rows, ["env", "mode", "steps", "episodes", "seconds", "steps_per_s", "make_s", "first_reset_s"])
    path = save_json("throughput", {"steps": args.steps, "rows": rows})
    print(f"\nsaved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
