"""The synthesis driver: explored trajectories → checked (intent, positive, negative) triplets.

For each trajectory:

1. ``relabel``: the intent it fulfils (env-grounded, or LLM-written and env-posed); the trajectory is
   the positive; negatives are synthesized (env-grounded and/or LLM-proposed).
2. ``original``: when it failed its own task and the env has an expert (Game of 24's solver, WebShop's
   expert, ScienceWorld's gold sequence, TextWorld's walkthrough), the expert path is the positive and
   the explored trajectory one of the negatives.

Every candidate is replayed in the env under the intent; it is kept only when the positive's return
is higher (:func:`arm_gym.data.negatives.check_triplet`). Triplets are appended to ``out`` as they
are made. A side file ``out + ".progress.jsonl"`` records each finished trajectory with its counts,
so a rerun with the same arguments skips finished trajectories, re-does the one in flight without
writing any triplet twice (triplet keys), and reports totals over all runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.data.dataset import content_key
from arm_gym.data.intents import LLMIntentSynthesizer
from arm_gym.data.negatives import LLMNegativeProposer, check_triplet, env_negatives
from arm_gym.data.triplets import Triplet
from arm_gym.envs import make_env, pipeline_settings
from arm_gym.envs.synthesis import Candidate, Intent, get_adapter, replay_actions
from arm_gym.jsonl import JsonlWriter, read_jsonl
from arm_gym.trajectory import Trajectory, load_trajectories

logger = logging.getLogger(__name__)

COUNTERS = (
    "trajectories",
    "intents",
    "positive_failed",
    "candidates",
    "kept",
    "dropped_check",
    "duplicates",
    "no_intent",
    "llm_intent_failed",
    "errors",
)


@dataclass
class SynthesisStats:
    """Counts over a triplet file's whole history (all runs that wrote it)."""

    trajectories: int = 0
    intents: int = 0
    candidates: int = 0
    kept: int = 0
    dropped_check: int = 0
    duplicates: int = 0
    no_intent: int = 0
    positive_failed: int = 0
    llm_intent_failed: int = 0
    errors: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    kept_this_run: int = 0
    skipped_done: int = 0

    def add(self, other: dict[str, Any]) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + int(other.get(name, 0)))
        for kind, counts in (other.get("by_kind") or {}).items():
            mine = self.by_kind.setdefault(kind, {"candidates": 0, "passed": 0, "dropped_check": 0})
            for k, v in counts.items():
                mine[k] = mine.get(k, 0) + int(v)

    @property
    def dropped_share(self) -> float:
        """Share of checked candidates that the environment check dropped."""
        checked = self.kept + self.dropped_check + self.duplicates
        return self.dropped_check / checked if checked else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = {name: getattr(self, name) for name in COUNTERS}
        d.update(by_kind=self.by_kind, dropped_share=self.dropped_share, seconds=self.seconds)
        d.update(kept_this_run=self.kept_this_run, skipped_done=self.skipped_done)
        return d

    def summary(self) -> str:
        kinds = ", ".join(f"{k}: {v['passed']}/{v['candidates']}" for k, v in sorted(self.by_kind.items()))
        return (
            f"{self.trajectories} trajectories, {self.intents} intents, {self.candidates} candidates, "
            f"{self.kept} kept, {self.dropped_check} dropped by the env check ({self.dropped_share:.1%}), "
            f"{self.duplicates} duplicates, {self.no_intent} without an intent, "
            f"{self.positive_failed} intents whose positive failed, "
            + (f"{self.llm_intent_failed} LLM intents failed, " if self.llm_intent_failed else "")
            + f"{self.errors} errors"
            + (f"; passed/candidates by kind: {kinds}" if kinds else "")
        )


def trajectory_key(trajectory: Trajectory) -> str:
    """The explored episode's key, or a hash of the record when it has none."""
    key = trajectory.meta.get("episode_key")
    if key:
        return str(key)
    blob = json.dumps(trajectory.to_dict(), sort_keys=True, ensure_ascii=False)
    return "sha1:" + hashlib.sha1(blob.encode()).hexdigest()


def progress_path(out: str | os.PathLike) -> Path:
    """The side file that records finished trajectories of a synthesis run."""
    return Path(f"{out}.progress.jsonl")


