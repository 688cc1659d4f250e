"""Training pairs derived from the triplets: graded pairs among an intent's trajectories, and prefix pairs.

:func:`graded_pairs` orders an intent's negatives among themselves by the env's return; :func:`prefix_pairs` cuts
a pair that diverges after a shared start at every depth past the divergence, so the model also learns to rank
unfinished trajectories (the states a shaped RL reward scores).
"""

from __future__ import annotations

from collections.abc import Sequence

from arm_gym.data.triplets import Triplet
from arm_gym.trajectory import Trajectory


def graded_pairs(triplets: Sequence[Triplet], *, max_per_intent: int = 10) -> list[Triplet]:
    """Extra pairs from the triplets' own trajectories: for each intent (prompt and task), every two of
    its distinct trajectories whose env returns differ, higher return as chosen, not already a triplet.

    Triplets pair a positive with negatives only; these pairs also order the negatives among
    themselves by the return the env gave them, which a ranking of imperfect trajectories needs.
    """
    groups: dict[tuple[str, str], dict[tuple[str, ...], tuple[Trajectory, float]]] = {}
    existing = set()
    for t in triplets:
        group = groups.setdefault((t.prompt, t.task_id), {})
        for traj, ret in ((t.chosen_trajectory, t.chosen_return), (t.rejected_trajectory, t.rejected_return)):
            group.setdefault(tuple(traj.actions), (traj, float(ret)))
        existing.add((t.prompt, tuple(t.chosen_trajectory.actions), tuple(t.rejected_trajectory.actions)))
    out = []
    for (prompt, task_id), items in groups.items():
        ranked = sorted(items.values(), key=lambda x: -x[1])
        added = 0
        for i in range(len(ranked)):
            for j in range(i + 1, len(ranked)):
                (better, rb), (worse, rw) = ranked[i], ranked[j]
                key = (prompt, tuple(better.actions), tuple(worse.actions))
                if rb - rw <= 1e-6 or key in existing or added >= max_per_intent:
                    continue
                out.append(Triplet(prompt, better, worse, rb, rw, task_id=task_id, meta={"graded": True}))
                added += 1
    return out


def divergence(chosen: Trajectory, rejected: Trajectory) -> int | None:
    """The first step index at which the two trajectories' actions differ; ``None`` when one's actions are a
    prefix of the other's (e.g. a negative that stops short: nothing diverges)."""
    return next(
        (i for i, (c, r) in enumerate(zip(chosen.steps, rejected.steps)) if c.action != r.action), None
    )


def _cut(trajectory: Trajectory, k: int) -> Trajectory:
    """The trajectory's first ``k`` steps (its return the sum of their rewards; won only when nothing is cut)."""
    steps = list(trajectory.steps[:k])
    whole = k >= len(trajectory.steps)
    return Trajectory(trajectory.env_id, trajectory.task_id, trajectory.instruction, trajectory.initial_observation,
                      steps, env_return=trajectory.env_return if whole else float(sum(s.reward for s in steps)),
                      won=trajectory.won and whole, seed=trajectory.seed)


def prefix_pairs(triplets: Sequence[Triplet], *, max_per_pair: int | None = 4) -> list[Triplet]:
    """Prefix pairs of the pairs that diverge: when chosen and rejected take the same first ``d`` actions and
    differ at step ``d`` (0-based), ``(chosen[:k], rejected[:k])`` for ``k`` from ``d + 1`` to the shorter length,
    the rejected prefix holding the step that went wrong. The whole pair itself (both cut at their own length) is
    not repeated, nor a pair already present; ``max_per_pair`` keeps that many ``k`` evenly spread from ``d + 1``
    (``None``: all). The returns stay the whole trajectories' (a ``margin_scale`` margin applies as to the pair).
    """
    if max_per_pair is not None and max_per_pair < 1:
        raise ValueError(f"max_prefix_pairs must be at least 1 (or None for all), not {max_per_pair}")
    seen = {(t.prompt, tuple(t.chosen_trajectory.actions), tuple(t.rejected_trajectory.actions)) for t in triplets}
    out = []
    for t in triplets:
        chosen, rejected = t.chosen_trajectory, t.rejected_trajectory
        d = divergence(chosen, rejected)
        if d is None:
            continue
        ks = [k for k in range(d + 1, min(len(chosen.steps), len(rejected.steps)) + 1)
              if not k == len(chosen.steps) == len(rejected.steps)]
        if max_per_pair is not None and len(ks) > max_per_pair:
            ks = sorted({ks[round(i * (len(ks) - 1) / max(1, max_per_pair - 1))] for i in range(max_per_pair)})
        for k in ks:
            c, r = _cut(chosen, k), _cut(rejected, k)
            key = (t.prompt, tuple(c.actions), tuple(r.actions))
            if key in seen:
                continue
            seen.add(key)
            meta = {"prefix": k, "diverge": d, "source": t.meta.get("key", "")}
            out.append(Triplet(t.prompt, c, r, t.chosen_return, t.rejected_return, task_id=t.task_id,
                               env_id=t.env_id, meta=meta))
    return out
