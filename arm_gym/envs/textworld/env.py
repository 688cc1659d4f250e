"""ARM-TextWorld-v0: games generated and compiled locally by TextWorld, played through Jericho.

    >>> import gymnasium as gym, arm_gym
    >>> env = gym.make("ARM-TextWorld-v0")
    >>> obs, info = env.reset(options={"challenge": "tw-coin_collector", "difficulty": 5, "seed": 3})
    >>> info["task_id"], info["instruction"]           # doctest: +SKIP
    ('tw-coin_collector/level=5/seed=3', 'Welcome to TextWorld! First off, venture north. ...')

Tasks are ``tw-make`` games (coin collector, treasure hunter, cooking, custom worlds; see
:mod:`arm_gym.envs.textworld.games` for the id format, difficulty presets and seed splits),
compiled once into a cache directory. ``options`` takes either ``task_id`` or any of
``challenge``, ``difficulty`` (a level, or for cooking/custom a dict of settings) and ``seed``
(missing ones are drawn from the split's catalogue with ``self.np_random``).

The reward is the gain in TextWorld's score divided by the game's maximum score, so a won game
returns 1 in total; ``won`` is TextWorld's win state. A lost game (a cooking game whose ingredient
was eaten or burnt) terminates with ``won`` false, keeping the partial score already gained.
Admissible actions are TextWorld's admissible commands; the env requests only the ``EnvInfos``
it uses (score, max score, objective, win/lose state, admissible commands, the walkthrough).

Observations are outcome-blind by default (:func:`hide_outcome`): the game's score lines ("Your
score has just gone up by one point.", "You scored 4 out of a possible 4, in 9 turns.") are left
out, its closing banner ("*** The End ***", "*** You lost! ***") becomes "The game is over." either
way, and the ``score`` and ``notify`` commands are refused. ``reveal_outcome=True`` keeps the
game's text as it is.

``get_state()`` snapshots the running game (Jericho's Z-machine state plus TextWorld's state
tracking, see :mod:`arm_gym.envs.textworld.state`) and ``set_state()`` restores it in place, with no
replay: a few milliseconds where TextWorld's own ``copy()`` takes 100-400 ms and replaying 20 steps
about 150 ms. Before any game runs, the base class's reset-and-replay snapshot is used.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arm_gym.core import ReplayState, StepResult, TextEnv, shorten
from arm_gym.envs.textworld.games import (
    CHALLENGES,
    DEFAULT_LEVELS,
    TEST_SEED_START,
    GameSpec,
    build_game,
    canonical_challenge,
)
from arm_gym.envs.textworld.state import quiet_jericho, restore, snapshot

logger = logging.getLogger(__name__)

MAX_COMMAND_LENGTH = 200
"""Longer commands are refused with an explanation (the Z-machine would silently truncate them)."""

_INTERNAL_COMMAND = re.compile(
    r"^\s*(tw-|print_state\b|(enable|disable) print state option\b|restrict commands\b)", re.IGNORECASE
)
"""TextWorld's framework commands compiled into every game; a player using them would corrupt its state tracking."""

_COMMAND_SEPARATOR = re.compile(r"[.,;:!?]|\bthen\b", re.IGNORECASE)
"""Where the Inform parser splits one input into several commands."""

_META_COMMAND = re.compile(
    r"^\s*(quit|q|restart|restore|save|undo|oops|again|g|script|transcript|unscript|noscript)\b", re.IGNORECASE
)
"""Interpreter meta commands: they would write files (save, script), end or restart the story behind
TextWorld's back (quit, restart), repeat TextWorld's own hidden commands (again, right after a reset)
or are unsupported (restore, undo); the env refuses them."""

_STATUS_LINE = re.compile(r"-= [^\n]*? =-\s*-?\d+/\d+$")
"""The interpreter's status line (``-= Kitchen =-0/3``: room, score/moves) printed after the prompt."""

_SCORE_COMMAND = re.compile(r"^\s*(score|notify)\b", re.IGNORECASE)
"""Inform's score verbs: ``score`` prints the score, ``notify`` toggles the score-change lines."""

_SCORE_LINE = re.compile(
    r"^[ \t]*(?:Your score has just gone (?:up|down) by [\w-]+ points?\."
    r"|You (?:have so far )?scored -?\d+ out of a possible -?\d+, in \d+ turns?\."
    r"|Score notification (?:on|off)\.)[ \t]*(?:\n|$)",
    re.MULTILINE,
)
"""Lines of the game's text that state the score."""

