"""ARM-ScienceWorld-v0: the 30 ScienceWorld tasks (Wang et al., 2022) as a Gymnasium text environment.

Every task comes with ScienceWorld's own train/dev/test variations; a task id is
``"<task-name>/<variation>"`` (``"boil/3"``). ``reset(options=...)`` accepts ``task_id``, or ``task``
(a name, an index into the engine's task list, a ScienceWorld id like ``"1-1"``) with an optional
``variation``, plus ``split`` and ``simplified``. Without them a task is drawn uniformly, then one of
its variations in the split. ``info["instruction"]`` is the task description.

Reward is the change of ScienceWorld's score with the score clamped to [0, 1], so an episode's
rewards sum to its final score (1 for a solved task). ``won`` is ScienceWorld's completion. When
ScienceWorld fails the task (its score drops below zero, e.g. after focusing on the wrong object)
the episode terminates; ``info["score"]`` (ScienceWorld's raw score, below zero) says why.

Observations are outcome-blind by default: ScienceWorld's engine prints nothing about the score or
completion (there is no ``score`` command), and a failed task ends, as a solved one does, on the
engine's own text. With ``reveal_outcome=True`` the observations of a failed task end with a note
that says it failed (:data:`FAILED_NOTE`).

Listing valid actions costs ScienceWorld tens of milliseconds against a few for the step itself,
so ``info["admissible_actions"]`` is a :class:`~arm_gym.core.LazyActions` computed only when read
(under ``AsyncVectorEnv`` the info is pickled, which computes it in the worker). ``simplified=True``
uses ScienceWorld's ``"easy"`` simplifications (teleport, open doors and containers, self-watering
pots, no electrical actions where a task does not need them), a much smaller action set.

The engine runs in a Java process owned by the env (see :mod:`arm_gym.envs.scienceworld.jvm`):
started on first use, stopped by :meth:`close`, on garbage collection and at exit. If it dies,
the current step reports it and terminates the episode; the next ``reset()`` starts a new one.
``get_state``/``set_state`` use the reset-and-replay fallback (the engine offers no state copy).
Replays hold because the env lists the readings of an ambiguous action (``open door`` in a
hallway) sorted, and maps the agent's numbered answer to the engine's own order, which changes
from run to run (:func:`stable_ambiguity`).

Example:
    >>> import gymnasium as gym, arm_gym
    >>> env = gym.make("ARM-ScienceWorld-v0")
    >>> obs, info = env.reset(options={"task_id": "boil/0"})
    >>> info["instruction"][:27]
    'Your task is to boil water.'
    >>> obs, reward, terminated, truncated, info = env.step("open door to kitchen")
    >>> env.close()
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import gymnasium as gym

from arm_gym.core import ACTION_MAX_LENGTH, LazyActions, StepResult, TextEnv, sanitize, shorten
from arm_gym.envs.scienceworld.jvm import JavaNotFoundError, JVMDiedError, ScienceWorldJVM, find_java
from arm_gym.envs.scienceworld.tasks import (
    ELECTRICAL_TASK_MARKERS,
    SPLITS,
    TaskCatalogue,
    parse_task_id,
    simplification_string,
)

logger = logging.getLogger(__name__)

__all__ = ["JVMDiedError", "JavaNotFoundError", "ScienceWorldEnv", "StateActions"]

FAILED_NOTE = (
    "\n\n[ScienceWorld ended this episode: the task failed (its score fell below zero), "
    "for example by focusing on the wrong object. Call reset() to start again.]"
)
"""Added to the observations of a failed task, with ``reveal_outcome=True`` only."""
_CATALOGUE: TaskCatalogue | None = None  # the same for every engine of this process
_AMBIGUOUS = "Ambiguous request:"
_CHOICE = re.compile(r"(\d+):\t(.*)")


def stable_ambiguity(observation: str) -> tuple[str, list[str] | None]:
    """List the readings of an ambiguous action in a fixed order.

    ScienceWorld answers an ambiguous action (``open door`` in a hallway) with numbered readings
    whose order changes from one run to the next, so the same answer (``1``) picks different
    objects and a replayed episode diverges. Returns the observation with the readings sorted and
    renumbered, and for each new number the engine's own (``None`` when nothing is ambiguous).
    """
    if not observation.startswith(_AMBIGUOUS):
        return observation, None
    lines = observation.split("\n")
    choices, other = [], []
    for line in lines[1:]:
        match = _CHOICE.fullmatch(line)
        if match:
            choices.append((match.group(2), match.group(1)))
        elif line:
            other.append(line)
    if not choices:
        return observation, None
    choices.sort()
    listing = [f"{number}:\t{text}" for number, (text, _) in enumerate(choices)]
    return "\n".join([lines[0], *listing, *other]) + "\n", [engine for _, engine in choices]


class StateActions(LazyActions):
    """:class:`~arm_gym.core.LazyActions` that know which state they describe.

    ScienceWorld is deterministic given the task, the simplifications and the actions taken, so two
    instances with the same :attr:`key` are equal without being computed, even once expired (this is
    what lets ``check_env`` compare the infos of two identical runs).
    """

    __slots__ = ("key",)

    def __init__(self, compute: Callable[[], Sequence[str]], key: Hashable):
        super().__init__(compute)
        self.key = key

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StateActions) and other.key == self.key:
            return True
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]


class ScienceWorldEnv(TextEnv):
    """ScienceWorld as a :class:`~arm_gym.core.TextEnv`.

    Args:
        split: default split of ``reset``: ``"train"``, ``"dev"`` or ``"test"``.
        simplified: ``False`` (the full game), ``True`` (ScienceWorld's ``"easy"``), or simplification
            names (``"openDoors,teleportAction"`` or a list); ``options["simplified"]`` overrides it per episode.
        max_steps: truncation limit per episode (ScienceWorld's customary 100; ``None``: no limit).
        render_mode: ``None`` or ``"ansi"``.
        java: the ``java`` executable (default: ``$JAVA_HOME/bin/java`` or ``java`` on PATH).
        timeout: seconds the engine may take to answer one call before it is declared hung and replaced.
        java_options: extra JVM options, e.g. ``("-Xmx1g",)``.
        reveal_outcome: add :data:`FAILED_NOTE` to the observations once the task failed (default: the
            engine's text only; the outcome is in ``info["won"]``, ``info["score"]`` and the reward).

    Raises:
        JavaNotFoundError: no Java runtime was found (the message says what to install).
    """

    splits = SPLITS
    reset_options = frozenset({"task", "variation", "simplified"})
    synthesis_adapter = "arm_gym.envs.scienceworld.synthesis:ScienceWorldSynthesis"

    def __init__(
        self,
        *,
        split: str = "train",
        simplified: bool | str | Sequence[str] = False,
        max_steps: int | None = 100,
        render_mode: str | None = None,
        java: str | None = None,
        timeout: float | None = 120.0,
        java_options: Sequence[str] = (),
        reveal_outcome: bool = False,
    ):
        super().__init__(split=split, max_steps=max_steps, render_mode=render_mode, reveal_outcome=reveal_outcome)
        try:
            import scienceworld  # noqa: F401 - fail early and clearly if the package is missing
        except ImportError as exc:
            raise ImportError("ARM-ScienceWorld-v0 needs the `scienceworld` package: pip install scienceworld") from exc
        self.java = java or find_java()
        self.simplified = simplified
        simplification_string(simplified)  # validate now
        self.timeout = timeout
        self.java_options = tuple(java_options)
        self._jvm: ScienceWorldJVM | None = None
        self._score = 0.0  # the clamped score after the last step
        self._raw_score = 0.0
        self._simplification = ""
        self._ambiguity: list[str] | None = None  # engine numbers for the readings last listed
        self._gold_cache: dict[tuple[str, str], list[str]] = {}  # (task_id, simplification) -> gold actions

    # ----------------------------------------------------------------- engine lifecycle
    @property
    def jvm(self) -> ScienceWorldJVM | None:
        """The running engine, if any (``None`` before first use and after :meth:`close`)."""
        return self._jvm

    def _ensure_jvm(self) -> ScienceWorldJVM:
        if self._jvm is not None and not self._jvm.alive:
            logger.warning(
                "ScienceWorld JVM (pid %d) %s; starting a new one", self._jvm.pid, self._jvm.describe_death()
            )
            self._jvm.close()
            self._jvm = None
        if self._jvm is None:
            self._jvm = ScienceWorldJVM(java=self.java, timeout=self.timeout, java_options=self.java_options)
        return self._jvm

    def close(self) -> None:
        """Stop the engine's Java process (a later ``reset`` starts a new one)."""
        if self._jvm is not None:
            self._jvm.close()
            self._jvm = None
        super().close()

    # ----------------------------------------------------------------- catalogue
    @property
    def catalogue(self) -> TaskCatalogue:
        """The engine's tasks and variation counts (starts the engine the first time in a process)."""
        global _CATALOGUE
        if _CATALOGUE is None:
            jvm = self._ensure_jvm()
            _CATALOGUE = jvm.call(lambda: TaskCatalogue.from_server(jvm.server))
        return _CATALOGUE

    def task_ids(self, split: str) -> Sequence[str]:
        """Every ``"<task-name>/<variation>"`` of ``split``."""
        self._check_split(split)
        return self.catalogue.task_ids(split)

    def has_task(self, task_id: str) -> bool:
        """Whether ``task_id`` names an existing task and variation (in any split)."""
        try:
            self.catalogue.canonical_id(task_id)
        except ValueError:
            return False
        return True

    # ----------------------------------------------------------------- gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode; ``options``: ``task_id`` or ``task`` (+ ``variation``), ``split``, ``simplified``."""
        if seed is not None:
            gym.Env.reset(self, seed=seed)
        options = dict(options or {})
        task, variation = options.pop("task", None), options.pop("variation", None)
        catalogue = self.catalogue
        if options.get("task_id") is not None:
            if task is not None or variation is not None:
                raise ValueError("give either options['task_id'] or options['task'] (and 'variation'), not both")
            options["task_id"] = catalogue.canonical_id(options["task_id"])
        else:
            if task is None and variation is not None:
                raise ValueError("options['variation'] needs options['task'] too")
            split = options.get("split", self.split)
            self._check_split(split)
            if task is None:
                name = catalogue.names[int(self.np_random.integers(len(catalogue.names)))]
            else:
                name = catalogue.resolve(task)
            if variation is None:
                choices = catalogue.splits(name)[split]
                if not choices:
                    raise ValueError(f"task {name!r} has no variations in split {split!r}")
                variation = choices[int(self.np_random.integers(len(choices)))]
            options["task_id"] = f"{name}/{catalogue.check_variation(name, variation)}"
        if "simplified" in options:
            simplification_string(options["simplified"])  # validate before the engine sees it
        return super().reset(seed=None, options=options)

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        name, variation = parse_task_id(task_id)
        simplification = simplification_string(options.get("simplified", self.simplified))
        if "noElectricalAction" in simplification and any(m in name for m in ELECTRICAL_TASK_MARKERS):
            raise ValueError(
                f"task {name!r} needs electrical actions: drop 'noElectricalAction' (simplified=True keeps them)"
            )
        for attempt in (1, 2):
            jvm = self._ensure_jvm()
            try:
                return self._load(jvm, name, variation, simplification, gold=False)[0]
            except JVMDiedError as exc:
                if attempt == 2:
                    raise RuntimeError(f"ScienceWorld could not start task {task_id!r}: {exc}") from exc
                logger.warning("%s while loading %s; retrying with a new engine", exc, task_id)
        raise AssertionError("unreachable")

    def _load(
        self, jvm: ScienceWorldJVM, name: str, variation: int, simplification: str, gold: bool
    ) -> tuple[str, list[str]]:
        server = jvm.server
        error = jvm.call(lambda: server.load(name, variation, simplification, gold))
        if error:
            raise ValueError(f"ScienceWorld could not load {name}/{variation}: {error}")
        gold_actions = jvm.call(lambda: jvm.strings(server.getGoldActionSequence())) if gold else []
        observation = jvm.call(lambda: server.step("look around"))  # as ScienceWorld's own reset does
        self.instruction = sanitize(jvm.call(lambda: server.getTaskDescription()))
        self._simplification = simplification
        self._score = self._raw_score = 0.0
        self._ambiguity = None
        return observation, gold_actions

    def _step(self, action: str) -> StepResult:
        jvm = self._jvm
        if jvm is None or not self.task_id:
            return StepResult("No episode is running: call reset() first.", 0.0, True)
        if len(action) > ACTION_MAX_LENGTH:
            return StepResult(
                f"That action is longer than {ACTION_MAX_LENGTH} characters; nothing happened.", 0.0, False
            )
        # py4j sends UTF-8: lone surrogates cannot travel, so they become '?'
        text = action.encode("utf-8", "replace").decode("utf-8")
        pending, self._ambiguity = self._ambiguity, None
        if pending is not None and text.strip().isdigit() and int(text.strip()) < len(pending):
            text = pending[int(text.strip())]  # our listing's number -> the engine's
        from py4j.protocol import Py4JJavaError

        server = jvm.server
        try:
            observation = jvm.call(lambda: server.step(text))
            raw = float(jvm.call(lambda: server.getScore()))
            completed = bool(jvm.call(lambda: server.getCompleted()))
        except JVMDiedError as exc:
            logger.warning("ScienceWorld engine lost during a step: %s", exc)
            return StepResult(
                f"[The ScienceWorld engine (its Java process) stopped: {exc}. This episode cannot continue; "
                "the next reset() starts a new engine.]",
                0.0,
                True,
            )
        except Py4JJavaError as exc:
            return StepResult(f"ScienceWorld could not process '{shorten(action)}': {exc.java_exception}", 0.0, False)
        observation, self._ambiguity = stable_ambiguity(observation)
        failed = raw < 0
        score = min(max(raw, 0.0), 1.0)
        reward = score - self._score
        self._score, self._raw_score = score, raw
        if failed and self.reveal_outcome:
            observation += FAILED_NOTE
        return StepResult(observation, reward, completed or failed, completed and not failed)

    def admissible_actions(self) -> StateActions:
        """ScienceWorld's valid action-object combinations now, computed when first read."""
        return StateActions(self._valid_actions, (self.task_id, self._simplification, tuple(self.actions_taken)))

    def _valid_actions(self) -> list[str]:
        jvm = self._jvm
        if jvm is None or not jvm.alive or not self.task_id:
            return []
        try:
            return jvm.call(lambda: jvm.strings(jvm.server.getValidActionObjectCombinations()))
        except JVMDiedError as exc:
            logger.warning("no admissible actions: %s", exc)
            return []

    def _info(self, reward: float) -> dict[str, Any]:
        info = super()._info(reward)
        info["score"] = self._raw_score  # ScienceWorld's own score in [-1, 1] (below 0: failed)
        return info

    # ----------------------------------------------------------------- extras
    def gold_actions(self) -> list[str]:
        """ScienceWorld's gold action sequence for the current task, from the episode's start.

        The engine generates it by reloading the task (seconds for some tasks), so the first call for
        a task must come right after ``reset()``, before any step; the episode then continues from
        the same start state. The sequence is fixed per task variation: later calls for the same
        task come from a cache, at any point of an episode.
        """
        if not self.task_id or self._jvm is None:
            raise RuntimeError("call reset() before gold_actions()")
        key = (self.task_id, self._simplification)
        if key in self._gold_cache:
            return list(self._gold_cache[key])
        if self.actions_taken:
            raise RuntimeError("gold_actions() reloads the task: call it right after reset(), before any step")
        name, variation = parse_task_id(self.task_id)
        jvm = self._ensure_jvm()
        _, gold = self._load(jvm, name, variation, self._simplification, gold=True)
        self._gold_cache[key] = [str(a) for a in gold]
        return list(self._gold_cache[key])
