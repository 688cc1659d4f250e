"""Render report items into one self-contained HTML file (no network at view time).

The items travel as JSON inside the page and a small script renders one page of them at a time, so a report
of 10,000 trajectories opens without freezing the browser. Filters (task, outcome, disagreement) and the page
live in the URL's fragment (``report.html#outcome=lost&disagree=1&page=2``), so a filtered view can be linked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

PAGE_SIZE = 25


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>`` or HTML comment can close it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def intern_texts(items: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Copies of ``items`` whose observations (``o``, ``start``) are indices into one table of distinct texts:
    pages that many trajectories share (a WebShop results page) are stored once."""
    table: dict[str, int] = {}

    def ref(text: str) -> int:
        return table.setdefault(text, len(table))

    def steps(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "o": ref(row["o"])} for row in rows]

    out = []
    for item in items:
        item = dict(item)
        if "start" in item:
            item["start"] = ref(item["start"])
        if "steps" in item:
            item["steps"] = steps(item["steps"])
        for side in ("chosen", "rejected"):
            if side in item:
                item[side] = {**item[side], "steps": steps(item[side]["steps"])}
        out.append(item)
    return out, list(table)


def render_report(
    items: Sequence[dict[str, Any]],
    *,
    title: str = "arm_gym report",
    scatter: Sequence[dict[str, float]] | None = None,
    page_size: int = PAGE_SIZE,
) -> str:
    """The HTML text of a report of ``items`` (see :func:`arm_gym.report.build.build_items`); ``scatter``:
    ``{"return", "model", "baseline"}`` points for the score-vs-return plot of an eval-rm run."""
    import jinja2

    template = jinja2.Template(
        resources.files("arm_gym.report").joinpath("report.html.j2").read_text(encoding="utf-8"), autoescape=True
    )
    interned, texts = intern_texts(items)
    summary = {
        "count": len(items),
        "won": sum(1 for i in items if i.get("won")),
        "scored": any("score" in i or "disagree" in i for i in items),
        "kinds": sorted({i["kind"] for i in items}),
    }
    return template.render(
        title=title,
        summary=summary,
        data=_json_for_script({"items": interned, "texts": texts, "scatter": list(scatter or []), "pageSize": page_size}),
    )