_END_BANNER = re.compile(r"^[ \t]*\*\*\*[^*\n]*\*\*\*[ \t]*$", re.MULTILINE)
"""The closing verdict, ``*** The End ***`` (won) or ``*** You lost! ***``."""


def clean_command(action: str) -> str:
    """Printable ASCII on one line, for the Z-machine interpreter (dumb Frotz inside Jericho).

    Control characters can hang it (``\\x13`` does), a backslash starts one of its own escape
    commands and newlines would send several commands: these become spaces; other non-ASCII
    characters become ``?``.
    """
    chars = (
        c if " " <= c <= "~" and c != "\\" else " " if ord(c) < 128 or c.isspace() or not c.isprintable() else "?"
        for c in action
    )
    return " ".join("".join(chars).split())


def clean_feedback(text: str, *, first: bool = False) -> str:
    """The game's text without the prompt, status line and end-of-game menu (and the first turn's ASCII banner)."""
    text = str(text).rstrip()
    status = _STATUS_LINE.search(text)
    if status:
        text = text[: status.start()].rstrip()
    if text.endswith(">"):
        text = text[:-1].rstrip()
    head, _, last = text.rpartition("\n")
    if last.lstrip().startswith("Would you like to RESTART"):
        text = head.rstrip()
    if first:
        lines = text.splitlines()
        while lines and not any(c.isalpha() for c in lines[0]):
            lines.pop(0)
        text = "\n".join(lines)
    return text.strip()


def hide_outcome(text: str) -> str:
    """``text`` without the score lines, and with the closing verdict replaced by "The game is over."."""
    hidden = _END_BANNER.sub("The game is over.", _SCORE_LINE.sub("", text))
    if hidden == text:
        return text
    return re.sub(r"\n{3,}", "\n\n", hidden).strip()


@dataclass
class TextWorldState:
    """A snapshot from :meth:`TextWorldEnv.get_state`: the game's state (see :mod:`.state`) and the episode's."""

    snap: tuple[str, Any]
    game_file: str
    task_id: str
    instruction: str
    walkthrough: tuple[str, ...]
    max_score: int
    score: int
    returned: float
    done: bool
    won: bool
    last_observation: str
    admissible: tuple[str, ...]
    actions_taken: tuple[str, ...]
    options: tuple[tuple[str, Any], ...]
    rng_state: dict


