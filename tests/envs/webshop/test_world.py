from __future__ import annotations

import pytest

from arm_gym.envs.webshop import WebShopEnv
from arm_gym.envs.webshop.world import clear_worlds, load_world


def test_envs_with_equal_settings_share_one_world():
    a = WebShopEnv(num_products=500, catalogue_seed=1)
    b = WebShopEnv(num_products=500, catalogue_seed=1)
    c = WebShopEnv(num_products=500, catalogue_seed=2)
    assert a.world is b.world and a.world is not c.world
    assert a.world.index.loaded_from_cache is False
    clear_worlds()
    d = WebShopEnv(num_products=500, catalogue_seed=1)
    assert d.world is not a.world and d.world.index.loaded_from_cache  # rebuilt from the on-disk cache
    assert d.search("shampoo") == a.search("shampoo")


def test_rejects_tiny_catalogues():
    with pytest.raises(ValueError, match="num_products"):
        load_world(num_products=3)


def test_in_memory_index_without_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARM_GYM_CACHE", str(tmp_path))
    env = WebShopEnv(num_products=300, catalogue_seed=9, use_cache=False)
    assert env.world.index.path is None and not any(tmp_path.iterdir())
