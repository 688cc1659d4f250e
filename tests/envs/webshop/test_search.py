from __future__ import annotations

import json
import os

import pytest

from arm_gym.envs.webshop.catalogue import ProductList
from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.goals import GeneratedGoals
from arm_gym.envs.webshop.schema import Product
from arm_gym.envs.webshop.search import TOP_K, SearchIndex, cache_root


@pytest.fixture(scope="module")
def catalogue() -> GeneratedCatalogue:
    return GeneratedCatalogue(3000, seed=11)


def test_finds_goal_products_from_their_instructions(catalogue, tmp_path):
    index = SearchIndex(catalogue, cache_dir=tmp_path)
    goals = GeneratedGoals(catalogue)
    hits = 0
    for gid in goals.ids("test"):
        goal = goals.get(gid)
        results = index.search(goal.instruction)
        assert len(results) <= TOP_K and len(set(results)) == len(results)
        hits += catalogue.index(goal.asin) in results
    assert hits / len(goals.ids("test")) > 0.9


def test_ranking_prefers_more_matching_terms():
    products = [
        Product(asin=f"B00000000{i}", title=t, category="", product_type="", attributes=[], options={}, price=1.0)
        for i, t in enumerate(["red running shoes", "blue running shoes", "red dress", "garden hose"])
    ]
    index = SearchIndex(ProductList(products), use_cache=False)
    assert index.search("Red Running Shoe")[:1] == [0]
    assert set(index.search("running")) == {0, 1}
    assert index.search("hose") == [3]
    assert index.search("") == [] and index.search("the of and") == [] and index.search("zzzz") == []
    assert index.search("red", k=1) == [0] or index.search("red", k=1) == [2]


def test_cache_is_written_atomically_and_reused(catalogue, tmp_path):
    first = SearchIndex(catalogue, cache_dir=tmp_path)
    assert not first.loaded_from_cache
    assert [p.name for p in tmp_path.iterdir()] == [catalogue.fingerprint]  # no temp folders left behind
    manifest = json.loads((first.path / "manifest.json").read_text())
    assert manifest["num_docs"] == len(catalogue) and manifest["files"]
    second = SearchIndex(catalogue, cache_dir=tmp_path)
    assert second.loaded_from_cache
    assert second.search("shampoo sulfate free") == first.search("shampoo sulfate free")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "manifest", "missing"])
def test_corrupt_cache_is_rebuilt_not_trusted(catalogue, tmp_path, damage, caplog):
    good = SearchIndex(catalogue, cache_dir=tmp_path)
    expected = good.search("wireless bluetooth speaker")
    data = next(p for p in good.path.iterdir() if p.name.startswith("data"))
    if damage == "truncate":
        data.write_bytes(data.read_bytes()[:100])
    elif damage == "garbage":
        raw = bytearray(data.read_bytes())
        raw[-8:] = b"\xff" * 8
        data.write_bytes(bytes(raw))
    elif damage == "manifest":
        (good.path / "manifest.json").write_text("{not json")
    else:
        data.unlink()
    rebuilt = SearchIndex(catalogue, cache_dir=tmp_path)
    assert not rebuilt.loaded_from_cache
    assert "rebuilding" in caplog.text
    assert rebuilt.search("wireless bluetooth speaker") == expected
    assert SearchIndex(catalogue, cache_dir=tmp_path).loaded_from_cache


def test_cache_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ARM_GYM_CACHE", str(tmp_path))
    assert cache_root() == tmp_path
    monkeypatch.delenv("ARM_GYM_CACHE")
    assert str(cache_root()).endswith(os.path.join(".cache", "arm_gym"))


def test_unwritable_cache_falls_back_to_memory(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    small = GeneratedCatalogue(200, seed=2)
    index = SearchIndex(small, cache_dir=blocker / "sub")
    assert 0 in index.search(small.product(0).title) and "without a cache" in caplog.text


def test_concurrent_searches_on_a_shared_index(catalogue, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    index = SearchIndex(catalogue, cache_dir=tmp_path, backend="numba" if _has_numba() else "numpy")
    goals = GeneratedGoals(catalogue)
    queries = [goals.get(g).instruction for g in goals.ids("test")[:120]]
    expected = [index.search(q) for q in queries]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(index.search, queries)) == expected


def _has_numba() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def test_a_cached_start_imports_neither_bm25s_nor_scipy(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from arm_gym.envs.webshop import WebShopEnv; "
        f"env = WebShopEnv(num_products=500, cache_dir={str(tmp_path)!r}); env.reset(seed=0); "
        "print(env.world.index.loaded_from_cache, 'bm25s' in sys.modules, 'scipy' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][0] == "False" and runs[1] == ["True", "False", "False"]
