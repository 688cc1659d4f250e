"""Evaluate a reward model beside trivial baselines: held-out pairwise accuracy, agreement with the env's return.

Every scorer (the model and :mod:`arm_gym.reward.baselines`) gets the same three metrics, each with a bootstrap
95 % interval that resamples tasks:

- ``val_pairwise_accuracy``: on validation triplets, how often the chosen trajectory outscores the rejected one;
- ``spearman``: on fresh trajectories, the rank correlation between score and env return;
- ``concordance``: for two fresh trajectories of any tasks with different returns, how often the higher-return
  one scores higher (Harrell's C, the ROC AUC when returns are 0/1);
- ``better_of_two_accuracy``: the same within a task: for two trajectories of one task with different returns,
  how often the higher-return one scores higher.

Score ties count one half (a trivial scorer ties often). Spearman, concordance and better-of-two are refused
(``None``, with the reason) when the trajectories hold no win or no loss: a ranking of all-lost episodes says
little.

Why concordance beside Spearman: when returns are 0/1 (Game of 24) Spearman rewards a scorer for tying exactly
where the returns tie. A 0/1 keyword that is always right gets 1.0, while a continuous scorer that puts every win
above every loss gets at most about ``sqrt(3 p (1 - p))`` for a win rate ``p`` (0.83 at ``p = 0.35``). Concordance
counts only pairs with different returns, so both reach 1.0 by ordering every such pair right.

The same reason gives the model a second row, ``reward_model_verdict``: its score read as a yes/no, "score >= the
cut that best separates the validation triplets' positives from their negatives" (:func:`balanced_cut`, the
threshold Reflexion uses). On 0/1 returns that verdict is what a keyword competes with; the cut comes from the
validation triplets only, never from the trajectories it is scored on. It is the model's, so it is never a
baseline.

The trajectories to rank come from :func:`arm_gym.reward.fresh.fresh_trajectories`.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.data.triplets import Triplet
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

METRICS = ("val_pairwise_accuracy", "spearman", "concordance", "better_of_two_accuracy")
MODEL = "reward_model"
VERDICT = "reward_model_verdict"


class ProvenanceError(ValueError):
    """The checkpoint was trained on another env, other env settings or the evaluation tasks."""


# ---------------------------------------------------------------------- metrics
def _pair_hits(better: np.ndarray, worse: np.ndarray) -> np.ndarray:
    return np.where(better > worse, 1.0, np.where(better == worse, 0.5, 0.0))


def pairwise_accuracy(model: Any, triplets: Sequence[Triplet]) -> float:
    """Fraction of triplets whose chosen trajectory outscores the rejected one, ties one half (NaN when empty)."""
    if not triplets:
        return float("nan")
    chosen = model.score([(t.prompt, t.chosen_trajectory) for t in triplets])
    rejected = model.score([(t.prompt, t.rejected_trajectory) for t in triplets])
    return float(np.mean(_pair_hits(np.asarray(chosen, float), np.asarray(rejected, float))))


def balanced_cut(good: Sequence[float], bad: Sequence[float]) -> float:
    """The score that best separates ``good`` from ``bad`` scores: the cut maximising the balanced accuracy of
    "score >= cut means good"."""
    good, bad = np.asarray(good, float), np.asarray(bad, float)
    if not len(good) or not len(bad):
        raise ValueError("a cut needs both good and bad scores")
    cuts = np.unique(np.concatenate([good, bad]))
    accuracy = [(np.mean(good >= c) + np.mean(bad < c)) / 2 for c in cuts]
    return float(cuts[int(np.argmax(accuracy))])


def spearman(scores: Sequence[float], returns: Sequence[float]) -> float:
    """Spearman rank correlation (ties averaged); NaN when either side is constant."""
    from scipy.stats import rankdata

    scores, returns = np.asarray(scores, float), np.asarray(returns, float)
    if len(scores) < 2 or np.ptp(scores) == 0 or np.ptp(returns) == 0:
        return float("nan")
    return float(np.corrcoef(rankdata(scores), rankdata(returns))[0, 1])


def concordance(scores: Sequence[float], returns: Sequence[float]) -> float:
    """Harrell's C: of all pairs with different returns, the fraction the scores order the same way (ties one
    half); NaN when every return is equal."""
    scores, returns = np.asarray(scores, float), np.asarray(returns, float)
    better = returns[:, None] > returns[None, :]
    n = better.sum()
    if not n:
        return float("nan")
    return float(_pair_hits(scores[:, None], scores[None, :])[better].sum() / n)


def _cross_task_hits(scores: np.ndarray, returns: np.ndarray, task_groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(hits, count)`` matrices over task pairs: for tasks ``a, b``, the concordance hits and the number of
    pairs (one trajectory of ``a`` with a higher return than one of ``b``). A bootstrap that draws task ``a``
    ``w_a`` times then has ``w @ hits @ w`` hits out of ``w @ count @ w`` pairs."""
    t = len(task_groups)
    hits, count = np.zeros((t, t)), np.zeros((t, t))
    for a, ga in enumerate(task_groups):
        for b, gb in enumerate(task_groups):
            better = returns[ga][:, None] > returns[gb][None, :]
            count[a, b] = better.sum()
            hits[a, b] = _pair_hits(scores[ga][:, None], scores[gb][None, :])[better].sum()
    return hits, count


