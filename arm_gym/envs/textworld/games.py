"""TextWorld game ids and the on-disk cache of compiled games (used by :mod:`arm_gym.envs.textworld`).

A game is named by a task id that round-trips through ``options``::

    tw-coin_collector/level=5/seed=3
    tw-treasure_hunter/level=12/seed=3
    tw-cooking/level=2/seed=3                 (a preset) or
    tw-cooking/recipe=2/take=1/go=6/open=1/cook=1/cut=0/drop=0/seed=3
    custom/level=1/seed=3                     (a preset) or
    custom/world_size=4/nb_objects=8/quest_length=3/seed=3

The generator is TextWorld's own (``tw-make``'s challenges and custom games), seeded by ``seed``,
so an id always names the same game (where TextWorld finds no quest for a seed, derived seeds are
tried in a fixed order, see :func:`generator_seeds`). Seeds below :data:`TEST_SEED_START` belong to the train
split, the others to the test split; cooking games also draw their food from TextWorld's matching
``--split``. Games compile once (a few seconds each, with TextWorld's bundled Inform 7 tools)
into a cache directory and are reused; a build goes to a temporary directory that is renamed
into place, under a per-game file lock, so a crash never leaves half a game and two processes
building the same game compile it once.

This module imports TextWorld only inside :func:`build_game`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

TEST_SEED_START = 10_000
"""Seeds ``>= TEST_SEED_START`` are test games; smaller seeds are train games."""

CHALLENGES = ("tw-coin_collector", "tw-treasure_hunter", "tw-cooking", "custom")
ALIASES = {
    "coin_collector": "tw-coin_collector",
    "treasure_hunter": "tw-treasure_hunter",
    "cooking": "tw-cooking",
    "tw-custom": "custom",
}

COOKING_KEYS = ("recipe", "take", "go", "open", "cook", "cut", "drop")
CUSTOM_KEYS = ("world_size", "nb_objects", "quest_length")

COOKING_LEVELS: dict[int, dict[str, int]] = {
    1: {"recipe": 1, "take": 1, "go": 1, "open": 0, "cook": 0, "cut": 0, "drop": 0},
    2: {"recipe": 1, "take": 1, "go": 1, "open": 1, "cook": 0, "cut": 1, "drop": 0},
    3: {"recipe": 2, "take": 1, "go": 6, "open": 1, "cook": 1, "cut": 0, "drop": 0},
    4: {"recipe": 2, "take": 2, "go": 6, "open": 1, "cook": 1, "cut": 1, "drop": 0},
    5: {"recipe": 3, "take": 3, "go": 9, "open": 1, "cook": 1, "cut": 1, "drop": 0},
    6: {"recipe": 3, "take": 3, "go": 12, "open": 1, "cook": 1, "cut": 1, "drop": 1},
}
"""Cooking difficulty presets (``tw-make tw-cooking`` skills), easiest first."""

CUSTOM_LEVELS: dict[int, dict[str, int]] = {
    1: {"world_size": 2, "nb_objects": 4, "quest_length": 2},
    2: {"world_size": 4, "nb_objects": 8, "quest_length": 3},
    3: {"world_size": 6, "nb_objects": 12, "quest_length": 4},
    4: {"world_size": 8, "nb_objects": 16, "quest_length": 5},
    5: {"world_size": 10, "nb_objects": 20, "quest_length": 6},
}
"""Custom-world difficulty presets (``tw-make custom`` world size, objects, quest length)."""

_COOKING_DEFAULTS = {"recipe": 1, "take": 0, "go": 1, "open": 0, "cook": 0, "cut": 0, "drop": 0}  # tw-make's defaults
_CUSTOM_DEFAULTS = {"world_size": 5, "nb_objects": 10, "quest_length": 5}

DEFAULT_LEVELS: dict[str, tuple[int, ...]] = {
    "tw-coin_collector": tuple(range(1, 11)) + tuple(range(101, 111)),
    "tw-treasure_hunter": tuple(range(1, 26)),  # 26-30 are valid too, but take 30-90 s each to generate
    "tw-cooking": tuple(COOKING_LEVELS),
    "custom": tuple(CUSTOM_LEVELS),
}
"""The difficulties in the default task catalogue, per challenge (any valid level can be asked for
through ``options`` or the env's ``levels`` argument)."""


def canonical_challenge(name: str) -> str:
    """The ``tw-make`` name of a challenge (aliases such as ``"cooking"`` accepted)."""
    name = ALIASES.get(name, name)
    if name not in CHALLENGES:
        raise ValueError(f"unknown TextWorld challenge {name!r}; choose one of {list(CHALLENGES)}")
    return name


def _check_level(challenge: str, level: int) -> None:
    if challenge == "tw-coin_collector":
        rooms = ((level - 1) // 100 + 1) * ((level - 1) % 100 + 1)
        if not 1 <= level <= 300 or rooms > 100:
            raise ValueError(f"coin collector level {level} is not playable (levels 1-100, 101-150, 201-233)")
    elif challenge == "tw-treasure_hunter":
        if not 1 <= level <= 30:
            raise ValueError(f"treasure hunter level must be within 1-30, not {level}")
    else:
        presets = COOKING_LEVELS if challenge == "tw-cooking" else CUSTOM_LEVELS
        if level not in presets:
            raise ValueError(f"{challenge} level must be one of {sorted(presets)}, not {level}")


def _check_explicit(challenge: str, params: Mapping[str, int]) -> None:
    if challenge == "tw-cooking":
        if not 1 <= params["recipe"] <= 5:
            raise ValueError("cooking recipe must be within 1-5")
        if not 0 <= params["take"] <= params["recipe"]:
            raise ValueError("cooking take must be within 0-recipe")
        if params["go"] not in (1, 6, 9, 12):
            raise ValueError("cooking go must be one of 1, 6, 9, 12")
        for key in ("open", "cook", "cut", "drop"):
            if params[key] not in (0, 1):
                raise ValueError(f"cooking {key} must be 0 or 1")
    else:
        if not 1 <= params["world_size"] <= 30:
            raise ValueError("custom world_size must be within 1-30")
        if not 0 <= params["nb_objects"] <= 60:
            raise ValueError("custom nb_objects must be within 0-60")
        if not 1 <= params["quest_length"] <= 20:
            raise ValueError("custom quest_length must be within 1-20")


@dataclass(frozen=True)
class GameSpec:
    """One TextWorld game: a challenge, its difficulty (``level`` or explicit settings) and a seed."""

    challenge: str
    params: tuple[tuple[str, int], ...]
    seed: int

    @classmethod
    def make(cls, challenge: str, difficulty: int | Mapping[str, int], seed: int) -> GameSpec:
        """Validate and normalise; ``difficulty`` is a level or (cooking, custom) a dict of settings."""
        challenge = canonical_challenge(str(challenge))
        seed = _as_int("seed", seed)
        if seed < 0:
            raise ValueError(f"seed must be >= 0, not {seed}")
        if isinstance(difficulty, Mapping):
            keys = COOKING_KEYS if challenge == "tw-cooking" else CUSTOM_KEYS if challenge == "custom" else ()
            if not keys:
                raise ValueError(f"{challenge} takes an integer level as difficulty, not settings {sorted(difficulty)}")
            if "level" in difficulty and len(difficulty) == 1:
                return cls.make(challenge, difficulty["level"], seed)
            unknown = set(difficulty) - set(keys)
            if unknown:
                raise ValueError(f"unknown {challenge} settings {sorted(unknown)}; expected {list(keys)}")
            defaults = _COOKING_DEFAULTS if challenge == "tw-cooking" else _CUSTOM_DEFAULTS
            params = {k: _as_int(k, difficulty.get(k, defaults[k])) for k in keys}
            _check_explicit(challenge, params)
            return cls(challenge, tuple(params.items()), seed)
        level = _as_int("level", difficulty)
        _check_level(challenge, level)
        return cls(challenge, (("level", level),), seed)

    @classmethod
    def parse(cls, task_id: str) -> GameSpec:
        """Parse a task id such as ``"tw-coin_collector/level=5/seed=3"`` (raises ``ValueError``)."""
        parts = str(task_id).strip().split("/")
        if len(parts) < 3:
            raise ValueError(f"a TextWorld task id looks like 'tw-coin_collector/level=5/seed=3', not {task_id!r}")
        pairs: dict[str, str] = {}
        for part in parts[1:]:
            key, sep, value = part.partition("=")
            if not sep or not key or key in pairs:
                raise ValueError(f"malformed part {part!r} in TextWorld task id {task_id!r}")
            pairs[key] = value
        if "seed" not in pairs:
            raise ValueError(f"TextWorld task id {task_id!r} has no seed=")
        seed = pairs.pop("seed")
        difficulty: Any = pairs.pop("level") if list(pairs) == ["level"] else pairs
        return cls.make(parts[0], difficulty, seed)

    @property
    def task_id(self) -> str:
        """The canonical id, e.g. ``"tw-coin_collector/level=5/seed=3"``."""
        return "/".join([self.challenge, *(f"{k}={v}" for k, v in self.params), f"seed={self.seed}"])

    @property
    def split(self) -> str:
        """``"train"`` or ``"test"``, fixed by the seed (see :data:`TEST_SEED_START`)."""
        return "test" if self.seed >= TEST_SEED_START else "train"

    @property
    def level(self) -> int | None:
        """The preset level, or ``None`` for explicit settings."""
        return dict(self.params).get("level")

    def settings(self) -> dict[str, Any]:
        """The generator settings this game is built from (presets expanded)."""
        params = dict(self.params)
        if self.challenge == "tw-cooking":
            params = dict(COOKING_LEVELS[params["level"]]) if "level" in params else params
            return {k: bool(v) if k in ("open", "cook", "cut", "drop") else v for k, v in params.items()} | {
                "recipe_seed": 0,
                "split": self.split,
            }
        if self.challenge == "custom":
            return dict(CUSTOM_LEVELS[params["level"]]) if "level" in params else params
        return params

    @property
    def cache_name(self) -> str:
        """A directory name unique to the generated game (settings and seed)."""
        items = [f"{k}-{int(v) if isinstance(v, bool) else v}" for k, v in sorted(self.settings().items())]
        return "_".join([self.challenge, *items, f"seed-{self.seed}"])


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {value!r}") from None


def default_cache_dir() -> Path:
    """``$ARM_GYM_CACHE/textworld`` if set, else ``~/.cache/arm_gym/textworld``."""
    root = os.environ.get("ARM_GYM_CACHE")
    return Path(root) / "textworld" if root else Path.home() / ".cache" / "arm_gym" / "textworld"


def game_dir(spec: GameSpec, cache_dir: str | os.PathLike | None = None) -> Path:
    """Where ``spec``'s compiled game lives (whether or not it is built yet)."""
    import textworld

    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return root / f"textworld-{textworld.__version__}" / spec.cache_name


GAME_FILES = ("game.z8", "game.json")
"""The files a compiled game needs; ``spec.json`` records their SHA-256 so damage is detected."""


_INTACT: dict[Path, tuple[tuple[int, int, int], ...]] = {}
"""Folders whose digests matched, with their files' (inode, size, mtime) then: a reset re-hashes only changed files."""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_built(spec: GameSpec, cache_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``spec`` is compiled in the cache and intact (its files match the digests in ``spec.json``).

    A damaged game file would make TextWorld's interpreter end the process, so it is checked first.
    """
    folder = game_dir(spec, cache_dir)
    try:
        stats = [(folder / name).stat() for name in (*GAME_FILES, "spec.json")]
        signature = tuple((st.st_ino, st.st_size, st.st_mtime_ns) for st in stats)
        if _INTACT.get(folder) == signature:
            return True
        digests = json.loads((folder / "spec.json").read_text(encoding="utf-8"))["files"]
        if not all(_digest(folder / name) == digests[name] for name in GAME_FILES):
            return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    _INTACT[folder] = signature
    return True


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (POSIX ``flock``); without fcntl the atomic rename alone keeps the cache sound."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_game(spec: GameSpec, cache_dir: str | os.PathLike | None = None) -> Path:
    """Compile ``spec`` into the cache unless it is there already; return the ``game.z8`` path.

    Safe under concurrency: builders of one game take turns on a lock file and the game appears
    only once complete (a temporary directory renamed into place).
    """
    folder = game_dir(spec, cache_dir)
    game_file = folder / "game.z8"
    if is_built(spec, cache_dir):
        return game_file
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(folder.parent / ".locks" / f"{spec.cache_name}.lock"):
        if is_built(spec, cache_dir):  # another process built it while we waited
            return game_file
        if folder.exists():  # damaged or from an older arm_gym: set it aside, then build afresh
            logger.warning("cached TextWorld game %s is incomplete or damaged; rebuilding it", folder)
            stale = Path(tempfile.mkdtemp(prefix=f".{spec.cache_name}.", suffix=".stale", dir=folder.parent))
            os.replace(folder, stale / "game")
            shutil.rmtree(stale, ignore_errors=True)
        logger.info("compiling TextWorld game %s into %s (once; reused afterwards)", spec.task_id, folder)
        tmp = Path(tempfile.mkdtemp(prefix=f".{spec.cache_name}.", suffix=".tmp", dir=folder.parent))
        try:
            seed = _generate(spec, tmp / "game.z8")
            (tmp / "game.ni").unlink(missing_ok=True)  # Inform 7 source, not needed to play
            files = {name: _digest(tmp / name) for name in GAME_FILES}
            meta = {"task_id": spec.task_id, "settings": spec.settings(), "generator_seed": seed, "files": files}
            (tmp / "spec.json").write_text(json.dumps(meta))
            try:
                os.replace(tmp, folder)
            except OSError:
                if not is_built(spec, cache_dir):  # not a lost race: a real failure
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return game_file


def prebuild(task_ids: Iterable[str], cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Compile many games ahead of time, with a progress bar; return their game files."""
    from tqdm.auto import tqdm

    specs = [GameSpec.parse(t) for t in task_ids]
    return [build_game(s, cache_dir) for s in tqdm(specs, desc="TextWorld games", unit="game")]


GENERATION_ATTEMPTS = 10
"""A seed whose map admits no quest of the asked length is retried with derived seeds, this many times."""


def generator_seeds(seed: int) -> list[int]:
    """The seeds tried in turn for a task seed: the seed itself (what ``tw-make --seed`` uses), then derived ones."""
    return [seed] + [(seed + attempt * 100_003) % (2**31) for attempt in range(1, GENERATION_ATTEMPTS)]


def _generate(spec: GameSpec, path: Path) -> int:
    """Generate and compile one game with TextWorld's generator (what ``tw-make`` does); return the seed used.

    Some (settings, seed) pairs admit no quest (TextWorld raises ``QuestGenerationError``); the
    next seed of :func:`generator_seeds` is tried then, so every task id names a playable game,
    still a deterministic function of the id.
    """
    import textworld
    from textworld.generator import QuestGenerationError, compile_game

    from arm_gym.envs.textworld.state import quiet_jericho

    error: Exception | None = None
    for seed in generator_seeds(spec.seed):
        options = textworld.GameOptions()
        options.seeds = seed
        options.path = str(path)
        options.file_ext = ".z8"
        options.force_recompile = True
        try:
            with quiet_jericho():  # the coin collector plays a scratch copy of its game to record the walkthrough
                game = _make_game(spec, options)
        except QuestGenerationError as exc:
            logger.info("no quest for %s with generator seed %d; trying the next seed", spec.task_id, seed)
            error = exc
            continue
        compile_game(game, options)
        return seed
    raise ValueError(f"TextWorld cannot generate a quest for {spec.task_id}: relax the settings ({error})")


def _make_game(spec: GameSpec, options: Any) -> Any:
    import textworld.challenges
    from textworld.generator import make_game

    settings = spec.settings()
    if spec.challenge == "custom":
        options.nb_rooms = settings["world_size"]
        options.nb_objects = settings["nb_objects"]
        length = settings["quest_length"]
        options.chaining.min_length = options.chaining.max_length = options.chaining.max_depth = length
        return make_game(options)
    _, make, _ = textworld.challenges.CHALLENGES[spec.challenge]
    return make(settings=dict(settings), options=options)
