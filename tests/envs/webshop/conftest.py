"""Shared fixtures: one small cached world per session, with the index cache in a temp folder."""

from __future__ import annotations

import os

import pytest

from arm_gym.envs.webshop import WebShopEnv


@pytest.fixture(scope="session", autouse=True)
def _webshop_cache(tmp_path_factory):
    """Keep every index these tests build out of the user's ~/.cache."""
    old = os.environ.get("ARM_GYM_CACHE")
    os.environ["ARM_GYM_CACHE"] = str(tmp_path_factory.mktemp("arm_gym_cache"))
    yield
    if old is None:
        os.environ.pop("ARM_GYM_CACHE", None)
    else:
        os.environ["ARM_GYM_CACHE"] = old


@pytest.fixture(scope="session")
def shop() -> WebShopEnv:
    """The default 10,000-product env (shared; tests reset it as they need)."""
    return WebShopEnv()


@pytest.fixture(scope="session")
def small_shop() -> WebShopEnv:
    """A 2,000-product env for quick checks."""
    return WebShopEnv(num_products=2000, catalogue_seed=7)
