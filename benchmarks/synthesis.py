"""Exploration and env-grounded triplet synthesis throughput per env, and the share the env check drops.

For each env: random exploration with 1 and 4 sub-environments (sync and async vector envs) beside
each other, then ``synthesize`` (env-grounded intents and negatives, every triplet replayed in the
env) on the trajectories: triplets/s, candidates/s, and the share of candidates dropped by the check.

    python benchmarks/synthesis.py [--envs ARM-Game24-v0,ARM-WebShop-v0,ARM-TextWorld-v0,ARM-ScienceWorld-v0]
                                   [--episodes-game24 400] [--episodes-webshop 200]
                                   [--episodes-textworld 60] [--episodes-scienceworld 30]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import print_table, save_json

from arm_gym.data.explore import collect
from arm_gym.envs import make_env
from arm_gym.data.synthesize import synthesize


def bench_env(env_id: str, episodes: int, workdir: Path, seed: int) -> tuple[list[dict], dict]:
    make_env(env_id).close()  # build shared state (WebShop's catalogue and index) outside the timings
    collect_rows = []
    base = None
    for num_envs, mode in ((1, "sync"), (4, "sync"), (4, "async")):
        path = workdir / f"{env_id}-{num_envs}-{mode}.jsonl"
        stats = collect(
            env_id,
            path,
            episodes=episodes,
            num_envs=num_envs,
            seed=seed,
            max_steps=30,
            vectorization=mode,
            progress=False,
        )
        eps = stats.collected / stats.seconds
        base = base or eps
        collect_rows.append(
            {
                "env": env_id,
                "vector": f"{mode} x{num_envs}",
                "episodes": stats.collected,
                "steps": stats.steps,
                "episodes_per_s": round(eps, 1),
                "steps_per_s": round(stats.steps / stats.seconds, 1),
                "vs_x1": round(eps / base, 2),
            }
        )
    trajs = workdir / f"{env_id}-1-sync.jsonl"
    out = workdir / f"{env_id}-triplets.jsonl"
    s = synthesize(trajs, out, progress=False)
    synth = {
        "env": env_id,
        "trajectories": s.trajectories,
        "intents": s.intents,
        "candidates": s.candidates,
        "kept": s.kept,
        "dropped_check": s.dropped_check,
        "duplicates": s.duplicates,
        "dropped_share": round(s.dropped_share, 4),
        "seconds": round(s.seconds, 2),
        "triplets_per_s": round(s.kept / s.seconds, 1),
        "candidates_per_s": round(s.candidates / s.seconds, 1),
        "by_kind": s.by_kind,
    }
    return collect_rows, synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs", default="ARM-Game24-v0,ARM-WebShop-v0")
    parser.add_argument("--episodes-game24", type=int, default=400)
    parser.add_argument("--episodes-webshop", type=int, default=200)
    parser.add_argument("--episodes-textworld", type=int, default=60)
    parser.add_argument("--episodes-scienceworld", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    collect_rows, synth_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for env_id in [e.strip() for e in args.envs.split(",") if e.strip()]:
            family = env_id.removeprefix("ARM-").split("-")[0].lower()
            episodes = getattr(args, f"episodes_{family}", args.episodes_game24)
            rows, synth = bench_env(env_id, episodes, Path(tmp), args.seed)
            collect_rows += rows
            synth_rows.append(synth)
    print("Random exploration (collect):")
    print_table(collect_rows, ["env", "vector", "episodes", "steps", "episodes_per_s", "steps_per_s", "vs_x1"])
    print("\nEnv-grounded synthesis (every triplet replayed in the env):")
    print_table(
        synth_rows,
        [
            "env",
            "trajectories",
            "intents",
            "candidates",
            "kept",
            "dropped_check",
            "duplicates",
            "dropped_share",
            "triplets_per_s",
            "candidates_per_s",
        ],
    )
    print("\nPassed the check / candidates, by negative kind:")
    for row in synth_rows:
        kinds = ", ".join(f"{k} {v['passed']}/{v['candidates']}" for k, v in sorted(row["by_kind"].items()))
        print(f"  {row['env']}: {kinds}")
    path = save_json("synthesis", {"collect": collect_rows, "synthesize": synth_rows, "args": vars(args)})
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
