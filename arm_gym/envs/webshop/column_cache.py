"""On-disk caches of numpy columns: written atomically, verified on load, memory-mapped.

A cache is one folder of ``<name>.npy`` arrays and a few text files, plus ``manifest.json`` with the
writer's metadata (versions, sizes of what was cached) and each file's size, CRC-32 and SHA-256. It is written
to a temporary folder beside its place and moved there with ``os.replace``, so a crash never leaves half
a cache, and two processes racing to write it keep whichever landed first. :func:`read_folder` checks
the manifest, every file's size and digest, and each array's dtype and shape before it maps the arrays
(``np.load(mmap_mode=...)``): a cached start reads no array into memory, and processes that map the
same files share their pages. Anything amiss raises :class:`CacheDamaged`; :func:`discard` logs a
warning and deletes the folder so that the caller rebuilds it.

The digest guards against damage (a truncated copy, a flipped bit), not against tampering: whoever can
write the files can write the manifest beside them. So loading checks the CRC-32, which covers the 350 MB
of a million-product cache in a fraction of the time SHA-256 takes; the SHA-256 is still written, for
older versions of this module (which check only it), and checked where a manifest has no CRC-32.

The WebShop search index (:mod:`~arm_gym.envs.webshop.search`) and the generated catalogue's columns
(:mod:`~arm_gym.envs.webshop.generator`) live side by side under :func:`cache_folder`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
ArraySpec = tuple[np.dtype, tuple[int, ...]]
"""The dtype and shape an array must have."""


class CacheDamaged(ValueError):
    """A cache folder that must not be trusted (missing, truncated, altered or of another version)."""


def cache_root() -> Path:
    """``$ARM_GYM_CACHE`` or ``~/.cache/arm_gym``."""
    env = os.environ.get("ARM_GYM_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "arm_gym"


def cache_folder(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where WebShop's caches live: ``cache_dir``, else :func:`cache_root` ``/ "webshop"``."""
    return Path(cache_dir) if cache_dir is not None else cache_root() / "webshop"


_BLOCK = 1 << 24
"""Files are checked in blocks of up to 16 MiB. Besides making few reads, freeing a block this large raises
glibc's dynamic mmap threshold, as generating a catalogue's columns used to: without it, the 4-8 MB temporaries
of each numpy-backend search at a million products are mapped and page-faulted afresh per query (2-3x slower)."""


def _buffer(path: Path) -> bytearray:
    """A read buffer for ``path``: one block, or the file's size where it is smaller."""
    return bytearray(max(1, min(_BLOCK, path.stat().st_size)))


def crc32_file(path: Path) -> str:
    """The CRC-32 of a file as 8 hex digits (read into one buffer, not mapped: checking a file leaves none of
    its pages in the process's resident memory)."""
    buffer = _buffer(path)
    view = memoryview(buffer)
    crc = 0
    with open(path, "rb", buffering=0) as f:
        while size := f.readinto(buffer):
            crc = zlib.crc32(view[:size], crc)
    return f"{crc:08x}"


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file as hex digits."""
    buffer = _buffer(path)
    view = memoryview(buffer)
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as f:
        while size := f.readinto(buffer):
            digest.update(view[:size])
    return digest.hexdigest()


def _intact(path: Path, meta: Mapping[str, Any]) -> bool:
    """Whether ``path`` matches its manifest entry's digest (CRC-32, or SHA-256 where older manifests have only it)."""
    if "crc32" in meta:
        return crc32_file(path) == meta["crc32"]
    return "sha256" in meta and sha256_file(path) == meta["sha256"]


def write_folder(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any],
                 texts: Mapping[str, str] | None = None, *, what: str = "cache") -> bool:
    """Write ``arrays`` (as ``<name>.npy``), ``texts`` (file name -> content) and a manifest with ``meta``
    to ``path`` atomically. Returns whether ``path`` now holds a cache (this one or a racing writer's);
    an unwritable place is logged and leaves nothing behind."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=path.parent))
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        for name, text in (texts or {}).items():
            (tmp / name).write_text(text)
        files = {p.name: {"size": p.stat().st_size, "crc32": crc32_file(p), "sha256": sha256_file(p)}
                 for p in sorted(tmp.iterdir())}
        (tmp / MANIFEST).write_text(json.dumps({**meta, "files": files}))
        try:
            os.replace(tmp, path)
        except OSError:  # another process got there first: keep theirs
            logger.info("%s %s appeared while building; keeping the existing one", what, path)
            shutil.rmtree(tmp, ignore_errors=True)
        return True
    except OSError as exc:
        logger.warning("could not cache the %s at %s (%s); continuing without a cache", what, path, exc)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        return False


def read_folder(path: Path, expect: Mapping[str, Any], arrays: Mapping[str, ArraySpec | None],
                texts: tuple[str, ...] = (), *, mmap_mode: Literal["r", "c"] | None = "r",
                ) -> tuple[dict[str, np.ndarray], dict[str, str], dict[str, Any]]:
    """The arrays, texts and manifest of the cache at ``path``; raises :class:`CacheDamaged` (or ``OSError``).

    Args:
        path: the cache folder.
        expect: manifest entries that must be equal (versions, sizes).
        arrays: array name -> ``(dtype, shape)`` it must have (``None``: any).
        texts: names of the text files the cache holds.
        mmap_mode: ``"r"`` maps arrays read-only, ``"c"`` copy-on-write (writeable, never written back),
            ``None`` reads them into memory.
    """
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise CacheDamaged(f"no readable {MANIFEST} ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise CacheDamaged(f"{MANIFEST} is malformed")
    for key, value in expect.items():
        if manifest.get(key) != value:
            raise CacheDamaged(f"{key} is {manifest.get(key)!r}, expected {value!r}")
    files = manifest["files"]
    if set(files) != {f"{name}.npy" for name in arrays} | set(texts):
        raise CacheDamaged("file list differs")
    for name, meta in files.items():
        f = path / name
        if not isinstance(meta, dict) or not f.is_file() or f.stat().st_size != meta.get("size"):
            raise CacheDamaged(f"{name} is missing or has the wrong size")
        if not _intact(f, meta):
            raise CacheDamaged(f"{name} does not match its checksum")
    out: dict[str, np.ndarray] = {}
    for name, spec in arrays.items():
        try:
            array = np.load(path / f"{name}.npy", mmap_mode=mmap_mode, allow_pickle=False)
        except ValueError as exc:
            raise CacheDamaged(f"{name}.npy is unreadable ({exc})") from None
        if spec is not None and (array.dtype != spec[0] or array.shape != spec[1]):
            raise CacheDamaged(f"{name}.npy holds {array.dtype}{array.shape}, expected {np.dtype(spec[0])}{spec[1]}")
        out[name] = np.asarray(array)  # a plain ndarray view (the mapping stays open through .base)
    return out, {name: (path / name).read_text() for name in texts}, manifest


def discard(path: Path, exc: BaseException, *, what: str = "cache") -> None:
    """Warn that the cache at ``path`` is unusable and delete it (the caller rebuilds it)."""
    logger.warning("%s cache at %s is unusable (%s); rebuilding it", what, path, exc)
    shutil.rmtree(path, ignore_errors=True)
