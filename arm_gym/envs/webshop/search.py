"""BM25 search over a catalogue (title, description, features, option values), built with bm25s, cached on disk.

bm25s computes the BM25 score matrix; the cache holds it as plain ``.npy`` arrays plus the
vocabulary, so a cached start imports neither bm25s nor scipy. The index lives in
``$ARM_GYM_CACHE/webshop/<catalogue fingerprint>`` (``~/.cache/arm_gym`` when
``ARM_GYM_CACHE`` is unset), written and read by :mod:`~arm_gym.envs.webshop.column_cache`: moved into
place atomically, its ``manifest.json`` (each file's size and CRC-32) checked on load, its arrays
memory-mapped; a cache that fails the check is deleted and rebuilt.
Queries score with the index's precomputed BM25 columns: in numpy (sparse sum + partial sort), or
for catalogues of :data:`NUMBA_MIN_DOCS` products and more with a numba kernel when numba is installed
(:mod:`arm_gym.envs.webshop.search_kernel`). Both sum float32 scores term by term and break ties by
position, so they rank alike.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.envs.webshop.catalogue import Catalogue
from arm_gym.envs.webshop.column_cache import (
    CacheDamaged,
    cache_folder,
    cache_root,  # noqa: F401 - re-exported: where caches live
    discard,
    read_folder,
    write_folder,
)
from arm_gym.envs.webshop.vocab import singular

logger = logging.getLogger(__name__)

INDEX_VERSION = 2
"""Bumped whenever tokenisation or scoring changes (part of the cache check)."""
TOP_K = 50
"""WebShop's search returns the 50 best matches (five result pages of ten)."""

NUMBA_MIN_DOCS = 100_000
"""From this many products on, search uses the numba kernel when numba can be imported."""

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_BUILD_CHUNK = 20_000
_ARRAYS = ("data", "indices", "indptr")


class Tokenizer:
    """Lower case, ``\\w\\w+`` words, English stop words dropped, plurals folded (same for docs and queries)."""

    def __init__(self, stopwords: frozenset[str]) -> None:
        self.stop = stopwords
        self._stem: dict[str, str] = {}

    def ids(self, text: str, vocab: dict[str, int], memo: dict[str, int]) -> list[int]:
        """The index terms of ``text`` as ids in ``vocab`` (new terms are added); ``memo`` maps raw words to ids."""
        out = []
        for w in _TOKEN.findall(text.lower()):
            i = memo.get(w)
            if i is None:
                i = -1 if w in self.stop else vocab.setdefault(singular(w), len(vocab))
                memo[w] = i
            if i >= 0:
                out.append(i)
        return out

    def words(self, text: str) -> list[str]:
        """The index terms of ``text``."""
        out = []
        stem = self._stem
        for w in _TOKEN.findall(text.lower()):
            if w in self.stop:
                continue
            s = stem.get(w)
            if s is None:
                s = singular(w)
                if len(stem) < 1_000_000:  # user queries may be arbitrary: bound the memo
                    stem[w] = s
            out.append(s)
        return out


