"""Scale-out figures: the local backend against Ray with 1 and 2 workers, and the served reward model.

Same run, same machine:
* ScienceWorld synthesis (JVM-bound) and WebShop collect: trajectories (or episodes) per second, local vs Ray;
* the served reward model: pairs/s for 1, 4 and 16 concurrent env workers sharing one deployment, against the
  same workers each scoring alone with its own in-process copy.

    python benchmarks/scale.py --checkpoint runs/rm-game24          # prints a table, saves JSON

On 2 cores the ceiling is 2 workers (one core each) minus what the driver and Ray's own processes take.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def backends(workers: list[int]):
    from arm_gym.distributed import RayBackend

    yield "local", None
    for n in workers:
        yield f"ray x{n}", RayBackend(num_workers=n)


def collect_rows(episodes: int, workers: list[int]) -> list[dict]:
    from arm_gym.data.explore import collect

    rows = []
    for name, backend in backends(workers):
        with tempfile.TemporaryDirectory() as tmp:
            seconds = timed(lambda: collect("ARM-WebShop-v0", Path(tmp) / "t.jsonl", episodes=episodes,
                                            num_envs=4, progress=False, backend=backend))
        rows.append({"what": "WebShop collect", "backend": name, "items": episodes, "seconds": seconds,
                     "per_second": episodes / seconds})
    return rows


def synthesis_rows(trajectories: int, workers: list[int]) -> list[dict]:
    from arm_gym.data.explore import collect
    from arm_gym.data.synthesize import Synthesizer, synthesize

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sw.jsonl"
        collect("ARM-ScienceWorld-v0", source, episodes=trajectories, max_steps=20, progress=False)
        for name, backend in backends(workers):
            out = Path(tmp) / f"t-{name.replace(' ', '')}.jsonl"
            seconds = timed(lambda: synthesize(source, out, synthesizer=Synthesizer(), progress=False,
                                               backend=backend))
            rows.append({"what": "ScienceWorld synthesis", "backend": name, "items": trajectories,
                         "seconds": seconds, "per_second": trajectories / seconds})
    return rows


def service_rows(checkpoint: str, pairs_per_call: int, calls: int, concurrency: list[int]) -> list[dict]:
    from arm_gym.data.explore import collect
    from arm_gym.distributed import init_ray, serve_reward_model
    from arm_gym.reward.model import RewardModel
    from arm_gym.trajectory import load_trajectories

    with tempfile.TemporaryDirectory() as tmp:  # real Game of 24 trajectories to score
        collect("ARM-Game24-v0", Path(tmp) / "t.jsonl", episodes=pairs_per_call * calls, progress=False)
        pairs = [(t.instruction, t) for t in load_trajectories(Path(tmp) / "t.jsonl")]
    chunks = [pairs[i : i + pairs_per_call] for i in range(0, len(pairs), pairs_per_call)]
    init_ray()
    served = serve_reward_model(checkpoint)
    served.score(chunks[0])  # warm up
    own = RewardModel.from_pretrained(checkpoint)
    rows = []
    for workers in concurrency:
        with ThreadPoolExecutor(workers) as pool:
            t_served = timed(lambda: list(pool.map(served.score, chunks)))
            t_alone = timed(lambda: list(pool.map(own.score, chunks)))
        for name, seconds in (("served, shared batches", t_served), ("each worker alone", t_alone)):
            rows.append({"what": f"reward model, {workers} workers", "backend": name, "items": len(pairs),
                         "seconds": seconds, "per_second": len(pairs) / seconds})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=None, help="a reward model for the service rows (skipped without)")
    parser.add_argument("--episodes", type=int, default=400, help="WebShop episodes per backend")
    parser.add_argument("--trajectories", type=int, default=12, help="ScienceWorld trajectories to synthesize")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    rows = collect_rows(args.episodes, workers) + synthesis_rows(args.trajectories, workers)
    if args.checkpoint:
        rows += service_rows(args.checkpoint, pairs_per_call=2, calls=64, concurrency=[1, 4, 16])
    width = max(len(r["what"]) for r in rows)
    print(f"{'what':<{width}}  {'backend':<24} {'items':>6} {'seconds':>8} {'per second':>11}")
    for r in rows:
        print(f"{r['what']:<{width}}  {r['backend']:<24} {r['items']:>6} {r['seconds']:>8.2f} {r['per_second']:>11.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