def _task_pairs(returns: np.ndarray, groups: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per group, the (better, worse) index arrays of its pairs with different returns."""
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        by_group[g].append(i)
    out = {}
    for g, idx in by_group.items():
        pairs = [(i, j) if returns[i] > returns[j] else (j, i)
                 for a, i in enumerate(idx) for j in idx[a + 1:] if returns[i] != returns[j]]
        out[g] = (np.asarray([p[0] for p in pairs], int), np.asarray([p[1] for p in pairs], int))
    return out


def better_of_two_accuracy(scores: Sequence[float], returns: Sequence[float], groups: Sequence[str]) -> tuple[float, int]:
    """Accuracy of picking the higher-return trajectory of every same-group pair with different returns."""
    scores = np.asarray(scores, float)
    pairs = _task_pairs(np.asarray(returns, float), groups)
    hits = sum(float(_pair_hits(scores[b], scores[w]).sum()) for b, w in pairs.values())
    n = sum(len(b) for b, _ in pairs.values())
    return (hits / n if n else float("nan")), n


def outcome_gap(trajectories: Sequence[Trajectory]) -> str | None:
    """Why Spearman and better-of-two would mislead on these trajectories (no win or no loss), or ``None``."""
    wins = sum(bool(t.won) for t in trajectories)
    if not trajectories:
        return "no trajectories"
    if wins == 0:
        return f"no won trajectory among {len(trajectories)}: the set cannot tell success from failure"
    if wins == len(trajectories):
        return f"all {len(trajectories)} trajectories are won: the set cannot tell success from failure"
    return None


def return_histogram(returns: Sequence[float], max_bins: int = 10) -> list[dict[str, float]]:
    """Counts per return bin: one bin per distinct return when there are at most ``max_bins``, else equal widths."""
    returns = np.asarray(returns, float)
    if not len(returns):
        return []
    values = np.unique(returns)
    if len(values) <= max_bins:
        return [{"low": float(v), "high": float(v), "count": int(np.sum(returns == v))} for v in values]
    counts, edges = np.histogram(returns, bins=max_bins)
    return [{"low": float(lo), "high": float(hi), "count": int(c)} for c, lo, hi in zip(counts, edges[:-1], edges[1:])]


def format_histogram(histogram: Sequence[dict[str, float]], width: int = 40) -> str:
    """The histogram as text lines, one bar per bin."""
    top = max((b["count"] for b in histogram), default=0) or 1
    lines = ["env return histogram (episodes per return bin):"]
    for b in histogram:
        label = f"{b['low']:.3g}" if b["low"] == b["high"] else f"[{b['low']:.3g}, {b['high']:.3g})"
        lines.append(f"  {label:>16}  {b['count']:>5}  {'#' * max(1, round(width * b['count'] / top)) if b['count'] else ''}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- bootstrap over tasks
def _groups(keys: Sequence[str]) -> list[np.ndarray]:
    by: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        by[k].append(i)
    return [np.asarray(v, int) for v in by.values()]


def _metrics_table(
    val_hits: dict[str, np.ndarray], val_groups: list[np.ndarray], scores: dict[str, np.ndarray],
    returns: np.ndarray, task_groups: list[np.ndarray], task_pairs: list[tuple[np.ndarray, np.ndarray]],
    refused: bool, n_boot: int, seed: int,
) -> dict[str, np.ndarray]:
    """``{scorer: array [1 + n_boot, len(METRICS)]}``: row 0 the point estimate, then bootstrap resamples of the tasks."""
    rng = np.random.default_rng(seed)
    names = list(scores or val_hits)
    nv, nt = len(val_groups), len(task_groups)
    out = {name: np.full((n_boot + 1, len(METRICS)), np.nan) for name in names}
    vsum = {n: np.asarray([val_hits[n][g].sum() for g in val_groups]) for n in val_hits}
    vcount = np.asarray([len(g) for g in val_groups], float)
    bhits = {n: np.asarray([_pair_hits(s[b], s[w]).sum() for b, w in task_pairs]) for n, s in scores.items()}
    bcount = np.asarray([len(b) for b, _ in task_pairs], float)
    cross = {n: _cross_task_hits(s, returns, task_groups) for n, s in scores.items()} if not refused else {}
    col = {m: j for j, m in enumerate(METRICS)}
    for r in range(n_boot + 1):
        vi = np.arange(nv) if r == 0 else rng.integers(nv, size=nv)
        ti = np.arange(nt) if r == 0 else rng.integers(nt, size=nt)
        idx = np.concatenate([task_groups[i] for i in ti]) if nt else np.zeros(0, int)
        weights = np.bincount(ti, minlength=nt).astype(float)
        for name in names:
            if nv and name in vsum and vcount[vi].sum():
                out[name][r, col["val_pairwise_accuracy"]] = vsum[name][vi].sum() / vcount[vi].sum()
            if nt and not refused and name in scores:
                out[name][r, col["spearman"]] = spearman(scores[name][idx], returns[idx])
                hits, count = cross[name]
                pairs = weights @ count @ weights
                if pairs:
                    out[name][r, col["concordance"]] = (weights @ hits @ weights) / pairs
                if bcount[ti].sum():
                    out[name][r, col["better_of_two_accuracy"]] = bhits[name][ti].sum() / bcount[ti].sum()
    return out


def _interval(values: np.ndarray) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


# ---------------------------------------------------------------------- the whole evaluation
def evaluate_reward_model(
    model: Any,
    *,
    val_triplets: Sequence[Triplet] = (),
    trajectories: Sequence[Trajectory] = (),
    baselines: Sequence[Any] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Metrics of ``model`` and of ``baselines`` (default: :func:`~arm_gym.reward.baselines.default_baselines` of
    the trajectories' env) on validation triplets and on trajectories with known env returns, with bootstrap
    95 % intervals over tasks (``n_boot`` resamples, seeded), the best baseline per metric and the model's margin
    over it. The model's point metrics are also at the top level (``spearman``, ...); ``per_trajectory`` holds
    every trajectory's return and scores."""
    from arm_gym.reward.baselines import default_baselines

    if baselines is None:
        env_id = trajectories[0].env_id if trajectories else (val_triplets[0].env_id if val_triplets else None)
        baselines = default_baselines(env_id)
    scorers = {MODEL: model, **{b.name: b for b in baselines}}
    refused = outcome_gap(trajectories) if trajectories else None
    val_hits, scores, cut = {}, {}, None
    for name, scorer in scorers.items():
        if val_triplets:
            chosen = np.asarray(scorer.score([(t.prompt, t.chosen_trajectory) for t in val_triplets]), float)
            rejected = np.asarray(scorer.score([(t.prompt, t.rejected_trajectory) for t in val_triplets]), float)
            val_hits[name] = _pair_hits(chosen, rejected)
            if name == MODEL:
                cut = balanced_cut(chosen, rejected)
        if trajectories:
            scores[name] = np.asarray(scorer.score([(t.instruction, t) for t in trajectories]), float)
            if name == MODEL and cut is not None:  # right after the model, so it is the table's second row
                scores[VERDICT] = (scores[MODEL] >= cut).astype(float)
    returns = np.asarray([t.env_return for t in trajectories], float)
    task_keys = [t.task_id for t in trajectories]
    pairs = _task_pairs(returns, task_keys)
    task_groups = _groups(task_keys)
    order = list(dict.fromkeys(task_keys))
    table = _metrics_table(
        val_hits, _groups([t.task_id for t in val_triplets]), scores, returns, task_groups,
        [pairs[k] for k in order], refused is not None, n_boot, seed,
    )
    results: dict[str, Any] = {"n_val_pairs": len(val_triplets), "verdict_cut": cut}
    rows = {name: {m: {"value": float(a[0, j]), "low": _interval(a[1:, j])[0], "high": _interval(a[1:, j])[1]}
                   for j, m in enumerate(METRICS)} for name, a in table.items()}
    results.update({m: rows[MODEL][m]["value"] for m in METRICS})
    if trajectories:
        results.update(
            n_trajectories=len(trajectories), n_tasks=len(order), mean_env_return=float(returns.mean()),
            win_rate=float(np.mean([t.won for t in trajectories])),
            n_better_of_two_pairs=int(sum(len(b) for b, _ in pairs.values())),
            return_histogram=return_histogram(returns),
            per_trajectory={"task_id": task_keys, "env_return": returns.tolist(),
                            "won": [bool(t.won) for t in trajectories],
                            "scores": {name: s.tolist() for name, s in scores.items()}},
        )
    results["refused"] = refused
    results["scorers"] = rows
    results["margin"] = {}
    for j, m in enumerate(METRICS):
        candidates = [(rows[n][m]["value"], n) for n in rows
                      if n not in (MODEL, VERDICT) and not np.isnan(rows[n][m]["value"])]
        if not candidates or np.isnan(rows[MODEL][m]["value"]):
            continue
        best = max(candidates)[1]
        diff = table[MODEL][:, j] - table[best][:, j]
        low, high = _interval(diff[1:])
        results["margin"][m] = {"baseline": best, "value": float(diff[0]), "low": low, "high": high}
    results["bootstrap"] = {"resamples": n_boot, "seed": seed, "unit": "task"}
    return results


def _cell(row: dict[str, float]) -> str:
    if row["value"] is None or np.isnan(row["value"]):
        return "n/a"
    if np.isnan(row["low"]):
        return f"{row['value']:.3f}"
    return f"{row['value']:.3f} [{row['low']:.3f}, {row['high']:.3f}]"


def format_scorer_table(results: dict[str, Any]) -> str:
    """The scorers as rows (model first), the metrics with their 95 % intervals as columns, then the model's
    margin over the best baseline and, when refused, why."""
    rows = results.get("scorers") or {}
    if not rows:
        return ""
    header = ["scorer", "val pairwise acc [95% CI]", "spearman [95% CI]", "concordance [95% CI]",
              "better-of-two [95% CI]"]
    body = [[name, *(_cell(r[m]) for m in METRICS)] for name, r in rows.items()]
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in body]
    margins = [f"{m} {d['value']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] vs {d['baseline']}"
               for m, d in results.get("margin", {}).items()]
    lines.append("model margin over the best baseline: " + ("; ".join(margins) if margins else "n/a"))
    if results.get("refused"):
        lines.append(f"spearman, concordance and better-of-two refused: {results['refused']}")
    return "\n".join(lines)


