"""What the stages above the envs may know about an env family: its synthesis adapter.

Exploration, triplet synthesis, evaluation and policies never branch on an env's name. Where they need
env knowledge (an expert path, the intent a trajectory fulfils, near-miss negatives, how to fill a
template action such as ``search[...]``, few-shot examples, the "text claims success" baseline) they
ask the env's :class:`SynthesisAdapter`. Every hook has a generic default that works for any
:class:`~arm_gym.core.TextEnv`; an env family overrides what it knows better in
``arm_gym/envs/<family>/synthesis.py`` and names it in its class attribute
:attr:`~arm_gym.core.TextEnv.synthesis_adapter`. A user env does the same (a class or a
``"module:Class"`` string), with no change to ``arm_gym``.

This module also holds the two records synthesis passes around, :class:`Intent` and :class:`Candidate`,
and the replay of actions under an intent (:func:`replay_actions`), which adapters use too.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs import spec_of
from arm_gym.trajectory import EpisodeRecorder, Trajectory

logger = logging.getLogger(__name__)


@dataclass
class Intent:
    """An instruction and how to pose it in the env.

    Attributes:
        text: the instruction in natural language.
        env_id: the env it is posed in.
        task_id: the task it is posed on (train/validation are split by it).
        options: JSON-able ``reset`` options that pose it (``{"task_id": ...}``, or a custom goal).
        seed: the ``reset`` seed for replays.
        source: ``"env"`` or ``"llm"`` (who wrote ``text``).
        kind: ``"relabel"`` (what the trajectory achieved) or ``"original"`` (the trajectory's own task).
        grounding: env facts the intent was built from (e.g. the bought product), for auditing;
            ``grounding["split_group"]`` keeps intents about the same thing on one side of a split.
    """

    text: str
    env_id: str
    task_id: str
    options: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    source: str = "env"
    kind: str = "relabel"
    grounding: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Candidate:
    """A proposed negative: its kind and the actions to replay under the intent."""

    kind: str
    actions: list[str]
    note: str = ""


def pose(env: gym.Env, intent: Intent) -> tuple[str, dict[str, Any]]:
    """Reset ``env`` so that it poses ``intent`` (its options and seed)."""
    return env.reset(seed=intent.seed, options=dict(intent.options))


def replay_actions(env: gym.Env, intent: Intent, actions: Sequence[str], *, keep_info: bool = False) -> Trajectory:
    """Play ``actions`` in ``env`` under ``intent``, until they run out or the episode ends.

    The returned trajectory's ``env_return`` is the env's own return under the intent, whatever the
    actions did when they were first played. With ``keep_info``, the env-specific keys of the last
    ``info`` go to ``meta["final_info"]``.
    """
    obs, info = pose(env, intent)
    recorder = EpisodeRecorder(
        intent.env_id, obs, info, seed=intent.seed, instruction=intent.text, task_id=str(info.get("task_id", intent.task_id))
    )
    for action in actions:
        if recorder.step(action, *env.step(action)):
            break
    return recorder.finish(final_info=keep_info)


def expert_after_pose(
    env: gym.Env, intent: Intent, read: Callable[[Any], Sequence[str]]
) -> list[str] | None:
    """Pose ``intent``, then ``read(env.unwrapped)`` the simulator's own solution (a gold sequence, a
    walkthrough); ``None`` when it has none or cannot give one for this task."""
    try:
        pose(env, intent)
        actions = read(env.unwrapped)
    except (RuntimeError, ValueError, KeyError) as exc:
        logger.debug("no expert path for %s: %s", intent.task_id, exc)
        return None
    return [str(a) for a in actions] or None


GENERIC_INTENT_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Start: You are in the kitchen. There is a fridge.\nActions: open fridge; take apple; go to living room;"
        " put apple on table\nOutcome: You put the apple on the table.",
        "Take the apple from the fridge and put it on the table in the living room.",
    ),
    (
        "Start: This room is called the hallway.\nActions: go north; open box; take coin from box\n"
        "Outcome: You take the coin.",
        "Go north, open the box and take the coin.",
    ),
)

GENERIC_NEGATIVE_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "Take the apple from the fridge and put it on the table in the living room.",
        "open fridge\ntake apple\ngo to living room\nput apple on table",
        "open fridge\ntake apple\ngo to living room\nput apple on sofa",
    ),
)

GENERIC_POLICY_EXAMPLE = """\
Task: Put a clean mug on the shelf.
Observation: You are in a kitchen. A dirty mug is in the sink.
Valid actions: take mug | open fridge | look | go north
Action: take mug
Observation: You take the dirty mug.
Valid actions: clean mug with sink | put mug on shelf | drop mug | look
Action: clean mug with sink
Observation: The mug is clean now.
Valid actions: put mug on shelf | drop mug | look | go north
Action: put mug on shelf
Observation: You put the clean mug on the shelf.
"""

_STOPWORDS = frozenset({"the", "and", "with", "that", "this", "from", "into", "your", "then", "them", "have", "will"})
_SCORE_LIKE = re.compile(
    r"\b(you (have )?(won|win|lost|lose|failed)|task (is )?(complete|completed|failed)|solved|"
    r"score[sd]?\b|points?\b|\*\*\* the end \*\*\*)",
    re.IGNORECASE,
)


class SynthesisAdapter:
    """An env family's hooks for exploration, synthesis, evaluation and policies; the defaults are generic.

    Subclass it next to the env (``arm_gym/envs/<family>/synthesis.py``) and override what the family
    knows better. The generic adapter relabels a won trajectory with its own task, has no expert path
    and no env-specific negatives, and leaves actions as they are.
    """

    intent_examples: tuple[tuple[str, str], ...] = GENERIC_INTENT_EXAMPLES
    """Few-shot (trajectory record, instruction) pairs for LLM intent synthesis (a small model copies
    the domain of its examples, so a family brings its own)."""
    negative_examples: tuple[tuple[str, str, str], ...] = GENERIC_NEGATIVE_EXAMPLES
    """Few-shot (task, successful actions, near-miss actions) for LLM-proposed negatives."""
    policy_examples: tuple[str, ...] = (GENERIC_POLICY_EXAMPLE,)
    """Few-shot episodes for LLM policies in completion mode."""
    deviate_kind: str = "deviate"
    """The name of the "another action at the last step" negative (Game of 24 calls it ``miss_24``)."""

    # ------------------------------------------------------------------ posing tasks
    def task_options(self, trajectory: Trajectory) -> dict[str, Any]:
        """JSON-able ``reset`` options that pose a trajectory's own task again."""
        return {"task_id": trajectory.task_id}

    def split_group(self, trajectory: Trajectory) -> str | None:
        """What keeps a trajectory's intents on one side of a train/validation split (``None``: its task)."""
        return None

    def original_intent(self, trajectory: Trajectory) -> Intent:
        """The trajectory's own task (its instruction), posed again by :meth:`task_options`."""
        group = self.split_group(trajectory)
        return Intent(
            text=trajectory.instruction,
            env_id=trajectory.env_id,
            task_id=trajectory.task_id,
            options=self.task_options(trajectory),
            seed=trajectory.seed,
            kind="original",
            grounding={"split_group": group} if group else {},
        )

    def relabel(self, trajectory: Trajectory, env: gym.Env) -> Intent | None:
        """The intent a trajectory fulfils, or ``None``. Generic: its own task when it won it (partial
        progress is no fulfilment; such trajectories serve as negatives against an expert path)."""
        if not trajectory.won:
            return None
        intent = self.original_intent(trajectory)
        intent.kind = "relabel"
        return intent

    def expert_actions(self, env: gym.Env, intent: Intent) -> list[str] | None:
        """An expert action sequence that fulfils ``intent`` (``None``: the family has none)."""
        return None

    # ------------------------------------------------------------------ negatives
    def negatives(
        self, env: gym.Env, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator
    ) -> list[list[Candidate]]:
        """The family's own near-miss negatives, one list per kind (tried before the generic kinds)."""
        return []

    # ------------------------------------------------------------------ LLM intents
    def align_intent_text(self, text: str, grounded: Intent) -> str:
        """An LLM-written instruction made to pose what the env will check (e.g. the grounded price bound)."""
        return text

    def intent_names_task(self, text: str, grounded: Intent) -> bool:
        """Whether an LLM-written instruction names what the grounded intent is about (a cheap guard
        against a small model copying its few-shot examples). Generic: a content word of the task text."""
        words = {w for w in re.findall(r"[a-z]{4,}", grounded.text.lower()) if w not in _STOPWORDS}
        return not words or any(w in set(re.findall(r"[a-z]{4,}", text.lower())) for w in words)

    def with_text(self, intent: Intent, text: str, *, source: str) -> Intent:
        """``intent`` with another instruction text (a family that keeps the text in its options updates it)."""
        return Intent(text, intent.env_id, intent.task_id, dict(intent.options), intent.seed, source, intent.kind,
                      intent.grounding)

    # ------------------------------------------------------------------ acting
    def fill_template(self, action: str, instruction: str, rng: np.random.Generator) -> str:
        """A concrete action for a template one (e.g. ``search[...]``); other actions come back unchanged."""
        return action

    def corrupt_action(self, action: str, info: Mapping[str, Any], rng: np.random.Generator) -> str | None:
        """A plausible wrong variant of ``action`` (the mistake an imperfect agent makes: a wrong stated
        result, a false claim of success), drawn from ``rng``; ``info`` is the env's info before the action.
        ``None``: the family cannot corrupt this action (the generic default for every action).
        :class:`~arm_gym.policies.ErrorfulPolicy` plays such mistakes in evaluation sets."""
        return None

    # ------------------------------------------------------------------ baselines
    def target_terms(self, trajectory: Trajectory) -> dict[str, float]:
        """Quantities a user may want a planner to trade against the reward (customized targets): the generic
        ``steps``; a family adds its own (WebShop: the ``price`` paid)."""
        return {"steps": float(len(trajectory.steps))}

    def outcome_claim(self, trajectory: Trajectory) -> float:
        """The "text claims success" baseline score: 1.0 when the trajectory's text states an outcome-like
        phrase (won, solved, task complete, a score), else 0.0. Families override it with their own claim."""
        text = " ".join([trajectory.initial_observation, *(s.observation for s in trajectory.steps)])
        return 1.0 if _SCORE_LIKE.search(text) else 0.0