class TextWorldEnv(TextEnv):
    """TextWorld games as a text environment.

    Args:
        challenges: challenges in the task catalogue (default: all of :data:`CHALLENGES`).
        levels: difficulties per challenge in the catalogue (default :data:`DEFAULT_LEVELS`).
        n_train_seeds: seeds ``0 .. n-1`` per (challenge, level) in the train split.
        n_test_seeds: seeds ``TEST_SEED_START .. TEST_SEED_START + n - 1`` in the test split.
        cache_dir: where compiled games live (default ``$ARM_GYM_CACHE/textworld`` or ``~/.cache/arm_gym/textworld``).
        reveal_outcome: keep the game's score lines and closing verdict in the observations (default:
            left out, see :func:`hide_outcome`; the outcome is in ``info["won"]`` and the reward either way).
        split, max_steps, render_mode: see :class:`arm_gym.core.TextEnv`.

    Any valid task id can be played through ``options`` (any seed, any level), not only the catalogue's.
    After a reset, :attr:`walkthrough` holds TextWorld's solution of the game, :attr:`game_file` the
    compiled game, and :attr:`score` / :attr:`max_score` TextWorld's raw score.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012  (Gymnasium's convention)
    reset_options = frozenset({"challenge", "difficulty", "seed"})  # turned into a task_id by reset()
    synthesis_adapter = "arm_gym.envs.textworld.synthesis:TextWorldSynthesis"

    def __init__(
        self,
        *,
        challenges: Sequence[str] | None = None,
        levels: Mapping[str, Sequence[int]] | None = None,
        n_train_seeds: int = 20,
        n_test_seeds: int = 10,
        cache_dir: str | os.PathLike | None = None,
        split: str = "train",
        max_steps: int | None = 100,
        render_mode: str | None = None,
        reveal_outcome: bool = False,
    ):
        if importlib.util.find_spec("textworld") is None:
            raise ImportError("ARM-TextWorld-v0 needs TextWorld: pip install 'textworld>=1.7' (Linux or macOS)")
        super().__init__(split=split, max_steps=max_steps, render_mode=render_mode, reveal_outcome=reveal_outcome)
        self.challenges = tuple(canonical_challenge(c) for c in (challenges or CHALLENGES))
        levels = {canonical_challenge(k): tuple(v) for k, v in (levels or {}).items()}
        self.levels = {c: levels.get(c, DEFAULT_LEVELS[c]) for c in self.challenges}
        for challenge, values in self.levels.items():
            for level in values:
                GameSpec.make(challenge, level, 0)  # validate early
        if n_train_seeds < 0 or n_test_seeds < 0 or n_train_seeds > TEST_SEED_START:
            raise ValueError(f"n_train_seeds must be within 0-{TEST_SEED_START} and n_test_seeds >= 0")
        self.seeds = {
            "train": tuple(range(n_train_seeds)),
            "test": tuple(range(TEST_SEED_START, TEST_SEED_START + n_test_seeds)),
        }
        self.cache_dir = cache_dir
        self.game_file: str | None = None
        self.walkthrough: tuple[str, ...] = ()
        self.max_score = 0
        self.score = 0
        self._game: Any = None  # the running TextWorld environment
        self._game_path: str | None = None
        self._admissible: list[str] = []  # TextWorld's admissible commands after the latest reset/step
        self._returned = 0.0
        self._done = False
        self._catalogue: dict[str, tuple[str, ...]] = {}

    # ----------------------------------------------------------------- tasks
    def task_ids(self, split: str) -> Sequence[str]:
        """The catalogue of ``split``: every challenge x level x seed of that split, seed by seed and, within a
        seed, the challenges in turn from their easiest level up, so the first tasks of a split (an evaluation
        slice, ``plan --tasks N``) span the challenges instead of one challenge's first levels."""
        if split not in self._catalogue:
            depth = max((len(self.levels[c]) for c in self.challenges), default=0)
            self._catalogue[split] = tuple(
                GameSpec.make(c, self.levels[c][i], seed).task_id
                for seed in self.seeds[split]
                for i in range(depth)
                for c in self.challenges
                if i < len(self.levels[c])
            )
        return self._catalogue[split]

    def has_task(self, task_id: str) -> bool:
        """Any well-formed TextWorld task id (see :mod:`arm_gym.envs.textworld.games`)."""
        try:
            GameSpec.parse(task_id)
        except ValueError:
            return False
        return True

    def _unknown_task_message(self, task_id: str) -> str:
        try:
            GameSpec.parse(task_id)
        except ValueError as exc:
            return f"invalid TextWorld task_id {task_id!r}: {exc}"
        return super()._unknown_task_message(task_id)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Start a game; ``options`` takes ``task_id`` or ``challenge`` / ``difficulty`` / ``seed``, and ``split``."""
        options = dict(options or {})
        picks = {k: options.pop(k) for k in ("challenge", "difficulty", "seed") if k in options}
        if picks:
            if "task_id" in options:
                raise ValueError("give options['task_id'] or challenge/difficulty/seed, not both")
            super(TextEnv, self).reset(seed=seed)  # seed np_random before drawing what is missing
            seed = None
            split = options.get("split", self.split)
            self._check_split(split)
            options["task_id"] = self._pick(picks, split)
        return super().reset(seed=seed, options=options)

    def _pick(self, picks: dict[str, Any], split: str) -> str:
        rng = self.np_random
        challenge = canonical_challenge(str(picks["challenge"])) if "challenge" in picks else None
        if challenge is None:
            candidates = self.challenges
            challenge = candidates[int(rng.integers(len(candidates)))]
        difficulty = picks.get("difficulty")
        if difficulty is None:
            levels = self.levels.get(challenge, DEFAULT_LEVELS[challenge])
            difficulty = levels[int(rng.integers(len(levels)))]
        game_seed = picks.get("seed")
        if game_seed is None:
            seeds = self.seeds[split] or (0,)
            game_seed = seeds[int(rng.integers(len(seeds)))]
        return GameSpec.make(challenge, difficulty, game_seed).task_id

    # ----------------------------------------------------------------- episode
    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        spec = GameSpec.parse(task_id)
        self.task_id = spec.task_id  # canonical form, so it round-trips through options
        path = str(build_game(spec, self.cache_dir))
        if self._game is None or self._game_path != path:
            self._open(path)
        self._game.seed(int(self.np_random.integers(2**31 - 1)))
        state = self._game.reset()
        self.game_file = path
        self.instruction = str(state["objective"] or "").strip()
        self.walkthrough = tuple(state.get("extra.walkthrough") or ())
        self.max_score = int(state["max_score"] or 0)
        self.score = int(state["score"] or 0)
        self._admissible = list(state["admissible_commands"] or [])
        self._returned = 0.0
        self._done = False
        return clean_feedback(state["feedback"], first=True)

    def _open(self, path: str) -> None:
        import textworld

        self._close_game()
        infos = textworld.EnvInfos(
            objective=True,
            max_score=True,
            score=True,
            won=True,
            lost=True,
            admissible_commands=True,
            extras=["walkthrough"],
        )
        with quiet_jericho():
            self._game = textworld.start(path, request_infos=infos)
        self._game_path = path

    def _step(self, action: str) -> StepResult:
        if self._game is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            return StepResult("The game is over. Call reset() to start a new episode.", 0.0, True, self.won)
        command = clean_command(action)
        if not command:
            return StepResult("Please type a command: the action was empty.", 0.0, False)
        if len(command) > MAX_COMMAND_LENGTH:
            return StepResult(
                f"That command is too long ({len(command)} characters; at most {MAX_COMMAND_LENGTH}).", 0.0, False
            )
        for part in _COMMAND_SEPARATOR.split(command):  # "look. save" runs two commands
            if _INTERNAL_COMMAND.match(part):
                return StepResult(f"'{shorten(part.strip(), 40)}' is not a game command.", 0.0, False)
            if _META_COMMAND.match(part):
                return StepResult(
                    f"'{shorten(part.strip(), 40)}' is an interpreter command that is not available here "
                    "(use reset() to start again).",
                    0.0,
                    False,
                )
            if not self.reveal_outcome and _SCORE_COMMAND.match(part):
                return StepResult("That command is not available here.", 0.0, False)
        state, score, done = self._game.step(command)
        self._admissible = list(state["admissible_commands"] or [])
        score = int(score or 0)
        won, lost = bool(state["won"]), bool(state["lost"])
        if won:
            reward = 1.0 - self._returned  # a won game returns exactly 1 in total
        elif self.max_score > 0:
            reward = (score - self.score) / self.max_score
        else:
            reward = 0.0
        self.score = score
        self._returned += reward
        self._done = bool(done or won or lost)
        observation = clean_feedback(state["feedback"])
        if not self.reveal_outcome:
            observation = hide_outcome(observation)
        observation = observation or "(The game printed nothing.)"
        return StepResult(observation, reward, self._done, won)

    def admissible_actions(self) -> Sequence[str]:
        """TextWorld's admissible commands in the current state (empty once the game is over)."""
        return [] if self._done else list(self._admissible)

    # ----------------------------------------------------------------- planning hooks
    def get_state(self) -> TextWorldState | ReplayState:
        """A snapshot of the running game, restored in place (no replay); the replay snapshot if no game runs."""
        if self._game is None:
            return super().get_state()
        return TextWorldState(
            snap=snapshot(self._game),
            game_file=str(self._game_path),
            task_id=self.task_id,
            instruction=self.instruction,
            walkthrough=self.walkthrough,
            max_score=self.max_score,
            score=self.score,
            returned=self._returned,
            done=self._done,
            won=self.won,
            last_observation=self.last_observation,
            admissible=tuple(self._admissible),
            actions_taken=tuple(self.actions_taken),
            options=tuple(sorted(self._options.items())),
            rng_state=self._rng_state_at_reset,
        )

    def set_state(self, state: TextWorldState | ReplayState) -> None:
        """Return to a snapshot from :meth:`get_state` (the snapshot stays reusable)."""
        if isinstance(state, ReplayState):
            return super().set_state(state)
        if not isinstance(state, TextWorldState):
            raise TypeError(
                f"TextWorldEnv.set_state expects a TextWorldState or ReplayState, got {type(state).__name__}"
            )
        self._expire_lazy()
        if self._game is None or self._game_path != state.game_file:
            self._open(state.game_file)
            self._game.reset()  # start the interpreter; restore() then overwrites its state
        self._game = restore(self._game, state.snap)
        self.game_file = state.game_file
        self._admissible = list(state.admissible)
        self.task_id, self.instruction, self.walkthrough = state.task_id, state.instruction, state.walkthrough
        self.max_score, self.score, self._returned = state.max_score, state.score, state.returned
        self._done, self.won, self.last_observation = state.done, state.won, state.last_observation
        self.actions_taken = list(state.actions_taken)
        self._options = dict(state.options)
        self._rng_state_at_reset = state.rng_state

    # ----------------------------------------------------------------- lifecycle
    def _close_game(self) -> None:
        if self._game is not None:
            self._game.close()
        self._game = None
        self._game_path = None
        self._admissible = []

    def close(self) -> None:
        """Stop the game's interpreter."""
        self._close_game()
        super().close()