def format_table(results: dict[str, Any]) -> str:
    """A two-column text table of the scalar metrics (nested values are left out)."""
    rows = [(k, f"{v:.4f}" if isinstance(v, float) else str(v)) for k, v in results.items()
            if not isinstance(v, (dict, list)) and v is not None]
    width = max((len(k) for k, _ in rows), default=0)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------- provenance
def check_provenance(
    metadata: dict[str, Any], env_id: str, env_kwargs: dict[str, Any] | None, *, force: bool = False
) -> list[str]:
    """Refuse (:class:`ProvenanceError`) a checkpoint trained on another env id or other env kwargs; with
    ``force`` the refusal becomes a warning. Returns the warnings (a checkpoint without provenance is one)."""
    prov = metadata.get("provenance")
    if not prov:
        return [("the checkpoint records no provenance (trained before arm_gym recorded it): the env, its settings "
                 "and the training tasks cannot be checked")]
    problems, warnings = [], []
    trained_ids = list(prov.get("env_ids") or [])
    if trained_ids and env_id not in trained_ids:
        problems.append(f"the checkpoint was trained on {', '.join(trained_ids)}, not on {env_id}")
    trained_kwargs = prov.get("env_kwargs")
    given = dict(env_kwargs or {})
    if trained_kwargs is None:
        warnings.append("the training triplets were synthesized with differing env kwargs: they cannot be checked")
    elif _canonical(trained_kwargs) != _canonical(given):
        problems.append(f"the checkpoint was trained with env kwargs {_canonical(trained_kwargs)}, "
                        f"the evaluation uses {_canonical(given)}")
    return _refuse_or_warn(problems, force) + warnings


def check_tasks(metadata: dict[str, Any], task_ids: Sequence[str], *, force: bool = False) -> list[str]:
    """Refuse (:class:`ProvenanceError`) evaluation tasks that were training tasks (``force``: a warning)."""
    trained = set((metadata.get("provenance") or {}).get("train_task_ids") or ())
    seen = sorted(set(task_ids) & trained)
    if not seen:
        return []
    shown = ", ".join(repr(t) for t in seen[:5]) + (f" and {len(seen) - 5} more" if len(seen) > 5 else "")
    return _refuse_or_warn([f"{len(seen)} evaluation task(s) were training tasks: {shown}"], force)


def _canonical(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, sort_keys=True)


def _refuse_or_warn(problems: list[str], force: bool) -> list[str]:
    if problems and not force:
        raise ProvenanceError("; ".join(problems) + " (--force / force=True evaluates anyway)")
    return [f"{p} (forced)" for p in problems]
