"""Process helpers for tests that check simulator subprocesses (the ScienceWorld JVM) come and go."""

from __future__ import annotations

import time

import psutil


def java_descendants() -> list[psutil.Process]:
    """The ``java`` processes below this test process (children and grandchildren)."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if proc.name() == "java":
                found.append(proc)
        except psutil.NoSuchProcess:
            pass
    return found


def gone(pid: int, within: float = 10.0) -> bool:
    """Whether process ``pid`` is gone (or a zombie) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False
