"""TextWorld driven directly beside ARM-TextWorld-v0: the same random policy on the same games, same run.

    python benchmarks/raw_textworld.py [--steps 2000] [--seed 0]

For one game of each challenge, three rows:

* ``textworld.start`` with ``EnvInfos(admissible_commands=True)``: the policy picks uniformly among
  the admissible commands of each state (what ARM-TextWorld-v0 does);
* ``textworld.start`` without admissible commands: the policy picks uniformly among the game's
  static ``possible_admissible_commands`` (no per-step listing; many are invalid where they are tried);
* ``ARM-TextWorld-v0`` through ``gym.make``: uniform over ``info["admissible_actions"]``.

Episodes end on a win/loss or after 100 steps in every mode; resets are timed. With the same seed the
admissible-command rows and the arm_gym rows play the same trajectories (same episodes and wins), so
their ratio is the wrapper's overhead. Modes run interleaved, best of ``--repeats``. Games are compiled (once) before timing, into ``$ARM_GYM_CACHE/textworld``.
``benchmarks/throughput.py`` calls :func:`rows`; run alone, this prints a table and saves
``benchmarks/results/raw_textworld.json``.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

GAMES = (
    "tw-coin_collector/level=10/seed=0",
    "tw-treasure_hunter/level=15/seed=0",
    "tw-cooking/level=3/seed=0",
    "custom/level=2/seed=0",
)
MAX_EPISODE_STEPS = 100


def _raw(game_file: str, *, steps: int, seed: int, admissible: bool) -> dict[str, Any]:
    import textworld

    from arm_gym.envs.textworld.state import quiet_jericho

    infos = textworld.EnvInfos(
        score=True,
        max_score=True,
        won=True,
        lost=True,
        admissible_commands=admissible,
        possible_admissible_commands=not admissible,
    )
    with quiet_jericho():
        env = textworld.start(game_file, request_infos=infos)
    rng = np.random.default_rng(seed)
    episodes, wins, t = 1, 0, 0
    start = time.perf_counter()
    state = env.reset()
    fixed = list(state["possible_admissible_commands"] or []) if not admissible else None
    for _ in range(steps):
        candidates = state["admissible_commands"] if admissible else fixed
        state, _, done = env.step(candidates[int(rng.integers(len(candidates)))])
        t += 1
        if done or t >= MAX_EPISODE_STEPS:
            wins += bool(state["won"])
            episodes, t = episodes + 1, 0
            state = env.reset()
    seconds = time.perf_counter() - start
    env.close()
    return _row(
        "textworld.start",
        "admissible commands" if admissible else "no admissible commands",
        steps,
        seconds,
        episodes,
        wins,
    )


def _arm(task_id: str, cache_dir: str | None, *, steps: int, seed: int) -> dict[str, Any]:
    import gymnasium as gym

    import arm_gym  # noqa: F401  (registers the ids)

    env = gym.make("ARM-TextWorld-v0", cache_dir=cache_dir, max_steps=MAX_EPISODE_STEPS)
    rng = np.random.default_rng(seed)
    episodes, wins = 1, 0
    start = time.perf_counter()
    _, info = env.reset(seed=seed, options={"task_id": task_id})
    for _ in range(steps):
        actions = info["admissible_actions"]
        _, _, terminated, truncated, info = env.step(actions[int(rng.integers(len(actions)))])
        if terminated or truncated:
            wins += bool(info["won"])
            episodes += 1
            _, info = env.reset(options={"task_id": task_id})
    seconds = time.perf_counter() - start
    env.close()
    return _row("ARM-TextWorld-v0", "gym.make, admissible actions", steps, seconds, episodes, wins)


def _row(env: str, mode: str, steps: int, seconds: float, episodes: int, wins: int) -> dict[str, Any]:
    return {
        "env": env,
        "mode": mode,
        "steps": steps,
        "seconds": round(seconds, 4),
        "steps_per_s": round(steps / seconds, 1),
        "episodes": episodes,
        "wins": wins,
    }


def rows(
    steps: int = 2000, seed: int = 0, games: tuple[str, ...] = GAMES, cache_dir: str | None = None, repeats: int = 2
) -> list[dict]:
    """Rows (env, mode, steps, seconds, steps_per_s, plus game, episodes, wins, overhead) for each game.

    The three modes run interleaved ``repeats`` times after a short warm-up and each row keeps its
    fastest repeat, so load from other processes on a shared machine disturbs the ratios less.
    """
    from arm_gym.envs.textworld.games import GameSpec, build_game

    out: list[dict] = []
    for task_id in games:
        game_file = str(build_game(GameSpec.parse(task_id), cache_dir))  # compile outside the timing
        runs = (
            functools.partial(_raw, game_file, seed=seed, admissible=True),
            functools.partial(_raw, game_file, seed=seed, admissible=False),
            functools.partial(_arm, task_id, cache_dir, seed=seed),
        )
        for run in runs:  # warm-up: imports, first loads
            run(steps=50)
        best: list[dict | None] = [None] * len(runs)
        for _ in range(max(1, repeats)):
            for i, run in enumerate(runs):
                row = run(steps=steps)
                if best[i] is None or row["seconds"] < best[i]["seconds"]:
                    best[i] = row
        group = [dict(row, mode=f"{row['mode']} [{task_id}]", game=task_id) for row in best]
        group[2]["overhead_vs_raw"] = round(group[0]["steps_per_s"] / group[2]["steps_per_s"], 3)
        out.extend(group)
    return out


def state_costs(task_id: str = GAMES[2], depth: int = 20, repeats: int = 10, cache_dir: str | None = None) -> dict:
    """Milliseconds for get_state/set_state (in-place snapshots) against replay and TextWorld's own copy()."""
    import gymnasium as gym

    import arm_gym  # noqa: F401
    from arm_gym.core import TextEnv
    from arm_gym.envs.textworld.state import quiet_jericho

    env = gym.make("ARM-TextWorld-v0", cache_dir=cache_dir, max_steps=None).unwrapped
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0, options={"task_id": task_id})
    for _ in range(depth):  # a random walk that avoids ending the game
        actions = [a for a in info["admissible_actions"] if not a.startswith(("eat", "drink"))]
        _, _, terminated, _, info = env.step(actions[int(rng.integers(len(actions)))])
        assert not terminated

    def ms(fn) -> float:
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        return round((time.perf_counter() - start) / repeats * 1000, 2)

    snap, replay_state = env.get_state(), TextEnv.get_state(env)
    with quiet_jericho():
        result = {
            "task_id": task_id,
            "depth": depth,
            "snapshot_get_state_ms": ms(env.get_state),
            "snapshot_set_state_ms": ms(lambda: env.set_state(snap)),
            "replay_set_state_ms": ms(lambda: env.set_state(replay_state)),
            "textworld_copy_ms": ms(lambda: env._game.copy().close()),
        }
    env.close()
    return result