_ADAPTERS: dict[type, SynthesisAdapter] = {}


def overrides(adapter: SynthesisAdapter, hook: str) -> bool:
    """Whether an env family's adapter overrides ``hook`` (e.g. ``"expert_actions"``, ``"corrupt_action"``): the
    generic default knows nothing of the family."""
    return getattr(type(adapter), hook) is not getattr(SynthesisAdapter, hook)


def get_adapter(env: gym.Env | str | type) -> SynthesisAdapter:
    """The synthesis adapter of an env (an instance, a registered id or an env class); the generic
    :class:`SynthesisAdapter` when the env names none. Resolving an id imports the env's module only."""
    cls = _env_class(env)
    if cls not in _ADAPTERS:
        spec = getattr(cls, "synthesis_adapter", None)
        if isinstance(spec, str):
            module, _, name = spec.partition(":")
            spec = getattr(importlib.import_module(module), name)
        _ADAPTERS[cls] = spec() if spec is not None else SynthesisAdapter()
    return _ADAPTERS[cls]


def _env_class(env: gym.Env | str | type) -> type:
    if isinstance(env, type):
        return env
    if isinstance(env, str):
        spec = spec_of(env)
        entry = spec.entry_point
        if not isinstance(entry, str):  # a class, or a factory function whose env class is unknown until called
            return entry if isinstance(entry, type) else type(None)
        module, _, name = entry.partition(":")
        return getattr(importlib.import_module(module), name)
    return type(getattr(env, "unwrapped", env))
