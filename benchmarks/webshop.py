"""ARM-WebShop-v0 speed and memory at 10k, 100k and 1M products.

    python benchmarks/webshop.py [--sizes 10000 100000 1000000] [--queries 300] [--steps 5000]

For each size, two fresh child processes measure: start-up without a cache (generate the catalogue,
tokenise, build the BM25 index, save both) and start-up with it (verify and memory-map the cached
catalogue columns and index: no generation), each including imports and the first reset. The warm
child then times search latency (p50/p95 over goal instructions of the train split, for the default
backend and for plain numpy side by side; wall and CPU time, since the machine may be shared) and
random-policy steps/s (uniform over admissible actions; ``search[...]`` becomes three random words of
the instruction). Peak memory is each child's max RSS; ``startup_rss_cached_gb`` is the cached child's
right after start-up (mapped cache pages count once touched). ``load_avg_1m`` records how busy the
machine was. Prints a table and saves ``benchmarks/results/webshop.json``. Targets (issue 3): >= 2,000
steps/s at 10k, search p95 <= 20 ms at 1M, start-up with cache <= 2 s at 10k, <= 4 GB at 1M.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_T0 = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _child(args: argparse.Namespace) -> None:
    import numpy as np

    from arm_gym.envs.webshop import WebShopEnv
    from arm_gym.envs.webshop.search import SearchIndex

    env = WebShopEnv(num_products=args.n, cache_dir=args.cache_dir, show_progress=False)
    env.reset(seed=0)
    out = {"n": args.n, "startup_s": time.perf_counter() - _T0, "startup_cpu_s": time.process_time(),
           "from_cache": env.world.index.loaded_from_cache and env.world.catalogue.loaded_from_cache,
           "startup_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, "backend": env.world.index.backend}
    if args.child == "warm":
        goals = env.world.goals
        queries = [goals.get(g).instruction for g in goals.ids("train")[: args.queries]]
        indexes = {env.world.index.backend: env.world.index}
        if "numpy" not in indexes:
            indexes["numpy"] = SearchIndex(env.catalogue, cache_dir=args.cache_dir, backend="numpy")
        for name, index in indexes.items():
            index.search(queries[0])  # warm-up (JIT, caches)
            lat, cpu = [], []
            for q in queries:
                t, c = time.perf_counter(), time.thread_time()
                index.search(q)
                lat.append(time.perf_counter() - t)
                cpu.append(time.thread_time() - c)
            out[f"search_{name}_p50_ms"] = float(np.percentile(lat, 50) * 1e3)
            out[f"search_{name}_p95_ms"] = float(np.percentile(lat, 95) * 1e3)
            out[f"search_{name}_cpu_p95_ms"] = float(np.percentile(cpu, 95) * 1e3)
        rng = np.random.default_rng(0)
        _, info = env.reset(seed=0)
        episodes, start, cpu_start = 1, time.perf_counter(), time.process_time()
        for _ in range(args.steps):
            actions = info["admissible_actions"]
            action = actions[int(rng.integers(len(actions)))]
            if action == "search[...]":
                words = info["instruction"].split()
                action = "search[" + " ".join(rng.choice(words, size=min(3, len(words)), replace=False)) + "]"
            _, _, terminated, truncated, info = env.step(action)
            if terminated or truncated:
                episodes += 1
                _, info = env.reset()
        out["steps_per_s"] = args.steps / (time.perf_counter() - start)
        out["steps_per_cpu_s"] = args.steps / (time.process_time() - cpu_start)
        out["episodes"] = episodes
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print("RESULT " + json.dumps(out), flush=True)


def _run_child(kind: str, n: int, cache_dir: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--n", str(n), "--cache-dir", cache_dir,
           "--queries", str(args.queries), "--steps", str(args.steps)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"{kind} run at n={n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300, help="search queries timed per size")
    parser.add_argument("--steps", type=int, default=5000, help="random-policy steps timed per size")
    parser.add_argument("--child", choices=["cold", "warm"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args)

    from _common import print_table, save_json

    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="webshop-bench-") as cache:
            print(f"n={n:,}: cold start (building the index) ...", flush=True)
            cold = _run_child("cold", n, cache, args)
            print(f"n={n:,}: warm start, search latency, random policy ...", flush=True)
            warm = _run_child("warm", n, cache, args)
        assert warm["from_cache"] and not cold["from_cache"]
        row = {
            "products": n,
            "startup_no_cache_s": round(cold["startup_s"], 2),
            "startup_cached_s": round(warm["startup_s"], 2),
            "cache_speedup": round(cold["startup_s"] / warm["startup_s"], 1),
            "backend": warm["backend"],
            "search_p50_ms": round(warm[f"search_{warm['backend']}_p50_ms"], 2),
            "search_p95_ms": round(warm[f"search_{warm['backend']}_p95_ms"], 2),
            "search_cpu_p95_ms": round(warm[f"search_{warm['backend']}_cpu_p95_ms"], 2),
            "numpy_p95_ms": round(warm["search_numpy_p95_ms"], 2),
            "steps_per_s": round(warm["steps_per_s"], 1),
            "steps_per_cpu_s": round(warm["steps_per_cpu_s"], 1),
            "startup_cached_cpu_s": round(warm["startup_cpu_s"], 2),
            "load_avg_1m": round(os.getloadavg()[0], 1),
            "peak_rss_build_gb": round(cold["peak_rss_gb"], 2),
            "peak_rss_cached_gb": round(warm["peak_rss_gb"], 2),
            "startup_rss_cached_gb": round(warm["startup_rss_gb"], 2),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print()
    print_table(rows, list(rows[0]))
    path = save_json("webshop", {"queries": args.queries, "steps": args.steps, "rows": rows})
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main()
