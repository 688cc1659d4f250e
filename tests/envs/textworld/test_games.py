"""TextWorld task ids and the compiled-game cache: round trips, atomic builds, two builders at once."""

from __future__ import annotations

import json
import subprocess
import sys

import gymnasium as gym
import pytest

import arm_gym  # noqa: F401
from arm_gym.envs.textworld import games as textworld_games
from arm_gym.envs.textworld.games import GameSpec, build_game, is_built
from tests.envs.textworld_games_used import TEXTWORLD_GAMES

GAMES = {k: TEXTWORLD_GAMES[k] for k in ("custom", "tw-coin_collector")}


@pytest.fixture(scope="module")
def cache(textworld_cache):
    return textworld_cache


@pytest.mark.parametrize(
    "task_id",
    [
        "tw-coin_collector/level=5/seed=3",
        "tw-treasure_hunter/level=30/seed=10000",
        "tw-cooking/level=6/seed=0",
        "tw-cooking/recipe=2/take=1/go=6/open=1/cook=1/cut=0/drop=0/seed=3",
        "custom/world_size=3/nb_objects=5/quest_length=2/seed=1",
    ],
)
def test_task_ids_round_trip(task_id):
    spec = GameSpec.parse(task_id)
    assert spec.task_id == task_id and GameSpec.parse(spec.task_id) == spec


def test_task_id_aliases_and_partial_settings_are_canonicalised():
    assert GameSpec.parse("cooking/recipe=2/seed=3").task_id == (
        "tw-cooking/recipe=2/take=0/go=1/open=0/cook=0/cut=0/drop=0/seed=3"
    )
    assert GameSpec.parse("coin_collector/level=5/seed=3").task_id == "tw-coin_collector/level=5/seed=3"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "tw-coin_collector",
        "tw-coin_collector/level=5",
        "tw-coin_collector/level=151/seed=1",
        "tw-cooking/go=5/seed=1",
        "custom/level=1/seed=-2",
        "custom/level=1/seed=x",
        "zork/level=1/seed=1",
        "tw-coin_collector/level=1/level=2/seed=1",
        "tw-treasure_hunter/colour=red/seed=1",
    ],
)
def test_malformed_task_ids_raise_value_error(bad):
    with pytest.raises(ValueError):
        GameSpec.parse(bad)


def test_second_make_reuses_the_cache_without_compiling(cache, monkeypatch):
    game_file = build_game(GameSpec.parse(GAMES["custom"]), cache)
    before = game_file.stat()

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled a game that is in the cache")

    monkeypatch.setattr(textworld_games, "_generate", no_compiling)
    for _ in range(2):
        env = gym.make("ARM-TextWorld-v0", cache_dir=cache)
        _obs, _info = env.reset(options={"task_id": GAMES["custom"]})
        assert env.unwrapped.game_file == str(game_file)
        env.close()
    after = game_file.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("damage", ["truncated game.z8", "corrupt game.json", "no spec.json"])
def test_a_damaged_cached_game_is_rebuilt_not_played(cache, tmp_path, monkeypatch, damage):
    import shutil

    spec = GameSpec.parse(GAMES["tw-coin_collector"])
    folder = textworld_games.game_dir(spec, tmp_path)
    folder.parent.mkdir(parents=True)
    shutil.copytree(build_game(spec, cache).parent, folder)
    assert is_built(spec, tmp_path)
    if damage == "truncated game.z8":  # TextWorld's interpreter would end the process on this file
        (folder / "game.z8").write_bytes((folder / "game.z8").read_bytes()[:300])
    elif damage == "corrupt game.json":
        (folder / "game.json").write_text('{"x":')
    else:
        (folder / "spec.json").unlink()
    assert not is_built(spec, tmp_path)
    builds = []
    real = textworld_games._generate
    monkeypatch.setattr(textworld_games, "_generate", lambda s, p: builds.append(s) or real(s, p))
    env = gym.make("ARM-TextWorld-v0", cache_dir=tmp_path)
    try:
        env.reset(options={"task_id": spec.task_id})
        assert builds == [spec] and is_built(spec, tmp_path)
        for action in env.unwrapped.walkthrough:
            *_, info = env.step(action)
        assert info["won"]
    finally:
        env.close()
    assert sorted(p.name for p in folder.parent.iterdir()) == [".locks", spec.cache_name]


