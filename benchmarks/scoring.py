"""Reward-model scoring throughput: one at a time vs batched vs VectorRewardModelWrapper (16 envs).

Trajectories are rendered to exactly the token budget (256 and 512 tokens) and scored by the
default backbone (all-MiniLM-L6-v2 with a one-label head; throughput does not depend on training).
All three ways run in the same process, one after the other, and are quoted as ratios to
one-at-a-time. On CPU the batched run is repeated in fp32 next to the default precision, with the
largest score difference, to check :data:`arm_gym.reward.model.BF16_CPU_TOLERANCE`. Runs unchanged
on a GPU (device ``auto``).

    python benchmarks/scoring.py [--n 64] [--lengths 256,512] [--device auto] [--batch-sizes 8,16,32]
                                [--backbone PATH | --checkpoint DIR]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from _common import print_table, save_json
from arm_gym.wrappers import VectorRewardModelWrapper

from arm_gym.core import StepResult, TextEnv
from arm_gym.trajectory import Step, Trajectory
from arm_gym.reward.model import RewardModel
from arm_gym.reward.render import RenderConfig

WORDS = ["search", "click", "item", "price", "size", "color", "buy", "back", "next", "page", "rating", "review", "option", "large", "small", "blue", "red"]


def long_text(rng: np.random.Generator, words: int) -> str:
    return " ".join(rng.choice(WORDS, size=words))


def trajectories(n: int, seed: int = 0) -> list[tuple[str, Trajectory]]:
    """``n`` trajectories long enough to fill a 512-token budget (the renderer cuts them to size)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        steps = [Step(f"click[{long_text(rng, 3)}]", long_text(rng, 120), 0.0) for _ in range(6)]
        out.append((f"task {i}: {long_text(rng, 12)}", Trajectory("bench", str(i), "", steps=steps)))
    return out


class OneStepEnv(TextEnv):
    """Every episode is one step with a long observation, so each vector step scores every sub-env."""

    def task_ids(self, split: str) -> Sequence[str]:
        return [str(i) for i in range(100)]

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        self.instruction = f"task {task_id}: " + long_text(self.np_random, 12)
        return long_text(self.np_random, 200)

    def _step(self, action: str) -> StepResult:
        return StepResult(long_text(self.np_random, 400), 1.0, True, True)

    def admissible_actions(self) -> list[str]:
        return ["click[buy]"]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def bench_length(
    rm: RewardModel, n: int, n_envs: int, precision_check: bool, batch_sizes: Sequence[int] = ()
) -> list[dict[str, Any]]:
    pairs = trajectories(n)
    tokens = int(np.mean([len(x) for x in rm.render_config.encode([rm.render(*p) for p in pairs[:8]], rm.tokenizer)]))
    rm.score(pairs[:4])  # warm-up (kernels, allocator)

    start = time.perf_counter()
    single = np.array([rm.score([p])[0] for p in pairs])
    t_single = time.perf_counter() - start

    start = time.perf_counter()
    batched = rm.score(pairs)
    t_batched = time.perf_counter() - start

    envs = VectorRewardModelWrapper(
        gym.vector.SyncVectorEnv([OneStepEnv for _ in range(n_envs)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP),
        rm,
    )
    envs.reset(seed=0)
    steps = max(1, n // n_envs)
    start = time.perf_counter()
    for _ in range(steps):
        envs.step(("click[buy]",) * n_envs)
    t_vector = time.perf_counter() - start

    base = rate(n, t_single)
    rows = [
        {"tokens": tokens, "way": "one at a time", "precision": rm.precision, "traj_per_s": base, "vs_one": 1.0},
        {"tokens": tokens, "way": "batched", "precision": rm.precision, "traj_per_s": rate(n, t_batched),
         "vs_one": rate(n, t_batched) / base, "max_abs_diff": float(np.max(np.abs(batched - single)))},
        {"tokens": tokens, "way": f"vector wrapper x{n_envs}", "precision": rm.precision,
         "traj_per_s": rate(steps * n_envs, t_vector), "vs_one": rate(steps * n_envs, t_vector) / base},
    ]
    default_batching = (rm.batch_size, rm.max_batch_tokens)
    for size in batch_sizes:  # the same batched call with other row limits (no token limit)
        rm.batch_size, rm.max_batch_tokens = size, size * 4096
        start = time.perf_counter()
        rm.score(pairs)
        t = time.perf_counter() - start
        rows.append({"tokens": tokens, "way": f"batched, {size} rows", "precision": rm.precision,
                     "traj_per_s": rate(n, t), "vs_one": rate(n, t) / base})
    rm.batch_size, rm.max_batch_tokens = default_batching
    if precision_check and rm.precision != "fp32":
        fp32 = RewardModel(rm.model, rm.tokenizer, render=rm.render_config, device=rm.device, precision="fp32")
        fp32.score(pairs[:4])
        start = time.perf_counter()
        reference = fp32.score(pairs)
        t_fp32 = time.perf_counter() - start
        rows.append({"tokens": tokens, "way": "batched", "precision": "fp32", "traj_per_s": rate(n, t_fp32),
                     "vs_one": rate(n, t_fp32) / base, "max_abs_diff": float(np.max(np.abs(batched - reference)))})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="trajectories per way (default: 64 on CPU, 1024 on GPU)")
    parser.add_argument("--lengths", default="256,512", help="token budgets (default: 256,512)")
    parser.add_argument("--envs", type=int, default=16, help="sub-envs of the vector wrapper (default: 16)")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda")
    parser.add_argument("--precision", default="auto", choices=("auto", "bf16", "fp32"))
    parser.add_argument("--backbone", default=None, help="HF path or id (default: packaged all-MiniLM-L6-v2)")
    parser.add_argument("--checkpoint", default=None, help="score with this trained reward model instead")
    parser.add_argument("--batch-sizes", default="", help="also time batched scoring with these row limits, e.g. 8,16,32")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args()

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.checkpoint:
        rm = RewardModel.from_pretrained(args.checkpoint, device=args.device, precision=args.precision)
    else:
        rm = RewardModel.from_backbone(args.backbone, device=args.device, precision=args.precision)
    n = args.n or (1024 if rm.device.startswith("cuda") else 64)
    rows = []
    for length in (int(x) for x in args.lengths.split(",")):
        rm.render_config = RenderConfig(max_tokens=length)
        sizes = [int(x) for x in args.batch_sizes.split(",") if x.strip()]
        rows += bench_length(rm, n, args.envs, precision_check=True, batch_sizes=sizes)
    device = rm.device
    if device.startswith("cuda"):
        import torch

        device = f"{device} ({torch.cuda.get_device_name()})"
    print(f"device: {device}, trajectories per way: {n}")
    print_table(rows, ["tokens", "way", "precision", "traj_per_s", "vs_one", "max_abs_diff"])
    path = save_json("scoring" if not rm.device.startswith("cuda") else "scoring_gpu",
                     {"device": device, "n": n, "envs": args.envs, "rows": rows})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