class Synthesizer:
    """Builds the checked triplets of one trajectory; :func:`synthesize` drives it over a file.

    Args:
        intent: ``"env"`` or ``"llm"`` (then ``llm`` is needed).
        negatives: ``"env"``, ``"llm"`` or ``"both"``.
        llm: an :class:`arm_gym.llm.base.LLM` for the LLM sources.
        max_negatives: env-grounded negatives per intent (``None``: the env's ``max_negatives`` pipeline setting,
            4 unless it names more kinds; Game of 24 without arithmetic checks has seven).
        sources: which intents to build: ``("relabel", "original")`` by default.
        env_kwargs: ``gym.make`` kwargs for the replay envs.
        seed: seeds the negative samplers (per trajectory, so results do not depend on order).
        llm_mode: ``"complete"`` or ``"chat"``.
    """

    def __init__(
        self,
        *,
        intent: str = "env",
        negatives: str = "env",
        llm: Any | None = None,
        max_negatives: int | None = None,
        sources: Sequence[str] = ("relabel", "original"),
        env_kwargs: dict[str, Any] | None = None,
        seed: int = 0,
        llm_mode: str = "complete",
    ):
        if intent not in ("env", "llm"):
            raise ValueError(f"intent must be 'env' or 'llm', not {intent!r}")
        if negatives not in ("env", "llm", "both"):
            raise ValueError(f"negatives must be 'env', 'llm' or 'both', not {negatives!r}")
        if (intent == "llm" or negatives != "env") and llm is None:
            raise ValueError("the LLM sources need an llm (see arm_gym.llm)")
        self.intent, self.negatives, self.max_negatives = intent, negatives, max_negatives
        self.sources = tuple(sources)
        self.env_kwargs = dict(env_kwargs or {})
        self.seed = seed
        self.intent_llm = LLMIntentSynthesizer(llm, mode=llm_mode) if intent == "llm" else None
        self.negative_llm = LLMNegativeProposer(llm, mode=llm_mode) if negatives != "env" else None
        self._envs: dict[str, Any] = {}
        self._llm_texts: dict[int, str | None] = {}
        self._llm_unreachable: set[int] = set()  # trajectories whose LLM call raised: retried by a rerun
        self._llm_failures = 0
        self._llm_retry = False

    @property
    def config_tag(self) -> str:
        """What distinguishes runs into one file: a trajectory is redone when these change."""
        return (
            f"intent={self.intent},negatives={self.negatives},max={self.max_negatives},sources={'+'.join(self.sources)}"
        )

    def negatives_per_intent(self, env_id: str) -> int:
        """``max_negatives``, or the env's own setting when it is ``None``."""
        if self.max_negatives is not None:
            return self.max_negatives
        return int(pipeline_settings(env_id).get("max_negatives", 4))

    def env(self, env_id: str) -> Any:
        if env_id not in self._envs:
            self._envs[env_id] = make_env(env_id, **self.env_kwargs)
        return self._envs[env_id]

    def close(self) -> None:
        for env in self._envs.values():
            env.close()
        self._envs.clear()

    def prepare(self, trajectories: Sequence[Trajectory]) -> None:
        """Write the LLM intents of a batch of trajectories in one concurrent LLM call (a no-op otherwise)."""
        self._llm_texts.clear()
        if self.intent_llm is None or not trajectories:
            return
        grounded = [t for t in trajectories if self._relabel(t) is not None]
        texts = self.intent_llm.texts(grounded) if grounded else []
        self._llm_texts = {id(t): text for t, text in zip(grounded, texts)}
        self._llm_unreachable = {id(t) for t in grounded} if self.intent_llm.last_error is not None else set()

    def intents(self, trajectory: Trajectory) -> list[tuple[Intent, list[str], list[Candidate]]]:
        """(intent, positive actions, extra negatives) for each intent source that applies."""
        env = self.env(trajectory.env_id)
        adapter = get_adapter(env)
        out = []
        if "relabel" in self.sources:
            grounded = self._relabel(trajectory)
            if grounded is not None:
                if self.intent_llm is not None:
                    if id(trajectory) in self._llm_texts:
                        text = self._llm_texts[id(trajectory)]
                        unreachable = id(trajectory) in self._llm_unreachable
                    else:
                        text = self.intent_llm.texts([trajectory])[0]
                        unreachable = self.intent_llm.last_error is not None
                    self._llm_retry = self._llm_retry or unreachable
                    posed = LLMIntentSynthesizer.pose(text, grounded)
                    if posed is None:  # no usable reply, off-topic, or no server: no relabel intent
                        logger.debug("%s: LLM intent %r not used", trajectory.env_id, text)
                        self._llm_failures += 1
                    grounded = posed
                if grounded is not None:
                    out.append((grounded, list(trajectory.actions), []))
        if "original" in self.sources and not trajectory.won:
            intent = adapter.original_intent(trajectory)
            expert = adapter.expert_actions(env, intent)
            if expert:
                out.append((intent, list(expert), [Candidate("explored", list(trajectory.actions), note="self")]))
        return out

    def _relabel(self, trajectory: Trajectory) -> Intent | None:
        env = self.env(trajectory.env_id)
        return get_adapter(env).relabel(trajectory, env.unwrapped)

    def triplets(
        self, trajectory: Trajectory, pool: Sequence[Trajectory], source_key: str
    ) -> tuple[list[Triplet], dict[str, Any]]:
        """The checked triplets of one trajectory and its counts (a dict in :data:`COUNTERS` form)."""
        counts: dict[str, Any] = {name: 0 for name in COUNTERS}
        counts["trajectories"] = 1
        by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"candidates": 0, "passed": 0, "dropped_check": 0})
        digest = hashlib.sha256(f"{self.seed}|{source_key}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
        env = self.env(trajectory.env_id)
        triplets: list[Triplet] = []
        failures_before, self._llm_retry = self._llm_failures, False
        intents = self.intents(trajectory)
        counts["llm_intent_failed"] = self._llm_failures - failures_before
        if self._llm_retry:
            counts["retry"] = True  # the LLM was unreachable: not marked done, so a rerun tries again
        if not intents:
            counts["no_intent"] = 1
        for intent, positive_actions, extra in intents:
            positive = replay_actions(env, intent, positive_actions)
            if positive.env_return <= 0:  # the "positive" does not fulfil the intent: nothing to contrast
                counts["positive_failed"] += 1
                continue
            counts["intents"] += 1
            positive_actions = positive.actions  # an expert path may go on after the episode ended (ScienceWorld)
            others = [t for t in pool if t is not trajectory]
            candidates = list(extra)
            if self.negatives in ("env", "both"):
                limit = self.negatives_per_intent(trajectory.env_id)
                candidates += env_negatives(env, intent, positive_actions, others, rng, max_negatives=limit)
            if self.negative_llm is not None:
                candidates += self.negative_llm.propose([(intent, positive)])[0]
            for index, cand in enumerate(candidates):
                counts["candidates"] += 1
                by_kind[cand.kind]["candidates"] += 1
                result = check_triplet(env, intent, positive, cand.actions)
                if not result.passed:
                    counts["dropped_check"] += 1
                    by_kind[cand.kind]["dropped_check"] += 1
                    logger.debug("%s: %s candidate dropped: %s", source_key, cand.kind, result.reason)
                    continue
                by_kind[cand.kind]["passed"] += 1
                triplets.append(
                    self._triplet(intent, result, cand, f"{source_key}|{intent.kind}|{cand.kind}|{index}", source_key)
                )
        counts["by_kind"] = {k: dict(v) for k, v in by_kind.items()}
        return triplets, counts

    def _triplet(self, intent: Intent, result: Any, cand: Candidate, key: str, source_key: str) -> Triplet:
        meta = {
            "key": key,
            "source_key": source_key,
            "intent_source": intent.source,
            "intent_kind": intent.kind,
            "negative_kind": cand.kind,
            "intent_options": intent.options,
            "intent_seed": intent.seed,
            "intent_task": intent.grounding.get("split_group") or intent.task_id,
        }
        if self.env_kwargs:
            meta["env_kwargs"] = self.env_kwargs
        if cand.note:
            meta["negative_note"] = cand.note
        return Triplet(
            prompt=intent.text,
            chosen_trajectory=result.positive,
            rejected_trajectory=result.negative,
            chosen_return=result.positive.env_return,
            rejected_return=result.negative.env_return,
            task_id=intent.task_id,
            env_id=intent.env_id,
            meta=meta,
        )


def _load_state(out: Path, tag: str) -> tuple[set[str], set[str], set[str], SynthesisStats]:
    done: set[str] = set()
    stats = SynthesisStats()
    prog = progress_path(out)
    if prog.exists():
        for rec in read_jsonl(prog, strict=False):
            if rec.get("config") == tag and rec.get("source_key") not in done:
                done.add(str(rec.get("source_key")))
                stats.add(rec.get("counts") or {})
    keys: set[str] = set()
    contents: set[str] = set()
    if out.exists():
        for rec in read_jsonl(out, strict=False):
            key = (rec.get("meta") or {}).get("key")
            if key:
                keys.add(str(key))
            try:
                contents.add(content_key(Triplet.from_dict(rec)))
            except ValueError:
                pass
    return done, keys, contents, stats


class _Sink:
    """Writes one trajectory's triplets and its progress record, keeping each triplet once (by key and content)."""

    def __init__(self, out: Path, tag: str, fsync: bool, bar: Any):
        self.tag, self.bar = tag, bar
        self.done, self.keys, self.contents, self.stats = _load_state(out, tag)
        self.writer = JsonlWriter(out, fsync=fsync)
        self.progress = JsonlWriter(progress_path(out), fsync=fsync)

    def add(self, source_key: str, triplets: Sequence[Triplet], counts: dict[str, Any]) -> None:
        counts["kept"] = 0
        for triplet in triplets:
            ckey = content_key(triplet)
            if triplet.meta["key"] in self.keys:  # written by a run killed before it finished this trajectory
                counts["kept"] += 1
                continue
            if ckey in self.contents:  # identical to a triplet from another trajectory
                counts["duplicates"] = counts.get("duplicates", 0) + 1
                continue
            self.keys.add(triplet.meta["key"])
            self.contents.add(ckey)
            self.writer.write(triplet.to_dict())
            counts["kept"] += 1
            self.stats.kept_this_run += 1
        if not counts.pop("retry", False):
            self.progress.write({"source_key": source_key, "config": self.tag, "counts": counts})
        self.stats.add(counts)
        self.tick()

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(kept=self.stats.kept, dropped=self.stats.dropped_check)

    def close(self) -> None:
        self.writer.close()
        self.progress.close()


def synthesize(
    trajectories: str | os.PathLike | Sequence[Trajectory],
    out: str | os.PathLike,
    *,
    synthesizer: Synthesizer | None = None,
    limit: int | None = None,
    progress: bool = True,
    fsync: bool = False,
    batch_size: int = 16,
    backend: Any = None,
) -> SynthesisStats:
    """Turn explored trajectories (a file or a list) into checked triplets appended to ``out``; resumable.

    ``backend`` (e.g. :class:`arm_gym.distributed.RayBackend`) replays the candidates on its workers, each with
    its own copy of ``synthesizer`` and its own envs; this process alone writes ``out``.
    """
    synthesizer = synthesizer or Synthesizer()
    trajs = (
        load_trajectories(trajectories, strict=False)
        if isinstance(trajectories, (str, os.PathLike))
        else list(trajectories)
    )
    if limit is not None:
        trajs = trajs[:limit]
    pools: dict[tuple[str, str], list[Trajectory]] = defaultdict(list)
    for t in trajs:
        pools[(t.env_id, t.task_id)].append(t)
    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(trajs), desc="synthesize", unit="traj")
    sink = _Sink(Path(out), synthesizer.config_tag, fsync, bar)
    pending: list[tuple[Trajectory, str]] = []
    seen: set[str] = set()
    for trajectory in trajs:
        source_key = trajectory_key(trajectory)
        if source_key in sink.done or source_key in seen:
            sink.stats.skipped_done += 1
            sink.tick()
        else:
            seen.add(source_key)
            pending.append((trajectory, source_key))
    try:
        if backend is not None:
            work = [(t, [p for p in pools[(t.env_id, t.task_id)] if p is not t], key) for t, key in pending]
            for key, records, counts in backend.map_triplets(synthesizer, work):
                sink.add(key, [Triplet.from_dict(r) for r in records], counts)
        else:
            for index, (trajectory, source_key) in enumerate(pending):
                if index % batch_size == 0:
                    synthesizer.prepare([t for t, _ in pending[index : index + batch_size]])
                try:
                    triplets, counts = synthesizer.triplets(
                        trajectory, pools[(trajectory.env_id, trajectory.task_id)], source_key
                    )
                except Exception as exc:  # a broken record or env error costs this trajectory only
                    logger.warning("%s: synthesis failed: %r", source_key, exc)
                    triplets, counts = [], {"trajectories": 1, "errors": 1}
                sink.add(source_key, triplets, counts)
    finally:
        sink.close()
        synthesizer.close()
        if bar is not None:
            bar.close()
        sink.stats.seconds = time.perf_counter() - start
    return sink.stats

