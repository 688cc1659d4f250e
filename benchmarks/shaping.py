"""Does the learned reward rank *prefixes*? What the ``shaped`` RL reward is made of, on the states policies visit.

    python benchmarks/shaping.py --rm runs/benchmarks/game24_small/rm
    python benchmarks/shaping.py --rm old=runs/benchmarks/game24_small/rm new=runs/benchmarks_prefix/game24_small/rm \\
        --name shaping_game24_prefix
    python benchmarks/shaping.py --env ARM-TextWorld-v0 --rm runs/benchmarks/textworld_small/rm --tasks 10

``RewardModelWrapper(mode="shaped")`` pays ``v(t) - v(t-1)`` per step, where ``v(t)`` is the reward model's score of
the first ``t`` steps and ``v(0)`` is the score of the empty trajectory (``shaped_origin="empty"``) or 0
(``"zero"``). This script plays fresh test-task episodes with two policies (``random``, what PPO starts from, and
the evaluation ``mix`` of :func:`arm_gym.reward.fresh.fresh_trajectories`), scores every prefix with each model
(the same episodes for every model), and prints per prefix length ``t``:

- the concordance of ``v(t)`` with the episode's final env return (does an early score foretell the outcome?),
  beside the concordance of the final score ``v(T)`` (what the ``terminal`` reward pays);
- for each origin, the share of an episode's shaped reward paid on its first step
  (``|v(1) - v(0)| / sum |v(t) - v(t-1)|``): a large share with ``v(0) = 0`` is an offset the policy gets whatever
  it does; and the mean shaped reward of steps in won and lost episodes;
- where the env has a state label (Game of 24: can 24 still be reached from the numbers left, every stated result
  so far true?): the concordance of ``v(t)`` with it (does the score tell a live state from a dead end?) and the
  *step accuracy* of the shaped reward: over the steps taken from a live state, the concordance of ``v(t) - v(t-1)``
  with whether the step kept the game winnable, the credit a shaped reward has to assign (0.5: none).

Saves ``benchmarks/results/<--name>.json`` (default ``shaping_<env>``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import print_table, save_json

ORIGINS = ("zero", "empty")


def prefix_values(model: Any, trajectories: list[Any]) -> list[np.ndarray]:
    """Per trajectory, the model's scores ``v(0..T)`` of its prefixes (``v(0)``: the empty trajectory)."""
    from arm_gym.trajectory import Trajectory

    pairs, owners = [], []
    for i, t in enumerate(trajectories):
        for k in range(len(t.steps) + 1):
            prefix = Trajectory(t.env_id, t.task_id, t.instruction, t.initial_observation, list(t.steps[:k]))
            pairs.append((t.instruction, prefix))
            owners.append(i)
    scores = np.asarray(model.score(pairs), float) if pairs else np.zeros(0)
    values: list[list[float]] = [[] for _ in trajectories]
    for i, s in zip(owners, scores):
        values[i].append(float(s))
    return [np.asarray(v) for v in values]


# ------------------------------------------------------------------------------------------ state labels
def game24_live(trajectory: Any) -> list[bool]:
    """Per prefix ``0..T`` of a Game of 24 episode: can 24 still be reached (every stated result so far true, and
    the numbers left solvable)?"""
    from fractions import Fraction

    from arm_gym.envs.game24.env import parse_step
    from arm_gym.envs.game24.puzzles import TARGET, apply, solve

    def solvable(observation: str) -> bool:
        match = re.search(r"(?:left:|Numbers left:)\s*([-\d/ ]+)", observation)
        numbers = [Fraction(x) for x in match.group(1).split()] if match else []
        if len(numbers) == 1:
            return numbers[0] == TARGET
        return bool(numbers) and solve(numbers) is not None

    live = [solvable(trajectory.initial_observation)]
    for n, step in enumerate(trajectory.steps, 1):
        if step.observation.startswith("Invalid action"):  # the state did not change
            live.append(live[-1])
            continue
        try:
            parsed = parse_step(step.action)
        except ValueError:
            parsed = None
        if parsed is None:  # a one-shot answer ends the game: live only if it won
            live.append(bool(trajectory.won) and n == len(trajectory.steps))
            continue
        true = apply(parsed[0], parsed[1], parsed[2]) == parsed[3]
        live.append(live[-1] and true and solvable(step.observation))
    return live


