"""The text-environment contract shared by every arm_gym benchmark.

A :class:`TextEnv` takes ``str`` actions and returns ``str`` observations. Every ``info`` carries
``instruction``, ``admissible_actions``, ``task_id``, ``env_reward`` and ``won`` (the contract in
``docs/architecture.md``).
Subclasses implement four small hooks (:meth:`TextEnv.task_ids`, :meth:`TextEnv._reset_task`,
:meth:`TextEnv._step`, :meth:`TextEnv.admissible_actions`); the base class does the rest: task
selection through ``options``, step limits, charset sanitising, the info contract, rendering and a
reset-and-replay fallback for :meth:`TextEnv.get_state` / :meth:`TextEnv.set_state`.
"""

from __future__ import annotations

import difflib
import re
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import gymnasium as gym
from gymnasium import spaces

_TYPOGRAPHY = "‘’‚“”„–—…•·×÷€£¥°±²³µ¼½¾§¶©®™"
_LATIN1 = "".join(chr(c) for c in range(0xA1, 0x100) if chr(c).isprintable())
CHARSET: str = string.printable + _LATIN1 + _TYPOGRAPHY
"""Every character an arm_gym observation may contain; anything else is replaced by :func:`sanitize`."""

_CHARSET_SET = frozenset(CHARSET)
OBSERVATION_MAX_LENGTH = 1 << 20
ACTION_MAX_LENGTH = 4096


_OUTSIDE_CHARSET = re.compile("[^" + re.escape(CHARSET) + "]")


def sanitize(text: str) -> str:
    """Map ``text`` into :data:`CHARSET`: NFKC-normalise, then replace what is left outside by ``?``."""
    if _OUTSIDE_CHARSET.search(text) is None:
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(c if c in _CHARSET_SET else "?" for c in text)


