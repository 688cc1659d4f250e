"""One reward model served to many envs: a Ray Serve deployment that batches concurrent ``score`` calls.

Many env workers (vector envs, Ray actors, planners) share one copy of the model and its batches, on a GPU or on
the CPU. :class:`RemoteRewardModel` has the same ``score(pairs)`` interface as
:class:`arm_gym.reward.model.RewardModel`, so ``RewardModelWrapper``, ``VectorRewardModelWrapper`` and the
planners take either. The checkpoint is a plain one-label sequence-classification model, so other serving
engines (vLLM's pooling/score endpoints, text-embeddings-inference) can serve it too; they would need the
arm_gym rendering (:func:`arm_gym.reward.render.render_trajectory`) on the client side.

Example:
    >>> from arm_gym.distributed import init_ray, serve_reward_model                    # doctest: +SKIP
    >>> init_ray()                                                                      # doctest: +SKIP
    >>> model = serve_reward_model("runs/rm-game24")     # a RemoteRewardModel            # doctest: +SKIP
    >>> model.score([(instruction, trajectory)])                                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.distributed.ray_backend import INSTALL_HINT, init_ray
from arm_gym.trajectory import Trajectory

Pair = tuple[str, Trajectory]


def _serve() -> Any:
    try:
        from ray import serve
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return serve


class _RewardModelServer:
    """The deployment: loads the checkpoint once and scores the concurrent requests of a batch together."""

    def __init__(self, checkpoint: str, device: str = "auto", precision: str = "auto"):
        from arm_gym.reward.model import RewardModel

        self.model = RewardModel.from_pretrained(checkpoint, device=device, precision=precision)
        self.batches: list[int] = []

    async def score(self, pairs: list[Pair]) -> list[float]:
        return await self._batched(pairs)

    async def _batched(self, requests: list[list[Pair]]) -> list[list[float]]:
        flat = [pair for pairs in requests for pair in pairs]
        self.batches.append(len(requests))
        scores = self.model.score(flat).tolist() if flat else []
        out, start = [], 0
        for pairs in requests:
            out.append(scores[start : start + len(pairs)])
            start += len(pairs)
        return out

    def batch_sizes(self) -> list[int]:
        """How many requests each model call served (for benchmarks and tests)."""
        return list(self.batches)


class RemoteRewardModel:
    """A client of a served reward model with :class:`~arm_gym.reward.model.RewardModel`'s ``score`` interface."""

    def __init__(self, handle: Any):
        self.handle = handle

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        return np.asarray(self.handle.score.remote(list(pairs)).result(), dtype=float)

    def batch_sizes(self) -> list[int]:
        return list(self.handle.batch_sizes.remote().result())


def serve_reward_model(
    checkpoint: str,
    *,
    name: str = "arm_gym_reward_model",
    max_batch_size: int = 64,
    batch_wait_timeout_s: float = 0.01,
    device: str = "auto",
    precision: str = "auto",
    num_cpus: float = 1,
    num_gpus: float = 0,
    address: str | None = None,
) -> RemoteRewardModel:
    """Deploy ``checkpoint`` on Ray Serve (no HTTP proxy: callers use the handle) and return its client.

    ``max_batch_size`` requests (each a list of pairs) waiting at most ``batch_wait_timeout_s`` are scored in
    one model call.
    """
    init_ray(address)
    serve = _serve()
    serve.start(proxy_location="Disabled")
    batched = serve.batch(max_batch_size=max_batch_size, batch_wait_timeout_s=batch_wait_timeout_s)(
        _RewardModelServer._batched
    )
    server = type("RewardModelServer", (_RewardModelServer,), {"_batched": batched})
    deployment = serve.deployment(name=name, ray_actor_options={"num_cpus": num_cpus, "num_gpus": num_gpus})(server)
    handle = serve.run(deployment.bind(str(checkpoint), device, precision), name=name, route_prefix=None)
    return RemoteRewardModel(handle)
