"""Snapshots of a running TextWorld game, restored in place (used by ``TextWorldEnv.get_state``).

TextWorld offers ``env.copy()``, but it forks a new Jericho emulator (a fresh copy of the Frotz
library and the story file) and deep-copies the whole ``Game`` held in the state: 100-400 ms and
about 3 MB per copy here, slower than replaying 20 steps. A snapshot instead keeps

* the Z-machine's state from Jericho's public ``FrotzEnv.get_state()`` (memory, stack, RNG), and
* the Python state of each TextWorld wrapper layer (score/moves tracking, the ``GameProgression``
  that yields the admissible commands), copied shallowly except for the mutable progression,

and :func:`restore` writes both back into the same running game, which stays valid for any
number of restores. Where the game is not a Jericho-backed TextWorld game (another backend in a
future TextWorld), :func:`snapshot` falls back to TextWorld's own ``copy()``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

# References to static game data, shared rather than copied.
_SHARED = frozenset({"_wrapped_env", "_jericho", "_game", "_inform7", "_gamefile", "gamefile", "request_infos"})


@contextlib.contextmanager
def quiet_jericho() -> Iterator[None]:
    """Silence Jericho's "not fully supported" warning: TextWorld tracks score and moves itself."""
    import jericho

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jericho.UnsupportedGameWarning)
        yield


def _layers(game: Any) -> list[Any]:
    import textworld.core

    layers = [game]
    while isinstance(layers[-1], textworld.core.Wrapper):
        layers.append(layers[-1]._wrapped_env)
    return layers


def _copier() -> Any:
    """A copy function for layer attributes that keeps shared references shared (one memo per snapshot)."""
    from textworld.core import GameState
    from textworld.generator.game import GameProgression

    memo: dict[int, Any] = {}

    def copy(value: Any) -> Any:
        key = id(value)
        if key in memo:
            return memo[key]
        if isinstance(value, GameState):
            result = memo[key] = GameState()
            result.update({k: copy(v) for k, v in value.items()})
        elif isinstance(value, GameProgression):
            result = memo[key] = value.copy()
        elif isinstance(value, list):
            result = memo[key] = [copy(v) for v in value]
        else:  # strings, numbers, actions, tuples, the static Game: never mutated in place
            result = value
        return result

    return copy


def snapshot(game: Any) -> tuple[str, Any]:
    """A restorable snapshot of ``game`` (a ``textworld.start`` environment)."""
    layers = _layers(game)
    frotz = getattr(layers[-1], "_jericho", None)
    if frotz is None:
        with quiet_jericho():
            return "copy", game.copy()
    copy = _copier()
    attributes = [{k: copy(v) for k, v in vars(layer).items() if k not in _SHARED} for layer in layers]
    return "inplace", (frotz.get_state(), attributes)


def restore(game: Any, snap: tuple[str, Any]) -> Any:
    """Put ``game`` back into the snapshot's state; returns the game to use from now on."""
    kind, payload = snap
    if kind == "copy":
        game.close()
        with quiet_jericho():
            return payload.copy()
    frotz_state, attributes = payload
    layers = _layers(game)
    if len(layers) != len(attributes):
        raise ValueError("this snapshot was taken from a differently wrapped TextWorld game")
    copy = _copier()
    for layer, values in zip(layers, attributes):
        for name, value in values.items():
            setattr(layer, name, copy(value))
    layers[-1]._jericho.set_state(frotz_state)
    return game
