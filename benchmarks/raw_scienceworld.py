"""ScienceWorld throughput: the raw simulator beside ARM-ScienceWorld-v0, same random policy, same run.

    python benchmarks/raw_scienceworld.py [--steps 2000] [--seed 0]

Rows (each ``steps`` steps; resets are timed too, the same number in every mode):

- ``scienceworld`` / ``package step()``: the package's ``ScienceWorldEnv.step``, which lists the valid
  actions (and looks around, and checks the inventory) on every step;
- ``scienceworld`` / ``server.step()``: the engine driven directly, step + score + completion only;
- ``ARM-ScienceWorld-v0`` / ``lazy``: ``gym.make`` env, admissible actions never read after reset;
- ``ARM-ScienceWorld-v0`` / ``eager``: the same, reading ``info["admissible_actions"]`` every step;
- ``ARM-ScienceWorld-v0 simplified=True`` / ``eager``: ScienceWorld's "easy" simplifications.

The policy: per episode, a seeded RNG picks a task from :data:`TASKS` and then actions uniformly
from the valid actions of the episode's first state (``focus on`` actions left out, since they end
the task), for at most :data:`EPISODE_STEPS` steps. The modes take turns in :data:`ROUNDS` chunks
so that a change of load on the machine affects them alike. Every mode lists the start state's actions once
per episode, so all modes take the same actions (checked by a digest of the actions taken); the
simplified rows play a different (smaller) game. Prints a table, the wrapper-overhead and
lazy-vs-eager ratios, and saves ``benchmarks/results/raw_scienceworld.json``. ``rows()`` is what
``benchmarks/throughput.py`` calls.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

TASKS = ("boil/0", "find-living-thing/0", "chemistry-mix/0", "use-thermometer/0", "grow-plant/0", "test-conductivity/0")
EPISODE_STEPS = 50
ROUNDS = 4
ENV_ID = "ARM-ScienceWorld-v0"

logger = logging.getLogger(__name__)

Start = Callable[[str], Sequence[str]]  # task id -> the valid actions of the first state
Act = Callable[[str], bool]  # action -> episode over


def drive(start: Start, act: Act, steps: int, seed: int) -> tuple[float, int, str]:
    """Run the random policy for ``steps`` steps; (seconds, episodes, digest of the actions taken)."""
    rng = np.random.default_rng(seed)
    digest = hashlib.sha1()
    done, episodes = 0, 0
    begin = time.perf_counter()
    while done < steps:
        task_id = TASKS[int(rng.integers(len(TASKS)))]
        pool = [a for a in start(task_id) if not a.startswith("focus on")]
        episodes += 1
        digest.update(f"|{task_id}|".encode())
        for _ in range(min(EPISODE_STEPS, steps - done)):
            action = pool[int(rng.integers(len(pool)))]
            digest.update(action.encode() + b"\n")
            done += 1
            if act(action):
                break
    return time.perf_counter() - begin, episodes, digest.hexdigest()[:12]


def _raw_package_driver(sw) -> tuple[Start, Act]:
    def start(task_id: str) -> list[str]:
        name, variation = task_id.rsplit("/", 1)
        sw.load(name, int(variation), "", False)
        sw.reset()
        return sw.get_valid_action_object_combinations()

    def act(action: str) -> bool:
        return bool(sw.step(action)[2])

    return start, act


def _raw_server_driver(sw) -> tuple[Start, Act]:
    server = sw.server

    def start(task_id: str) -> list[str]:
        name, variation = task_id.rsplit("/", 1)
        server.load(name, int(variation), "", False)
        server.step("look around")
        return list(server.getValidActionObjectCombinations())

    def act(action: str) -> bool:
        server.step(action)
        return bool(server.getCompleted()) or server.getScore() < 0

    return start, act


def _arm_driver(env, *, eager: bool, simplified: bool = False) -> tuple[Start, Act]:
    def start(task_id: str) -> list[str]:
        return list(env.reset(options={"task_id": task_id, "simplified": simplified})[1]["admissible_actions"])

    def act(action: str) -> bool:
        _, _, terminated, truncated, info = env.step(action)
        if eager:
            len(info["admissible_actions"])  # forces the listing
        return terminated or truncated

    return start, act


def rows(steps: int = 2000, seed: int = 0) -> list[dict]:
    """Measure every mode for ``steps`` steps with the policy seeded by ``seed``; one dict per mode."""
    import gymnasium as gym
    from scienceworld import ScienceWorldEnv

    import arm_gym  # noqa: F401 - registers the ids

    raw = ScienceWorldEnv("", envStepLimit=10**9)  # no step limit of its own: the policy bounds episodes
    env = gym.make(ENV_ID, max_steps=None)
    warmup = min(steps, 300)
    modes = [
        ("scienceworld", "package step()", _raw_package_driver(raw)),
        ("scienceworld", "server.step()", _raw_server_driver(raw)),
        (ENV_ID, "lazy (actions not read)", _arm_driver(env, eager=False)),
        (ENV_ID, "eager (actions read every step)", _arm_driver(env, eager=True)),
        (f"{ENV_ID} simplified=True", "lazy (actions not read)", _arm_driver(env, eager=False, simplified=True)),
        (f"{ENV_ID} simplified=True", "eager (actions read every step)", _arm_driver(env, eager=True, simplified=True)),
    ]
    try:
        # JIT warm-up of both JVMs (another seed, untimed), so the first timed mode is not penalised
        drive(*_raw_server_driver(raw), steps=warmup, seed=seed + 10**6)
        drive(*_arm_driver(env, eager=True), steps=warmup // 3, seed=seed + 10**6)
        drive(*_arm_driver(env, eager=False), steps=warmup, seed=seed + 10**6)
        # modes take turns in ROUNDS chunks, so a load change on the machine hits them all alike
        totals = {(name, mode): [0.0, 0, ""] for name, mode, _ in modes}
        chunks = [steps // ROUNDS + (1 if k < steps % ROUNDS else 0) for k in range(ROUNDS)]
        for k, chunk in enumerate(c for c in chunks if c):
            for name, mode, (start, act) in modes:
                seconds, episodes, digest = drive(start, act, chunk, seed * ROUNDS + k)
                total = totals[(name, mode)]
                total[0] += seconds
                total[1] += episodes
                total[2] += digest
            print(f"  round {k + 1}/{ROUNDS} done", file=sys.stderr)
        out = []
        for (name, mode), (seconds, episodes, _) in totals.items():
            out.append(
                {
                    "env": name,
                    "mode": mode,
                    "steps": steps,
                    "episodes": episodes,
                    "seconds": round(seconds, 3),
                    "steps_per_s": round(steps / seconds, 1),
                }
            )
        if len({d for (name, _), (_, _, d) in totals.items() if "simplified" not in name}) != 1:
            logger.warning("the raw and arm_gym modes took different actions: the engine was not deterministic")
    finally:
        env.close()
        raw.close()
    return out


def ratios(table: Sequence[dict]) -> dict[str, float]:
    """The wrapper overheads and the lazy-vs-eager speedups, from :func:`rows`' output."""
    seconds = {(r["env"], r["mode"]): r["seconds"] for r in table}
    simple = f"{ENV_ID} simplified=True"
    lazy, eager = "lazy (actions not read)", "eager (actions read every step)"
    return {
        "wrapper_overhead_lazy_vs_server_step": round(
            seconds[(ENV_ID, lazy)] / seconds[("scienceworld", "server.step()")], 3
        ),
        "wrapper_overhead_eager_vs_package_step": round(
            seconds[(ENV_ID, eager)] / seconds[("scienceworld", "package step()")], 3
        ),
        "lazy_speedup_over_eager": round(seconds[(ENV_ID, eager)] / seconds[(ENV_ID, lazy)], 2),
        "lazy_speedup_over_package_step": round(
            seconds[("scienceworld", "package step()")] / seconds[(ENV_ID, lazy)], 2
        ),
        "simplified_eager_speedup_over_eager": round(seconds[(ENV_ID, eager)] / seconds[(simple, eager)], 2),
        "simplified_lazy_speedup_over_simplified_eager": round(seconds[(simple, eager)] / seconds[(simple, lazy)], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000, help="steps per mode (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random policy (default 0)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import print_table, save_json

    table = rows(steps=args.steps, seed=args.seed)
    print_table(table, ["env", "mode", "steps", "episodes", "seconds", "steps_per_s"])
    summary = ratios(table)
    print()
    for key, value in summary.items():
        print(f"{key}: {value}")
    path = save_json("raw_scienceworld", {"steps": args.steps, "seed": args.seed, "rows": table, "ratios": summary})
    print(f"\nsaved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