def main(argv: list[str] | None = None) -> int:
    from _common import print_table, save_json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000, help="steps per row (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repeats per row; the fastest is kept")
    args = parser.parse_args(argv)
    result = rows(steps=args.steps, seed=args.seed, repeats=args.repeats)
    print_table(result, ["env", "mode", "steps", "episodes", "wins", "seconds", "steps_per_s", "overhead_vs_raw"])
    arm = [r for r in result if r["env"] == "ARM-TextWorld-v0"]
    raw = [r for r in result if r["env"] == "textworld.start" and r["mode"].startswith("admissible")]
    bare = [r for r in result if r["mode"].startswith("no admissible")]
    summary = {
        "wrapper_overhead_mean": round(float(np.mean([r["overhead_vs_raw"] for r in arm])), 3),
        "admissible_cost_mean": round(
            float(np.mean([b["steps_per_s"] / a["steps_per_s"] for a, b in zip(raw, bare)])), 2
        ),
    }
    print(
        f"\nwrapper overhead (raw admissible steps/s / arm_gym steps/s), mean over games: {summary['wrapper_overhead_mean']}"
    )
    summary["state"] = state_costs()
    print(
        f"get_state/set_state at depth {summary['state']['depth']} ({summary['state']['task_id']}): {summary['state']}"
    )
    print(f"raw without admissible commands is {summary['admissible_cost_mean']}x faster than with them (mean)")
    payload = {"steps": args.steps, "seed": args.seed, "repeats": args.repeats, "summary": summary, "rows": result}
    path = save_json("raw_textworld", payload)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
