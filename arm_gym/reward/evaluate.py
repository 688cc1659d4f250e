"""Evaluate a reward model: held-out pairwise accuracy, and agreement with the true env return.

On validation triplets: the fraction of pairs where the chosen trajectory scores higher.
On fresh trajectories (played on the env's *test* tasks by a policy other than the random
explorer that made the training data): the Spearman rank correlation between score and env
return, and the better-of-two accuracy (for two trajectories of the same task with different
returns, how often the higher-return one scores higher; score ties count one half).

The default fresh-trajectory policy is ``lookahead``: at each step it tries up to 16 admissible
actions (template actions like ``search[...]`` filled with words of the instruction), plays two
random rollouts after each (through ``get_state``/``set_state``) and takes the best; each episode mixes it with uniform random actions at a rate from 0 (first episode of a
task) to 1 (last), so the returns spread from expert-like to random.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from arm_gym.core import Step, Trajectory
from arm_gym.data.triplets import Triplet

logger = logging.getLogger(__name__)

POLICIES = ("lookahead", "random")


# ---------------------------------------------------------------------- metrics
def pairwise_accuracy(model: Any, triplets: Sequence[Triplet]) -> float:
    """Fraction of triplets whose chosen trajectory outscores the rejected one (NaN when empty)."""
    if not triplets:
        return float("nan")
    chosen = model.score([(t.prompt, t.chosen_trajectory) for t in triplets])
    rejected = model.score([(t.prompt, t.rejected_trajectory) for t in triplets])
    return float(np.mean(np.asarray(chosen) > np.asarray(rejected)))


def spearman(scores: Sequence[float], returns: Sequence[float]) -> float:
    """Spearman rank correlation (ties averaged); NaN when either side is constant."""
    from scipy.stats import spearmanr

    scores, returns = np.asarray(scores, float), np.asarray(returns, float)
    if len(scores) < 2 or np.ptp(scores) == 0 or np.ptp(returns) == 0:
        return float("nan")
    return float(spearmanr(scores, returns).statistic)


def better_of_two_accuracy(scores: Sequence[float], returns: Sequence[float], groups: Sequence[str]) -> tuple[float, int]:
    """Accuracy of picking the higher-return trajectory of every same-group pair with different returns."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    hits, n = 0.0, 0
    for idx in by_group.values():
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                i, j = idx[a], idx[b]
                if returns[i] == returns[j]:
                    continue
                better, worse = (i, j) if returns[i] > returns[j] else (j, i)
                n += 1
                hits += 1.0 if scores[better] > scores[worse] else 0.5 if scores[better] == scores[worse] else 0.0
    return (hits / n if n else float("nan")), n


# ---------------------------------------------------------------------- fresh trajectories
def _fill(action: str, instruction: str, rng: np.random.Generator) -> str:
    """Fill a template action such as WebShop's ``search[...]`` with words of the instruction."""
    if not action.endswith("[...]"):
        return action
    from arm_gym.data.explore import RandomExplorer

    return f"{action[:-5]}[{RandomExplorer.query(instruction, rng)}]"


def _random_action(env: Any, actions: Sequence[str], rng: np.random.Generator) -> str:
    if not len(actions):
        return ""
    return _fill(actions[int(rng.integers(len(actions)))], getattr(env, "instruction", ""), rng)


def _random_rollout_return(env: Any, rng: np.random.Generator, depth: int) -> float:
    total = 0.0
    for _ in range(depth):
        _, reward, terminated, truncated, _ = env.step(_random_action(env, list(env.admissible_actions()), rng))
        total += float(reward)
        if terminated or truncated:
            break
    return total


def lookahead_action(
    env: Any, rng: np.random.Generator, *, candidates: int = 16, rollouts: int = 2, depth: int = 10, fills: int = 4
) -> str:
    """The best of up to ``candidates`` admissible actions, each judged by the mean of ``rollouts``
    random rollouts from it (a template action counts as ``fills`` random fillings)."""
    instruction = getattr(env, "instruction", "")
    actions: list[str] = []
    for action in env.admissible_actions():
        actions += [_fill(action, instruction, rng) for _ in range(fills)] if action.endswith("[...]") else [action]
    if not actions:
        return ""
    if len(actions) > candidates:
        actions = [actions[i] for i in rng.choice(len(actions), size=candidates, replace=False)]
    state = env.get_state()
    values = []
    for action in actions:
        total = 0.0
        for _ in range(rollouts):
            _, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            if not (terminated or truncated):
                total += _random_rollout_return(env, rng, depth)
            env.set_state(state)
        values.append(total / rollouts)
    best = np.flatnonzero(np.asarray(values) == max(values))
    return actions[int(rng.choice(best))]


