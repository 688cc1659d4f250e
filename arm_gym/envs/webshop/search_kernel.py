"""A numba kernel for BM25 top-k over a CSC score matrix, used for large catalogues when numba is installed.

One pass adds each query term's precomputed scores into a reusable dense buffer, remembering which
documents it touched; a size-k heap then keeps the best (score, lower position on ties) and the
buffer is zeroed again for the next query. Compiled once and cached on disk by numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _worse(s1, d1, s2, d2):  # pragma: no cover - compiled
    return s1 < s2 or (s1 == s2 and d1 > d2)


@njit(cache=True, nogil=True)
def _sift_down(hs, hd, size, i):  # pragma: no cover - compiled
    while True:
        left = 2 * i + 1
        worst = i
        if left < size and _worse(hs[left], hd[left], hs[worst], hd[worst]):
            worst = left
        right = left + 1
        if right < size and _worse(hs[right], hd[right], hs[worst], hd[worst]):
            worst = right
        if worst == i:
            return
        hs[i], hs[worst] = hs[worst], hs[i]
        hd[i], hd[worst] = hd[worst], hd[i]
        i = worst


@njit(cache=True, nogil=True)
def top_k(indptr, indices, data, tids, scores, touched, k):  # pragma: no cover - compiled
    """Best ``k`` documents for the terms ``tids``: ``(positions, scores)``, best first."""
    nt = 0
    for t in tids:
        for p in range(indptr[t], indptr[t + 1]):
            d = indices[p]
            if scores[d] == 0.0:
                touched[nt] = d
                nt += 1
            scores[d] += data[p]
    hs = np.empty(k, np.float32)
    hd = np.empty(k, np.int64)
    size = 0
    for j in range(nt):
        d = touched[j]
        s = scores[d]
        scores[d] = 0.0
        if size < k:
            hs[size] = s
            hd[size] = d
            size += 1
            if size == k:
                for i in range(k // 2 - 1, -1, -1):
                    _sift_down(hs, hd, size, i)
        elif _worse(hs[0], hd[0], s, d):
            hs[0] = s
            hd[0] = d
            _sift_down(hs, hd, size, 0)
    if size < k:
        for i in range(size // 2 - 1, -1, -1):
            _sift_down(hs, hd, size, i)
    out_d = np.empty(size, np.int64)
    out_s = np.empty(size, np.float32)
    for pos in range(size - 1, -1, -1):  # pop the worst first, fill from the back
        out_s[pos] = hs[0]
        out_d[pos] = hd[0]
        size -= 1
        hs[0] = hs[size]
        hd[0] = hd[size]
        _sift_down(hs, hd, size, 0)
    return out_d, out_s
