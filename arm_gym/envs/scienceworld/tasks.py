"""ScienceWorld's task catalogue for ARM-ScienceWorld-v0: task names, variation splits, task ids, simplifications.

Task ids are ``"<task-name>/<variation>"`` (e.g. ``"boil/3"``). The 30 task names and each task's
number of variations come from the engine itself (:meth:`TaskCatalogue.from_server`); the
train/dev/test variations follow ScienceWorld's own 50%/25%/25% rule (``PythonInterface.getSets``),
reproduced by :func:`variation_splits` so that listing a split does not load every task.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SPLITS = ("train", "dev", "test")

SIMPLIFICATIONS = ("teleportAction", "selfWateringFlowerPots", "openContainers", "openDoors", "noElectricalAction")
"""ScienceWorld's simplifications; ``"easy"`` means all of them (the engine keeps electrical actions where a task needs them)."""

ELECTRICAL_TASK_MARKERS = ("power-component", "conductivity")


def variation_splits(max_variations: int) -> dict[str, tuple[int, ...]]:
    """The train/dev/test variation indices of a task with ``max_variations`` variations (ScienceWorld's rule)."""
    n = int(max_variations)
    small = {
        0: ((), (), ()),
        1: ((0,), (), (0,)),
        2: ((0,), (), (1,)),
        3: ((0,), (1,), (2,)),
        4: ((0, 1), (2,), (3,)),
    }
    if n in small:
        return dict(zip(SPLITS, small[n]))
    size = n // 4
    groups = [tuple(range(start, min(start + size, n))) for start in range(0, n, size)]
    test = groups[3] + (groups[4] if len(groups) > 4 else ())
    return {"train": groups[0] + groups[1], "dev": groups[2], "test": test}


def simplification_string(simplified: bool | str | Sequence[str] | None) -> str:
    """ScienceWorld's ``simplificationStr`` for the ``simplified`` option.

    ``False``/``None``: none; ``True``: ``"easy"`` (all simplifications); a comma-separated string or a
    sequence of names from :data:`SIMPLIFICATIONS` (or ``"easy"``): those.
    """
    if simplified is None or simplified is False:
        return ""
    if simplified is True:
        return "easy"
    parts = simplified.split(",") if isinstance(simplified, str) else list(simplified)
    names = [str(p).strip() for p in parts if str(p).strip()]
    for name in names:
        if name != "easy" and name not in SIMPLIFICATIONS:
            close = difflib.get_close_matches(name, (*SIMPLIFICATIONS, "easy"), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"unknown ScienceWorld simplification {name!r}; choose from {[*SIMPLIFICATIONS, 'easy']} "
                f"or pass simplified=True for all of them.{hint}"
            )
    return ",".join(names)


def parse_task_id(task_id: str) -> tuple[str, int]:
    """Split ``"<task-name>/<variation>"`` into its name and variation index; ``ValueError`` if malformed."""
    name, sep, variation = str(task_id).rpartition("/")
    if not sep or not name or not variation.strip().isdigit():
        raise ValueError(
            f"a ScienceWorld task id looks like '<task-name>/<variation>' (e.g. 'boil/3'), not {task_id!r}"
        )
    return name.strip(), int(variation)


@dataclass(frozen=True)
class TaskCatalogue:
    """The engine's task names (in its own order, which task indices follow) and their variation counts."""

    names: tuple[str, ...]
    max_variations: dict[str, int]
    _ids: dict[str, list[str]] = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def from_server(cls, server: Any) -> TaskCatalogue:
        """Read the catalogue from a ScienceWorld ``PythonInterface`` (py4j object)."""
        names = tuple(str(n) for n in server.getTaskNames())
        return cls(names, {n: int(server.getTaskMaxVariations(n)) for n in names})

    def resolve(self, task: str | int) -> str:
        """The canonical task name for a name, an index into :attr:`names`, a ScienceWorld id (``"1-1"``)
        or a paper-style name (``"Matter Changes of State (Boiling)"``)."""
        if isinstance(task, numbers.Integral) and not isinstance(task, bool):
            index = int(task)
        elif isinstance(task, str) and task.strip().isdigit():
            index = int(task.strip())
        else:
            index = None
        if index is not None:
            if not 0 <= index < len(self.names):
                raise ValueError(
                    f"task index {index} is out of range: ScienceWorld has {len(self.names)} tasks (0-{len(self.names) - 1})"
                )
            return self.names[index]
        if not isinstance(task, str):
            raise ValueError(f"a ScienceWorld task is a name or an index, not {task!r}")  # noqa: TRY004 - options errors are ValueErrors
        from scienceworld.utils import infer_task

        name = infer_task(task.strip())
        if name in self.max_variations:
            return name
        close = difflib.get_close_matches(name, self.names, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"unknown ScienceWorld task {task!r}.{hint} Known tasks: {list(self.names)}")

    def splits(self, name: str) -> dict[str, tuple[int, ...]]:
        """The train/dev/test variations of task ``name``."""
        return variation_splits(self.max_variations[name])

    def task_ids(self, split: str) -> list[str]:
        """Every ``"<task-name>/<variation>"`` of ``split``, task by task."""
        if split not in self._ids:
            self._ids[split] = [f"{n}/{v}" for n in self.names for v in self.splits(n)[split]]
        return self._ids[split]

    def canonical_id(self, task_id: str) -> str:
        """``task_id`` with its task name canonicalised; ``ValueError`` for an unknown task or variation."""
        name, variation = parse_task_id(task_id)
        name = self.resolve(name)
        self.check_variation(name, variation)
        return f"{name}/{variation}"

    def check_variation(self, name: str, variation: Any) -> int:
        """``variation`` as an int after checking it exists for task ``name``."""
        if isinstance(variation, bool) or not isinstance(variation, (numbers.Integral, str)):
            raise ValueError(f"a variation is an integer index, not {variation!r}")  # noqa: TRY004 - as above
        try:
            index = int(variation)
        except ValueError:
            raise ValueError(f"a variation is an integer index, not {variation!r}") from None
        limit = self.max_variations[name]
        if not 0 <= index < limit:
            raise ValueError(f"task {name!r} has variations 0-{limit - 1}, not {index}")
        return index
