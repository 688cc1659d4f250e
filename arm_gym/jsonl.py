"""Crash-safe JSON-lines files: whole-line appends, and readers that survive an interrupted write.

Every record is written as one ``write`` of a complete line followed by flush (and optionally
``fsync``). A process killed mid-write can leave at most one partial last line; readers skip it
with a warning and :func:`repair_tail` cuts it off before the next append, so earlier lines always
stay loadable and new lines never glue onto a fragment.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)


class CorruptRecordError(ValueError):
    """A line in the middle of a JSON-lines file does not parse."""


def repair_tail(path: str | os.PathLike) -> int:
    """Cut a partial last line (no trailing newline) off ``path``; return the bytes removed."""
    path = Path(path)
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        chunk = 1 << 16
        pos = size
        keep = 0
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            idx = data.rfind(b"\n")
            if idx >= 0:
                keep = start + idx + 1
                break
            pos = start
        fh.truncate(keep)
    removed = size - keep
    logger.warning("%s: removed a partial last line (%d bytes) left by an interrupted write", path, removed)
    return removed


class JsonlWriter:
    """Appends JSON records to a file, one complete line per record.

    Args:
        path: the file (created with its parent folders if missing).
        fsync: also ``os.fsync`` after every record (survives power loss, not just a killed process).
    """

    def __init__(self, path: str | os.PathLike, *, fsync: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_tail(self.path)
        self.fsync = fsync
        self._fh: IO[str] | None = self.path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one line."""
        if self._fh is None:
            raise ValueError(f"{self.path}: writer is closed")
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._fh.write(line)
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def append_jsonl(path: str | os.PathLike, records: Iterable[dict[str, Any]], *, fsync: bool = False) -> int:
    """Append ``records`` to ``path``; return how many were written."""
    n = 0
    with JsonlWriter(path, fsync=fsync) as writer:
        for record in records:
            writer.write(record)
            n += 1
    return n


def read_jsonl(path: str | os.PathLike, *, strict: bool = True) -> Iterator[dict[str, Any]]:
    """Yield the records of ``path``.

    A partial last line (an interrupted append) is skipped with a warning. A corrupt line anywhere
    else raises :class:`CorruptRecordError` naming the line, or is skipped with a warning when
    ``strict`` is false.
    """
    path = Path(path)
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        lineno = 0
        for line in fh:
            lineno += 1
            if not line.strip():
                continue
            complete = line.endswith("\n")
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("record is not a JSON object")
            except ValueError as exc:
                if not complete:
                    logger.warning("%s:%d: skipping a partial last line left by an interrupted write", path, lineno)
                    return
                if strict:
                    raise CorruptRecordError(f"{path}:{lineno}: corrupt record: {exc}") from exc
                logger.warning("%s:%d: skipping corrupt record: %s", path, lineno, exc)
                continue
            yield record


def without_nan(value: Any) -> Any:
    """``value`` with every NaN float replaced by ``None`` (JSON has no NaN), recursively."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_nan(v) for v in value]
    return value
