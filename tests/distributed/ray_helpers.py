"""Test helpers for the Ray backend."""

from __future__ import annotations

import ray

from arm_gym.distributed.ray_backend import RayBackend


class KillOnce(RayBackend):
    """Kills one actor (Ray restarts it and retries its chunks) as soon as the first chunk comes back, while the
    actor still has work in flight."""

    killed = 0

    def _map(self, calls):
        for result in super()._map(calls):
            if not self.killed:
                ray.kill(self.actors[0], no_restart=False)
                self.killed += 1
            yield result


class PidWorker:
    """A worker that tags each item with the process it ran in, and leaves a file named after it when closed."""

    def __init__(self, closed_dir):
        self.closed_dir = closed_dir

    def __call__(self, items):
        import os

        return [(item, os.getpid()) for item in items]

    def close(self):
        import os

        (self.closed_dir / str(os.getpid())).touch()