def text_space(max_length: int) -> spaces.Text:
    """A :class:`gymnasium.spaces.Text` over :data:`CHARSET`."""
    return spaces.Text(max_length=max_length, min_length=0, charset=CHARSET)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for echoing user input in observations."""
    text = sanitize(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StepResult(NamedTuple):
    """What :meth:`TextEnv._step` returns; ``won`` defaults to ``False``."""

    observation: str
    reward: float
    terminated: bool
    won: bool = False


class LazyActions(Sequence[str]):
    """Admissible actions computed on first read, for simulators where listing them is costly.

    It behaves like a ``list[str]`` (indexing, ``len``, iteration, ``==`` with a list) and pickles as
    a plain list. An env calls :meth:`expire` when it moves on, so a stale, never-read instance
    raises instead of silently describing a later state.
    """

    __slots__ = ("_compute", "_expired", "_value")

    def __init__(self, compute: Callable[[], Sequence[str]]):
        self._compute = compute
        self._value: list[str] | None = None
        self._expired = False

    def _get(self) -> list[str]:
        if self._value is None:
            if self._expired:
                raise RuntimeError("these admissible actions belong to an earlier step and were never read")
            self._value = list(self._compute())
            self._compute = None  # drop the reference to the env
        return self._value

    @property
    def computed(self) -> bool:
        """Whether the actions have been computed yet."""
        return self._value is not None

    def expire(self) -> None:
        """Forbid computing later (the env has moved on)."""
        self._expired = True
        if self._value is None:
            self._compute = None

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (LazyActions, list, tuple)):
            return self._get() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (list, (self._get(),))

    def __repr__(self) -> str:
        return f"LazyActions({self._value!r})" if self._value is not None else "LazyActions(<not computed>)"


@dataclass(frozen=True)
class ReplayState:
    """The generic state of a :class:`TextEnv`: how the episode started and the actions taken since."""

    task_id: str
    options: tuple[tuple[str, Any], ...]
    rng_state: dict
    actions: tuple[str, ...]


class TextEnv(gym.Env[str, str]):
    """Base class of arm_gym's text environments.

    Args:
        split: the default task split for ``reset`` (one of :attr:`splits`); ``options["split"]`` overrides it.
        max_steps: episodes are truncated after this many steps (``None``: no limit).
        render_mode: ``None`` or ``"ansi"``.
        reveal_outcome: let observations state the outcome (won, lost, score). Off by default: a reward
            model must judge the trajectory, not read a verdict; the outcome is always in ``info["won"]``
            and the reward.

    Subclass hooks: :meth:`task_ids`, :meth:`_reset_task`, :meth:`_step`, :meth:`admissible_actions`,
    and optionally :meth:`get_state` / :meth:`set_state` where the simulator can copy its state.
    """

    metadata = {"render_modes": ["ansi"]}
    splits: tuple[str, ...] = ("train", "test")
    synthesis_adapter: str | type | None = None
    """The env family's synthesis adapter (a class or a lazy ``"module:Class"`` string), see
    :mod:`arm_gym.adapter`; ``None`` uses the generic one."""
    reset_options: frozenset[str] | None = None
    """Env-specific ``reset`` option keys besides ``task_id`` and ``split``; any other key is a
    ``ValueError`` (a misspelt option is not silently ignored). ``None`` accepts every key."""

    def __init__(
        self,
        *,
        split: str = "train",
        max_steps: int | None = None,
        render_mode: str | None = None,
        reveal_outcome: bool = False,
    ):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, not {render_mode!r}")
        self._check_split(split)
        if max_steps is not None and max_steps < 1:
            raise ValueError(f"max_steps must be a positive integer or None, not {max_steps!r}")
        self.split = split
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.reveal_outcome = bool(reveal_outcome)
        self.observation_space = text_space(OBSERVATION_MAX_LENGTH)
        self.action_space = text_space(ACTION_MAX_LENGTH)
        self.instruction = ""
        self.task_id = ""
        self.won = False
        self.last_observation = ""
        self.actions_taken: list[str] = []
        self._options: dict[str, Any] = {}
        self._rng_state_at_reset: dict = {}
        self._lazy: LazyActions | None = None

    # ----------------------------------------------------------------- subclass hooks
    def task_ids(self, split: str) -> Sequence[str]:
        """The ids of the tasks in ``split``, in a fixed order."""
        raise NotImplementedError

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        """Start the task ``task_id``; set :attr:`instruction`; return the first observation."""
        raise NotImplementedError

    def _step(self, action: str) -> StepResult:
        """Apply one action (any string: never raise for bad input)."""
        raise NotImplementedError

    def admissible_actions(self) -> Sequence[str]:
        """The valid actions in the current state (may return a :class:`LazyActions`)."""
        raise NotImplementedError

    def has_task(self, task_id: str) -> bool:
        """Whether ``task_id`` names a task; the default looks in every split."""
        return any(task_id in self._task_id_set(s) for s in self.splits)

    # ----------------------------------------------------------------- gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start an episode; ``options`` may hold ``task_id`` and ``split`` (and env-specific keys)."""
        super().reset(seed=seed)
        options = dict(options or {})
        split = options.pop("split", self.split)
        self._check_split(split)
        task_id = options.pop("task_id", None)
        self._check_reset_options(options)
        if task_id is None:
            ids = self.task_ids(split)
            if not ids:
                raise ValueError(f"{type(self).__name__} has no tasks in split {split!r}")
            task_id = ids[int(self.np_random.integers(len(ids)))]
        else:
            task_id = str(task_id)
            if not self.has_task(task_id):
                raise ValueError(self._unknown_task_message(task_id))
        self._rng_state_at_reset = self.np_random.bit_generator.state
        self._options = options
        return self._start(task_id)

    def _start(self, task_id: str) -> tuple[str, dict[str, Any]]:
        self.task_id = task_id
        self.won = False
        self.actions_taken = []
        self._expire_lazy()
        observation = sanitize(self._reset_task(task_id, dict(self._options)))
        self.last_observation = observation
        return observation, self._info(0.0)

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Apply ``action``; malformed actions give an explanatory observation and reward 0."""
        if not isinstance(action, str):
            action = "" if action is None else str(action)
        self._expire_lazy()
        result = self._step(action)
        self.actions_taken.append(action)
        self.won = bool(result.won)
        observation = sanitize(result.observation)
        self.last_observation = observation
        reward = float(result.reward)
        truncated = (
            not result.terminated and self.max_steps is not None and len(self.actions_taken) >= self.max_steps
        )
        return observation, reward, bool(result.terminated), truncated, self._info(reward)

    def render(self) -> str | None:
        """With ``render_mode="ansi"``: the instruction and the latest observation as text."""
        if self.render_mode != "ansi":
            return None
        return f"Instruction: {self.instruction}\n\n{self.last_observation}\n"

    # ----------------------------------------------------------------- planning hooks
    def get_state(self) -> Any:
        """An opaque snapshot for :meth:`set_state`; the default replays the episode's actions."""
        return ReplayState(
            task_id=self.task_id,
            options=tuple(sorted(self._options.items())),
            rng_state=self._rng_state_at_reset,
            actions=tuple(self.actions_taken),
        )

    def set_state(self, state: Any) -> None:
        """Return to a snapshot taken by :meth:`get_state`."""
        if not isinstance(state, ReplayState):
            raise TypeError(f"{type(self).__name__}.set_state expects a ReplayState, got {type(state).__name__}")
        replay(self, state)

    # ----------------------------------------------------------------- helpers
    def _info(self, reward: float) -> dict[str, Any]:
        actions = self.admissible_actions()
        if isinstance(actions, LazyActions):
            self._lazy = actions
        return {
            "instruction": self.instruction,
            "admissible_actions": actions if isinstance(actions, LazyActions) else list(actions),
            "task_id": self.task_id,
            "env_reward": reward,
            "won": self.won,
        }

    def _expire_lazy(self) -> None:
        if self._lazy is not None:
            self._lazy.expire()
            self._lazy = None

    def _check_split(self, split: str) -> None:
        if split not in self.splits:
            raise ValueError(f"unknown split {split!r}; {type(self).__name__} has splits {list(self.splits)}")

    def _task_id_set(self, split: str) -> frozenset[str]:
        cache = self.__dict__.setdefault("_task_id_sets", {})
        if split not in cache:
            cache[split] = frozenset(self.task_ids(split))
        return cache[split]

    def _check_reset_options(self, options: dict[str, Any]) -> None:
        if self.reset_options is None:
            return
        unknown = sorted(set(options) - self.reset_options, key=str)
        if unknown:
            known = ["task_id", "split", *sorted(self.reset_options)]
            close = difflib.get_close_matches(str(unknown[0]), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown reset options {unknown} for {type(self).__name__}; it takes {known}.{hint}")

    def _unknown_task_message(self, task_id: str) -> str:
        known = [t for s in self.splits for t in self.task_ids(s)]
        close = difflib.get_close_matches(task_id, known, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown task_id {task_id!r} for {type(self).__name__} ({len(known)} tasks).{hint}"


def replay(env: TextEnv, state: ReplayState) -> None:
    """Restore ``state`` on ``env`` by resetting to the same task and RNG state and replaying its actions."""
    env._options = dict(state.options)
    env.np_random.bit_generator.state = state.rng_state
    env._rng_state_at_reset = state.rng_state
    env._start(state.task_id)
    for action in state.actions:
        env.step(action)