class SearchIndex:
    """BM25 over ``catalogue``; :meth:`search` returns product positions, best first.

    Args:
        catalogue: what to index.
        cache_dir: where cached indexes live (default :func:`cache_root` ``/ "webshop"``);
            ``None`` with ``use_cache=False`` keeps the index in memory only.
        use_cache: read and write the on-disk cache.
        show_progress: a tqdm bar while building (default: from 200,000 products on).
        backend: ``"numba"``, ``"numpy"`` or ``"auto"`` (numba from :data:`NUMBA_MIN_DOCS` products on).
    """

    def __init__(self, catalogue: Catalogue, *, cache_dir: str | os.PathLike | None = None,
                 use_cache: bool = True, show_progress: bool | None = None, backend: str = "auto"):
        if backend not in ("auto", "numpy", "numba"):
            raise ValueError(f"backend must be 'auto', 'numpy' or 'numba', not {backend!r}")
        self.catalogue = catalogue
        self.backend = backend
        self.show_progress = len(catalogue) >= 200_000 if show_progress is None else show_progress
        self.path: Path | None = None
        self.loaded_from_cache = False
        arrays = None
        if use_cache:
            self.path = cache_folder(cache_dir) / catalogue.fingerprint
            arrays = self._load_cached()
            self.loaded_from_cache = arrays is not None
        if arrays is None:
            logger.info("building the search index for %d products%s", len(catalogue),
                        f" (cached at {self.path})" if self.path else "")
            arrays = self._build()
            if use_cache:
                self._save(arrays)
        self._adopt(arrays)

    # ------------------------------------------------------------------ build / cache
    def _build(self) -> dict[str, Any]:
        """Tokenise every product and let bm25s compute the BM25 score matrix (CSC, one column per term)."""
        import bm25s
        from bm25s.stopwords import STOPWORDS_EN
        from tqdm.auto import tqdm

        stopwords = frozenset(STOPWORDS_EN)
        tokenizer = Tokenizer(stopwords)
        n = len(self.catalogue)
        vocab: dict[str, int] = {}
        memo: dict[str, int] = {}
        ids: list[list[int]] = []
        chunks = range(0, n, _BUILD_CHUNK)
        for start in tqdm(chunks, desc="webshop: tokenising", disable=not self.show_progress, unit="chunk"):
            for text in self.catalogue.search_texts(start, min(n, start + _BUILD_CHUNK)):
                ids.append(tokenizer.ids(text, vocab, memo))
        retriever = bm25s.BM25()
        retriever.index((ids, vocab), show_progress=self.show_progress)
        scores = retriever.scores
        return {
            "data": np.asarray(scores["data"], dtype=np.float32),
            "indices": np.asarray(scores["indices"]),
            "indptr": np.asarray(scores["indptr"], dtype=np.int64),
            "num_docs": int(scores["num_docs"]),
            "vocab": {w: i for w, i in retriever.vocab_dict.items() if w},  # bm25s adds "" without a column
            "stopwords": sorted(stopwords),
        }

    def _save(self, arrays: dict[str, Any]) -> None:
        assert self.path is not None
        meta = {"index_version": INDEX_VERSION, "fingerprint": self.catalogue.fingerprint,
                "num_docs": arrays["num_docs"], "stopwords": arrays["stopwords"]}
        write_folder(self.path, {name: arrays[name] for name in _ARRAYS}, meta,
                     {"vocab.json": json.dumps(arrays["vocab"])}, what="search index")

    def _load_cached(self) -> dict[str, Any] | None:
        """The cached arrays (memory-mapped), or ``None`` (a damaged cache is logged and deleted)."""
        path = self.path
        assert path is not None
        if not path.exists():
            return None
        try:
            # copy-on-write mappings stay writeable, so the numba kernel keeps the one signature it compiled for
            # freshly built arrays; nothing writes to them
            loaded, texts, manifest = read_folder(
                path, {"index_version": INDEX_VERSION, "num_docs": len(self.catalogue)},
                dict.fromkeys(_ARRAYS), ("vocab.json",), mmap_mode="c")
            arrays: dict[str, Any] = dict(loaded)
            arrays["vocab"] = json.loads(texts["vocab.json"])
            arrays["num_docs"] = int(manifest["num_docs"])
            arrays["stopwords"] = list(manifest["stopwords"])
            data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
            if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1 or not len(indptr):
                raise CacheDamaged("the score matrix is not three flat arrays")
            if not (len(data) == len(indices) == indptr[-1]) or (len(indices) and indices.max() >= len(self.catalogue)):
                raise CacheDamaged("inconsistent score matrix")
            if arrays["vocab"] and max(arrays["vocab"].values()) >= len(indptr) - 1:
                raise CacheDamaged("vocabulary does not fit the score matrix")
            return arrays
        except Exception as exc:  # noqa: BLE001 - any damage means: rebuild
            discard(path, exc, what="search index")
            return None

    def _adopt(self, arrays: dict[str, Any]) -> None:
        self.data = np.asarray(arrays["data"], dtype=np.float32)
        self.indices = np.asarray(arrays["indices"])  # int32 as bm25s makes it (no copy)
        self.indptr = np.asarray(arrays["indptr"], dtype=np.int64)
        self.num_docs = int(arrays["num_docs"])
        self.vocab: dict[str, int] = dict(arrays["vocab"])
        self.tokenizer = Tokenizer(frozenset(arrays["stopwords"]))
        self._kernel = None
        if self.backend == "numba" or (self.backend == "auto" and self.num_docs >= NUMBA_MIN_DOCS):
            try:
                from arm_gym.envs.webshop.search_kernel import top_k
            except ImportError:
                if self.backend == "numba":
                    raise
                logger.info("numba is not installed; searching %d products with numpy", self.num_docs)
            else:
                self._kernel = top_k
                self._lock = threading.Lock()  # the buffers are shared by every env using this index
                self._buffer = np.zeros(self.num_docs, dtype=np.float32)
                self._touched = np.zeros(self.num_docs, dtype=np.int64)
                self.backend = "numba"
        if self._kernel is None:
            self.backend = "numpy"

    # ------------------------------------------------------------------ query
    def query_ids(self, query: str) -> list[int]:
        """The vocabulary ids of ``query``'s terms (unknown terms and repeats dropped)."""
        seen: dict[int, None] = {}
        for w in self.tokenizer.words(query):
            tid = self.vocab.get(w)
            if tid is not None and tid + 1 < len(self.indptr):
                seen.setdefault(tid, None)
        return list(seen)

    def search(self, query: str, k: int = TOP_K) -> list[int]:
        """Positions of the ``k`` best-scoring products for ``query`` (ties: lower position first)."""
        tids = self.query_ids(query)
        if not tids or k <= 0:
            return []
        if self._kernel is not None:
            with self._lock:
                docs, _ = self._kernel(self.indptr, self.indices, self.data, np.asarray(tids, dtype=np.int64),
                                       self._buffer, self._touched, min(k, self.num_docs))
            return [int(d) for d in docs]
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1])) for t in tids]
        total = sum(e - s for s, e in spans)
        if total * 8 < self.num_docs:
            all_docs = np.concatenate([self.indices[s:e] for s, e in spans])
            docs, inverse = np.unique(all_docs, return_inverse=True)
            scores = np.zeros(len(docs), dtype=np.float32)
            offset = 0
            for s, e in spans:  # term by term in float32, like the kernel
                scores[inverse[offset : offset + e - s]] += self.data[s:e]
                offset += e - s
        else:
            scores = np.zeros(self.num_docs, dtype=np.float32)
            for s, e in spans:
                scores[self.indices[s:e]] += self.data[s:e]
            docs = None  # position == document
        if len(scores) > k:
            part = np.argpartition(-scores, k - 1)[:k]
            # argpartition may split a tie at the cut arbitrarily: take all tied docs, then the lowest positions
            cut = scores[part].min()
            part = np.flatnonzero(scores >= cut) if cut > 0 else part
            docs, scores = (part if docs is None else docs[part]), scores[part]
        elif docs is None:
            docs = np.arange(len(scores))
        keep = scores > 0
        docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:k]
        return [int(d) for d in docs[order]]