def test_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    spec = GameSpec.parse("tw-coin_collector/level=1/seed=7")

    def half_then_crash(spec, path) -> int:
        path.write_bytes(b"half a game")
        raise RuntimeError("compiler crashed")

    monkeypatch.setattr(textworld_games, "_generate", half_then_crash)
    with pytest.raises(RuntimeError, match="compiler crashed"):
        build_game(spec, tmp_path)
    assert not is_built(spec, tmp_path)
    version_dir = textworld_games.game_dir(spec, tmp_path).parent
    assert [p.name for p in version_dir.iterdir()] == [".locks"]


_BUILDER = """
import contextlib, fcntl, sys, time
from pathlib import Path
from arm_gym.envs.textworld import games as g

cache, flags, role, task_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
other = "second" if role == "first" else "first"


def wait_for(name):
    deadline = time.monotonic() + 60
    while not (flags / name).exists():
        if time.monotonic() > deadline:
            sys.exit(f"{role}: timed out waiting for {name}")
        time.sleep(0.01)


real_generate, real_lock = g._generate, g._file_lock


def generate(spec, path):  # runs under the lock: hold it until the other builder has found it taken
    with open(flags / "compiled", "a") as f:
        f.write(role + "\\n")
    (flags / f"holding-{role}").touch()
    wait_for(f"blocked-{other}")
    return real_generate(spec, path)


@contextlib.contextmanager
def lock(path):  # probe the lock without taking it, then take it as build_game does
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            (flags / f"blocked-{role}").touch()
        else:
            fcntl.flock(probe, fcntl.LOCK_UN)
    with real_lock(path):
        yield


g._generate, g._file_lock = generate, lock
import textworld.generator  # warm the imports before the handshake

(flags / f"ready-{role}").touch()
wait_for(f"ready-{other}")  # both processes have started before either builds
if role == "second":
    wait_for("holding-first")  # the first builder holds the lock and has not compiled yet
print(g.build_game(g.GameSpec.parse(task_id), cache))
"""


def test_two_processes_building_the_same_game(tmp_path, cache):
    # A file handshake makes the overlap certain instead of likely: the first builder holds the
    # lock and does not compile until the second has tried the lock and found it taken.
    task_id = GAMES["tw-coin_collector"]
    flags = tmp_path / "flags"
    flags.mkdir()
    procs = {
        role: subprocess.Popen(
            [sys.executable, "-c", _BUILDER, str(tmp_path / "cache"), str(flags), role, task_id],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in ("first", "second")
    }
    outs = {role: p.communicate(timeout=180) for role, p in procs.items()}
    assert [p.returncode for p in procs.values()] == [0, 0], {r: err[-2000:] for r, (_, err) in outs.items()}
    assert (flags / "blocked-second").exists()  # the second builder contended for the held lock ...
    assert (flags / "compiled").read_text() == "first\n"  # ... then waited and reused the game: one compile
    paths = {out.strip().splitlines()[-1] for out, _ in outs.values()}
    assert len(paths) == 1
    spec = GameSpec.parse(task_id)
    folder = textworld_games.game_dir(spec, tmp_path / "cache")
    assert sorted(p.name for p in folder.parent.iterdir()) == [".locks", folder.name]  # no temporary leftovers
    # deterministic from the seed: a game built in other processes equals the one built here
    assert (folder / "game.z8").read_bytes() == build_game(spec, cache).read_bytes()


def test_seed_without_a_quest_falls_back_to_a_derived_seed(cache):
    spec = GameSpec.parse("tw-treasure_hunter/level=9/seed=8")  # TextWorld finds no quest of length 5 for seed 8
    folder = build_game(spec, cache).parent
    meta = json.loads((folder / "spec.json").read_text())
    assert meta["task_id"] == spec.task_id
    assert meta["generator_seed"] in textworld_games.generator_seeds(8)[1:]
    env = gym.make("ARM-TextWorld-v0", cache_dir=cache)
    _, info = env.reset(options={"task_id": spec.task_id})
    total = 0.0
    for action in env.unwrapped.walkthrough:
        _, reward, terminated, _, info = env.step(action)
        total += reward
    assert terminated and info["won"] and total == 1.0
    env.close()