STATE_LABELS: dict[str, Callable[[Any], list[bool]]] = {"ARM-Game24-v0": game24_live}
"""Per env id, a function labelling every prefix of an episode (``True``: the task can still be done)."""


# ------------------------------------------------------------------------------------------ summaries
def shaped_rewards(values: np.ndarray, origin: str) -> np.ndarray:
    """The shaped rewards ``v(t) - v(t-1)``, ``t = 1..T``, with ``v(0)`` per ``origin``."""
    v = values.copy()
    if origin == "zero":
        v[0] = 0.0
    return np.diff(v)


def _c(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def summarise(trajectories: list[Any], values: list[np.ndarray], max_len: int,
              labels: list[list[bool]] | None = None) -> dict[str, Any]:
    """Prefix-length rows (concordance of ``v(t)`` with the final return and, with ``labels``, with the state's
    label), the final score's concordance and, per origin, the first-step share, the mean shaped step reward in
    won and lost episodes and the step accuracy."""
    from arm_gym.reward.evaluate import concordance

    returns = np.asarray([t.env_return for t in trajectories], float)
    rows = []
    for k in range(0, max_len + 1):
        idx = [i for i, v in enumerate(values) if len(v) > k]
        if len(idx) < 2:
            continue
        row: dict[str, Any] = {"prefix_steps": k, "episodes": len(idx),
                               "concordance_v_t": _c(concordance([values[i][k] for i in idx], returns[idx]))}
        if labels is not None:
            live = [float(labels[i][k]) for i in idx]
            row["live_share"] = float(np.mean(live))
            row["concordance_v_t_live"] = _c(concordance([values[i][k] for i in idx], live))
        rows.append(row)
    nonempty = [i for i, v in enumerate(values) if len(v) > 1]
    out: dict[str, Any] = {
        "episodes": len(trajectories), "won": int(sum(bool(t.won) for t in trajectories)), "prefix_rows": rows,
        "concordance_final": _c(concordance([values[i][-1] for i in nonempty], returns[nonempty])),
    }
    for origin in ORIGINS:
        shares, won_steps, lost_steps, step_r, step_live, first_r, first_live = [], [], [], [], [], [], []
        for i in nonempty:
            shaped = shaped_rewards(values[i], origin)
            total = np.abs(shaped).sum()
            if total > 0:
                shares.append(abs(shaped[0]) / total)
            (won_steps if trajectories[i].won else lost_steps).extend(shaped.tolist())
            if labels is not None:
                for t, r in enumerate(shaped):
                    if labels[i][t]:  # a step from a live state: did it keep the game winnable?
                        step_r.append(r)
                        step_live.append(float(labels[i][t + 1]))
                        if t == 0:
                            first_r.append(r)
                            first_live.append(float(labels[i][1]))
        out[origin] = {
            "first_step_share": float(np.mean(shares)) if shares else None,
            "mean_shaped_step_won": float(np.mean(won_steps)) if won_steps else None,
            "mean_shaped_step_lost": float(np.mean(lost_steps)) if lost_steps else None,
        }
        if labels is not None:
            out[origin] |= {"step_accuracy": _c(concordance(step_r, step_live)) if step_r else None,
                            "first_step_accuracy": _c(concordance(first_r, first_live)) if first_r else None,
                            "steps_from_live": len(step_r)}
    return out


# ------------------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="ARM-Game24-v0")
    parser.add_argument("--rm", required=True, nargs="+", metavar="[NAME=]PATH",
                        help="reward-model checkpoints, each optionally named (e.g. runs/benchmarks/game24_small/rm)")
    parser.add_argument("--env-kwargs", default=None, help="JSON env kwargs (default: the env's pipeline settings)")
    parser.add_argument("--tasks", type=int, default=40, help="first N test tasks (default: 40)")
    parser.add_argument("--episodes-per-task", type=int, default=4)
    parser.add_argument("--seed", type=int, default=777)
    parser.add_argument("--name", default=None, help="results file stem (default: shaping_<env>)")
    args = parser.parse_args(argv)

    import json

    from arm_gym.envs import pipeline_settings
    from arm_gym.reward.fresh import fresh_trajectories
    from arm_gym.reward.model import RewardModel

    models = dict(item.split("=", 1) if "=" in item else (item, item) for item in args.rm)
    settings = pipeline_settings(args.env)
    env_kwargs = json.loads(args.env_kwargs) if args.env_kwargs else dict(settings.get("env_kwargs", {}))
    label_fn = STATE_LABELS.get(args.env)
    out: dict[str, Any] = {"env_id": args.env, "env_kwargs": env_kwargs, "rm": models, "tasks": args.tasks,
                           "episodes_per_task": args.episodes_per_task, "seed": args.seed, "policies": {}}
    episodes = {
        "random": _random_episodes(args.env, env_kwargs, args.tasks, args.episodes_per_task, args.seed),
        "mix": fresh_trajectories(args.env, n_tasks=args.tasks, episodes_per_task=args.episodes_per_task,
                                  policy="mix", env_kwargs=env_kwargs, seed=args.seed,
                                  lookahead=settings.get("lookahead"), progress=False),
    }
    for name, path in models.items():
        model = RewardModel.from_pretrained(path)
        for policy, trajectories in episodes.items():
            labels = [label_fn(t) for t in trajectories] if label_fn else None
            values = prefix_values(model, trajectories)
            max_len = max((len(v) - 1 for v in values), default=0)
            summary = summarise(trajectories, values, min(max_len, 10), labels)
            out["policies"].setdefault(policy, {})[name] = summary
            _report(args.env, name, policy, summary)
    name = args.name or f"shaping_{args.env.removeprefix('ARM-').removesuffix('-v0').lower()}"
    print(f"saved {save_json(name, out)}")
    return 0


def _report(env: str, model: str, policy: str, summary: dict[str, Any]) -> None:
    print(f"\n{env}, model {model}, policy {policy}: {summary['episodes']} episodes ({summary['won']} won); "
          f"concordance of the final score with the return {_fmt(summary['concordance_final'])}")
    rows = [{"origin": origin, **summary[origin]} for origin in ORIGINS]
    print_table(rows, ["origin", "first_step_share", "mean_shaped_step_won", "mean_shaped_step_lost",
                       *(["step_accuracy", "first_step_accuracy"] if "step_accuracy" in rows[0] else [])])
    columns = ["prefix_steps", "episodes", "concordance_v_t"]
    if summary["prefix_rows"] and "live_share" in summary["prefix_rows"][0]:
        columns += ["live_share", "concordance_v_t_live"]
    print_table(summary["prefix_rows"], columns)


def _random_episodes(env_id: str, env_kwargs: dict[str, Any], tasks: int, per_task: int, seed: int) -> list[Any]:
    from arm_gym.data.rollout import play_episode
    from arm_gym.envs import make_env
    from arm_gym.policies import RandomPolicy

    env = make_env(env_id, **env_kwargs)
    try:
        ids = list(env.unwrapped.task_ids("test"))[:tasks]
        policy = RandomPolicy(fallback_action="")
        return [play_episode(env, policy, seed=seed + n, options={"task_id": task, "split": "test"})
                for n, task in enumerate(t for t in ids for _ in range(per_task))]
    finally:
        env.close()


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


if __name__ == "__main__":
    sys.exit(main())
