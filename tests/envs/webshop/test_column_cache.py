from __future__ import annotations

import json

import numpy as np
import pytest

from arm_gym.envs.webshop.column_cache import (
    CacheDamaged,
    cache_folder,
    crc32_file,
    read_folder,
    sha256_file,
    write_folder,
)
from arm_gym.envs.webshop.generator import COLUMNS, GeneratedCatalogue, column_specs
from arm_gym.envs.webshop.goals import GeneratedGoals
from arm_gym.envs.webshop.world import clear_worlds, load_world

N, SEED = 3000, 5


@pytest.fixture(scope="module")
def fresh() -> GeneratedCatalogue:
    return GeneratedCatalogue(N, seed=SEED)


def _assert_same_columns(a: GeneratedCatalogue, b: GeneratedCatalogue) -> None:
    for name in COLUMNS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name


def test_cached_columns_equal_generated_ones_and_are_mapped(fresh, tmp_path):
    first = GeneratedCatalogue(N, seed=SEED, cache_dir=tmp_path)
    assert not first.loaded_from_cache and first.cache_path == tmp_path / f"{fresh.fingerprint}.columns"
    assert [p.name for p in tmp_path.iterdir()] == [first.cache_path.name]  # no temp folders left behind
    cached = GeneratedCatalogue(N, seed=SEED, cache_dir=tmp_path)
    assert cached.loaded_from_cache
    _assert_same_columns(cached, fresh)
    assert all(isinstance(c.base, np.memmap) and not c.flags.writeable for c in cached.columns().values())
    rows = [0, 1, 17, N // 2, N - 1]
    assert [cached.product(i) for i in rows] == [fresh.product(i) for i in rows]
    assert [cached.summary(i) for i in rows] == [fresh.summary(i) for i in rows]
    goals, fresh_goals = GeneratedGoals(cached), GeneratedGoals(fresh)
    ids = [*goals.ids("test")[:5], *goals.ids("train")[-3:]]
    assert [goals.get(g) for g in ids] == [fresh_goals.get(g) for g in ids]


def _rewrite_column_as(path, name: str, array: np.ndarray) -> None:
    """Replace a column by another array and fix the manifest, as a consistent but wrong cache would be."""
    np.save(path / f"{name}.npy", array)
    manifest = json.loads((path / "manifest.json").read_text())
    f = path / f"{name}.npy"
    manifest["files"][f.name] = {"size": f.stat().st_size, "crc32": crc32_file(f)}
    (path / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("damage", ["truncate", "flip", "manifest", "missing", "dtype", "shape", "version"])
def test_a_damaged_cache_is_regenerated_with_a_warning(fresh, tmp_path, damage, caplog):
    path = GeneratedCatalogue(N, seed=SEED, cache_dir=tmp_path).cache_path
    column = path / "price_cents.npy"
    if damage == "truncate":
        column.write_bytes(column.read_bytes()[:-8])
    elif damage == "flip":
        raw = bytearray(column.read_bytes())
        raw[-3] ^= 0x40  # the same size, one price changed
        column.write_bytes(bytes(raw))
    elif damage == "manifest":
        (path / "manifest.json").write_text("{not json")
    elif damage == "missing":
        column.unlink()
    elif damage == "dtype":
        _rewrite_column_as(path, "price_cents", fresh.price_cents.astype(np.int32))
    elif damage == "shape":
        _rewrite_column_as(path, "price_cents", fresh.price_cents[:-1])
    else:
        manifest = json.loads((path / "manifest.json").read_text())
        manifest["columns_version"] = -1
        (path / "manifest.json").write_text(json.dumps(manifest))
    again = GeneratedCatalogue(N, seed=SEED, cache_dir=tmp_path)
    assert not again.loaded_from_cache
    assert "catalogue columns cache" in caplog.text and "rebuilding" in caplog.text
    _assert_same_columns(again, fresh)
    assert GeneratedCatalogue(N, seed=SEED, cache_dir=tmp_path).loaded_from_cache  # the rewritten cache is good


def test_unwritable_cache_generates_in_memory(fresh, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cat = GeneratedCatalogue(N, seed=SEED, cache_dir=blocker / "sub")
    assert not cat.loaded_from_cache and "without a cache" in caplog.text
    _assert_same_columns(cat, fresh)


def test_world_maps_cached_columns_beside_the_index(tmp_path):
    clear_worlds()
    world = load_world(num_products=400, seed=4, cache_dir=tmp_path)
    assert not world.catalogue.loaded_from_cache
    assert sorted(p.name for p in tmp_path.iterdir()) == [world.catalogue.fingerprint,
                                                          f"{world.catalogue.fingerprint}.columns"]
    clear_worlds()
    again = load_world(num_products=400, seed=4, cache_dir=tmp_path)
    assert again.catalogue.loaded_from_cache and again.index.loaded_from_cache
    assert again.goals.get("test-00003") == world.goals.get("test-00003")
    clear_worlds()


def test_read_folder_checks_versions_specs_and_digests(tmp_path):
    path = tmp_path / "c"
    arrays = {"a": np.arange(5, dtype=np.int64), "b": np.zeros((0, 2), dtype=np.uint64)}
    assert write_folder(path, arrays, {"v": 1}, {"t.json": "[1]"})
    specs = {"a": (np.dtype(np.int64), (5,)), "b": (np.dtype(np.uint64), (0, 2))}
    got, texts, manifest = read_folder(path, {"v": 1}, specs, ("t.json",))
    assert got["a"].tolist() == [0, 1, 2, 3, 4] and got["b"].shape == (0, 2) and texts == {"t.json": "[1]"}
    assert manifest["v"] == 1 and all({"size", "crc32", "sha256"} <= set(m) for m in manifest["files"].values())
    with pytest.raises(CacheDamaged, match="v is 1"):
        read_folder(path, {"v": 2}, specs, ("t.json",))
    with pytest.raises(CacheDamaged, match="file list"):
        read_folder(path, {"v": 1}, specs)
    with pytest.raises(CacheDamaged, match="expected int32"):
        read_folder(path, {"v": 1}, {**specs, "a": (np.dtype(np.int32), (5,))}, ("t.json",))
    copy_on_write = read_folder(path, {"v": 1}, specs, ("t.json",), mmap_mode="c")[0]["a"]
    copy_on_write[0] = 99  # writeable in this process, never written back
    assert read_folder(path, {"v": 1}, specs, ("t.json",))[0]["a"][0] == 0
    assert write_folder(path, {"a": np.ones(3)}, {"v": 9})  # a racing writer keeps the cache that landed first
    assert read_folder(path, {"v": 1}, specs, ("t.json",))[0]["a"].tolist() == [0, 1, 2, 3, 4]
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_manifests_with_sha256_digests_still_load(tmp_path):
    path = tmp_path / "c"
    write_folder(path, {"a": np.arange(3)}, {})
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"] = {name: {"size": meta["size"], "sha256": sha256_file(path / name)}
                         for name, meta in manifest["files"].items()}
    (path / "manifest.json").write_text(json.dumps(manifest))
    assert read_folder(path, {}, {"a": None})[0]["a"].tolist() == [0, 1, 2]
    (path / "a.npy").write_bytes((path / "a.npy").read_bytes()[:-1] + b"\x01")
    with pytest.raises(CacheDamaged, match="checksum"):
        read_folder(path, {}, {"a": None})


def test_cache_folder_defaults_under_the_cache_root(monkeypatch, tmp_path):
    monkeypatch.setenv("ARM_GYM_CACHE", str(tmp_path))
    assert cache_folder() == tmp_path / "webshop" and cache_folder(tmp_path / "x") == tmp_path / "x"


def test_column_specs_match_generated_columns(fresh):
    assert {name: (c.dtype, c.shape) for name, c in fresh.columns().items()} == column_specs(N)