def play_episode(
    env: Any,
    task_id: str,
    *,
    policy: str | Callable[[Any, dict, np.random.Generator], str] = "lookahead",
    epsilon: float = 0.0,
    seed: int = 0,
    split: str = "test",
    max_steps: int = 30,
    lookahead: dict[str, int] | None = None,
) -> Trajectory:
    """Play one episode of ``task_id`` on an arm_gym ``TextEnv`` (unwrapped) and record it.

    ``lookahead`` holds keyword arguments of :func:`lookahead_action` (candidates, rollouts, depth).
    """
    rng = np.random.default_rng(seed)
    obs, info = env.reset(seed=seed, options={"task_id": task_id, "split": split})
    traj = Trajectory(
        env_id=getattr(env.spec, "id", type(env).__name__) if env.spec else type(env).__name__,
        task_id=str(info.get("task_id", task_id)),
        instruction=str(info["instruction"]),
        initial_observation=obs,
        seed=seed,
        meta={"policy": policy if isinstance(policy, str) else getattr(policy, "__name__", "custom"), "epsilon": epsilon},
    )
    for _ in range(max_steps):
        actions = list(info.get("admissible_actions", []))
        if callable(policy):
            action = policy(obs, info, rng)
        elif policy == "random" or rng.random() < epsilon:
            action = _random_action(env, actions, rng)
        elif policy == "lookahead":
            action = lookahead_action(env, rng, **(lookahead or {}))
        else:
            raise ValueError(f"unknown policy {policy!r}; choose one of {POLICIES} or pass a callable")
        obs, reward, terminated, truncated, info = env.step(action)
        traj.steps.append(Step(action, obs, float(reward)))
        traj.env_return += float(reward)
        traj.won = bool(info.get("won", False))
        if terminated or truncated:
            break
    return traj


def fresh_trajectories(
    env_id: str,
    *,
    n_tasks: int = 20,
    episodes_per_task: int = 4,
    policy: str = "lookahead",
    split: str = "test",
    seed: int = 12345,
    max_steps: int = 30,
    env_kwargs: dict[str, Any] | None = None,
    progress: bool = True,
    lookahead: dict[str, int] | None = None,
) -> list[Trajectory]:
    """Trajectories on the first ``n_tasks`` tasks of ``split`` (random-action rate spread over episodes)."""
    import gymnasium as gym
    from tqdm.auto import tqdm

    import arm_gym  # noqa: F401  (registers the ids)

    env = gym.make(env_id, **(env_kwargs or {})).unwrapped
    try:
        tasks = list(env.task_ids(split))[:n_tasks]
        if not tasks:
            raise ValueError(f"{env_id} has no tasks in split {split!r}")
        out = []
        jobs = [(t, k) for t in tasks for k in range(episodes_per_task)]
        for n, (task, k) in enumerate(tqdm(jobs, desc=f"fresh {split} episodes", disable=not progress)):
            epsilon = k / (episodes_per_task - 1) if episodes_per_task > 1 else 0.0
            out.append(play_episode(env, task, policy=policy, epsilon=epsilon, seed=seed + n, split=split,
                                    max_steps=max_steps, lookahead=lookahead))
        return out
    finally:
        env.close()


# ---------------------------------------------------------------------- the whole evaluation
def evaluate_reward_model(
    model: Any,
    *,
    val_triplets: Sequence[Triplet] = (),
    trajectories: Sequence[Trajectory] = (),
) -> dict[str, Any]:
    """Metrics of ``model`` on validation triplets and on (fresh) trajectories with known env returns."""
    results: dict[str, Any] = {"n_val_pairs": len(val_triplets), "val_pairwise_accuracy": pairwise_accuracy(model, val_triplets)}
    if trajectories:
        scores = np.asarray(model.score([(t.instruction, t) for t in trajectories]), float)
        returns = np.asarray([t.env_return for t in trajectories], float)
        b2, n_pairs = better_of_two_accuracy(scores, returns, [t.task_id for t in trajectories])
        results.update(
            n_trajectories=len(trajectories),
            n_tasks=len({t.task_id for t in trajectories}),
            mean_env_return=float(returns.mean()),
            win_rate=float(np.mean([t.won for t in trajectories])),
            spearman=spearman(scores, returns),
            better_of_two_accuracy=b2,
            n_better_of_two_pairs=n_pairs,
        )
    return results


def format_table(results: dict[str, Any]) -> str:
    """A two-column text table of the metrics."""
    rows = [(k, f"{v:.4f}" if isinstance(v, float) else str(v)) for k, v in results.items() if not isinstance(v, (dict, list))]
    width = max((len(k) for k, _ in rows), default=0)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    return "\n".join(lines)
