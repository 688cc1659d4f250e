"""The served reward model: the same scores as the in-process model for concurrent callers, batched together."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from arm_gym.reward.model import RewardModel
from tests.reward.tiny_model import make_triplets, trained_checkpoint

ray = pytest.importorskip("ray")  # the `ray` extra is part of `all`, so CI always has it


def test_concurrent_callers_get_the_in_process_scores(tmp_path_factory):
    from ray import serve

    from arm_gym.distributed import init_ray, serve_reward_model

    checkpoint, _, _ = trained_checkpoint(tmp_path_factory.getbasetemp())
    pairs = [(t.prompt, t.chosen_trajectory) for t in make_triplets(32)]
    local = RewardModel.from_pretrained(checkpoint, device="cpu", precision="fp32").score(pairs)
    init_ray(num_cpus=2)
    try:
        remote = serve_reward_model(str(checkpoint), device="cpu", precision="fp32", batch_wait_timeout_s=0.05)
        with ThreadPoolExecutor(16) as pool:  # 16 env workers asking for 2 pairs each at once
            parts = list(pool.map(lambda i: remote.score(pairs[2 * i : 2 * i + 2]), range(16)))
        np.testing.assert_allclose(np.concatenate(parts), local, rtol=1e-4, atol=1e-4)
        assert max(remote.batch_sizes()) > 1  # concurrent requests shared model calls
    finally:
        serve.shutdown()
        ray.shutdown()
