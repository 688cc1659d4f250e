"""One local Ray (2 CPUs) for the distributed tests, shared by every module, and a backend that kills an actor."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def ray_backend():
    """A :class:`RayBackend` with 2 workers on a local Ray of 2 CPUs (started once; Ray stops at the end)."""
    ray = pytest.importorskip("ray")  # the `ray` extra is part of `all`, so CI always has it
    from arm_gym.distributed.ray_backend import RayBackend

    with RayBackend(num_workers=2, chunk_size=8, num_cpus=2) as backend:
        yield backend
    if ray.is_initialized():
        ray.shutdown()
