"""A shop "world": catalogue + search index + goals, built once per process and shared by env copies.

Vector envs and repeated ``gym.make`` calls with the same settings reuse one world (an LRU of two),
so only the first construction pays for generation and index loading. With the cache on, a generated
catalogue's columns and its search index are both memory-mapped from the cache folder, so a process's
first world costs little more than checking the files' digests.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from arm_gym.envs.webshop.catalogue import Catalogue
from arm_gym.envs.webshop.column_cache import cache_folder
from arm_gym.envs.webshop.goals import GeneratedGoals, GoalSet
from arm_gym.envs.webshop.search import SearchIndex

DATA_ENV_VAR = "ARM_GYM_WEBSHOP_DATA"
"""Environment variable naming a folder with WebShop's official files."""

_MAX_WORLDS = 2
_WORLDS: OrderedDict[tuple, World] = OrderedDict()
_LOCK = threading.Lock()


@dataclass
class World:
    """Everything an env needs that does not change between episodes."""

    catalogue: Catalogue
    index: SearchIndex
    goals: GoalSet


def _build(key: tuple, show_progress: bool | None) -> World:
    kind, source, seed, cache_dir, use_cache, human_goals = key
    if kind == "official":
        from arm_gym.envs.webshop.official import load_official

        catalogue, goals = load_official(source, seed=seed, human_goals=human_goals)
    else:
        from arm_gym.envs.webshop.generator import GeneratedCatalogue

        catalogue = GeneratedCatalogue(source, seed=seed, cache_dir=cache_folder(cache_dir) if use_cache else None)
        goals = GeneratedGoals(catalogue)
    index = SearchIndex(catalogue, cache_dir=cache_dir, use_cache=use_cache, show_progress=show_progress)
    return World(catalogue, index, goals)


def load_world(*, num_products: int = 10_000, seed: int = 0, data_path: str | os.PathLike | None = None,
               cache_dir: str | os.PathLike | None = None, use_cache: bool = True,
               show_progress: bool | None = None, human_goals: bool = True) -> World:
    """The shared world for these settings (``data_path`` or ``$ARM_GYM_WEBSHOP_DATA``: official data, with
    its human goals unless ``human_goals=False``)."""
    data_path = data_path if data_path is not None else os.environ.get(DATA_ENV_VAR) or None
    if data_path is not None:
        key: tuple = ("official", str(Path(data_path).expanduser().resolve()), int(seed),
                      None if cache_dir is None else str(cache_dir), bool(use_cache), bool(human_goals))
    else:
        if int(num_products) < 10:
            raise ValueError(f"num_products must be at least 10, not {num_products}")
        key = ("generated", int(num_products), int(seed), None if cache_dir is None else str(cache_dir),
               bool(use_cache), True)
    with _LOCK:
        if key in _WORLDS:
            _WORLDS.move_to_end(key)
            return _WORLDS[key]
        world = _build(key, show_progress)
        _WORLDS[key] = world
        while len(_WORLDS) > _MAX_WORLDS:
            _WORLDS.popitem(last=False)
        return world


def clear_worlds() -> None:
    """Forget the shared worlds (frees their memory; the next env rebuilds or reloads)."""
    with _LOCK:
        _WORLDS.clear()
