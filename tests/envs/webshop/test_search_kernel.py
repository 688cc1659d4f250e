from __future__ import annotations

import numpy as np
import pytest

from arm_gym.envs.webshop.generator import GeneratedCatalogue
from arm_gym.envs.webshop.goals import GeneratedGoals
from arm_gym.envs.webshop.search import SearchIndex


def test_kernel_sums_terms_and_breaks_ties_by_position():
    from arm_gym.envs.webshop.search_kernel import top_k

    # 5 docs, 2 terms (CSC: one column per term)
    indptr = np.array([0, 3, 6], dtype=np.int64)
    indices = np.array([0, 2, 4, 1, 2, 3], dtype=np.int32)
    data = np.array([1.0, 1.0, 2.0, 2.0, 1.0, 1.0], dtype=np.float32)
    buffer, touched = np.zeros(5, np.float32), np.zeros(5, np.int64)
    docs, scores = top_k(indptr, indices, data, np.array([0, 1]), buffer, touched, 3)
    assert docs.tolist() == [1, 2, 4] and scores.tolist() == [2.0, 2.0, 2.0]  # all tied: lowest positions
    docs, _ = top_k(indptr, indices, data, np.array([0, 1]), buffer, touched, 10)
    assert docs.tolist() == [1, 2, 4, 0, 3]
    assert not buffer.any()  # the buffer is clean for the next query
    docs, _ = top_k(indptr, indices, data, np.array([1]), buffer, touched, 2)
    assert docs.tolist() == [1, 2]


def test_numba_and_numpy_backends_rank_alike(tmp_path):
    catalogue = GeneratedCatalogue(3000, seed=11)
    fast = SearchIndex(catalogue, cache_dir=tmp_path, backend="numba")
    slow = SearchIndex(catalogue, cache_dir=tmp_path, backend="numpy")
    assert (fast.backend, slow.backend) == ("numba", "numpy")
    goals = GeneratedGoals(catalogue)
    queries = [goals.get(g).instruction for g in goals.ids("dev")[:200]] + ["size", "for", "black", "zzz", ""]
    for q in queries:
        for k in (1, 10, 50):
            assert fast.search(q, k=k) == slow.search(q, k=k), (q, k)
    with pytest.raises(ValueError, match="backend"):
        SearchIndex(catalogue, cache_dir=tmp_path, backend="java")
