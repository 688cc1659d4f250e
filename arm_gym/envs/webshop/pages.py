"""WebShop's four pages (search, results, item, item sub-page) as text.

A page is a list of elements: plain text, a button, or a clicked button. ``text`` mode joins them
with `` [SEP] `` exactly as WebShop's simple text observation does; ``text_rich`` puts one per line
and marks buttons ``[button] ... [button_]`` (``[clicked button] ... [clicked button_]`` for the
options already chosen and the products already visited), with WebShop's "You have clicked X." lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from arm_gym.envs.webshop.catalogue import Catalogue

RESULTS_PER_PAGE = 10
BACK_TO_SEARCH = "Back to Search"
PREV = "< Prev"
NEXT = "Next >"
BUY_NOW = "Buy Now"
SEARCH = "Search"
SUB_PAGES = ("Description", "Features", "Reviews", "Attributes")
OBSERVATION_MODES = ("text", "text_rich")

TEXT, BUTTON, CLICKED, VISITED = "text", "button", "clicked", "visited"


@dataclass(frozen=True)
class PageState:
    """Where the shopper is: ``kind`` is ``search``, ``results``, ``item`` or ``sub`` (an item's sub-page)."""

    kind: str = "search"
    query: str = ""
    results: tuple[int, ...] = ()
    page: int = 1
    item: int = -1
    sub: str = ""
    options: tuple[tuple[str, str], ...] = ()
    visited: frozenset[int] = field(default_factory=frozenset)

    def with_(self, **changes) -> PageState:
        """A copy with ``changes``."""
        return replace(self, **changes)

    @property
    def n_pages(self) -> int:
        return max(1, -(-len(self.results) // RESULTS_PER_PAGE))


def _header(instruction: str) -> list[tuple[str, str]]:
    return [(TEXT, "WebShop"), (TEXT, "Instruction:"), (TEXT, instruction)]


def elements(state: PageState, catalogue: Catalogue, instruction: str) -> list[tuple[str, str]]:
    """The page's elements in display order."""
    out = _header(instruction)
    if state.kind == "search":
        return out + [(BUTTON, SEARCH)]
    out.append((BUTTON, BACK_TO_SEARCH))
    if state.kind == "results":
        out.append((TEXT, f"Page {state.page} (Total results: {len(state.results)})"))
        if state.page > 1:
            out.append((BUTTON, PREV))
        if state.page < state.n_pages:
            out.append((BUTTON, NEXT))
        start = (state.page - 1) * RESULTS_PER_PAGE
        for i in state.results[start : start + RESULTS_PER_PAGE]:
            asin, title, price = catalogue.summary(i)
            out += [(VISITED if i in state.visited else BUTTON, asin), (TEXT, title), (TEXT, f"${price:.2f}")]
        return out
    product = catalogue.product(state.item)
    out.append((BUTTON, PREV))
    if state.kind == "item":
        chosen = dict(state.options)
        for group, values in product.options.items():
            if not values:
                continue
            out.append((TEXT, group))
            out += [(CLICKED if chosen.get(group) == v else BUTTON, v) for v in values]
        rating = "N.A." if product.rating is None else f"{product.rating:.1f}"
        out += [(TEXT, product.title), (TEXT, f"Price: ${product.price:.2f}"), (TEXT, f"Rating: {rating}")]
        out += [(BUTTON, name) for name in SUB_PAGES] + [(BUTTON, BUY_NOW)]
        return out
    if state.sub == "Description":
        out.append((TEXT, product.description or "No description."))
    elif state.sub == "Features":
        out += [(TEXT, f) for f in product.features] or [(TEXT, "No features listed.")]
    elif state.sub == "Reviews":
        for r in product.reviews:
            out += [(TEXT, str(r.get("title", ""))), (TEXT, f"{r.get('score', '')} stars"), (TEXT, str(r.get("body", "")))]
        if not product.reviews:
            out.append((TEXT, "No reviews yet."))
    else:
        out += [(TEXT, a) for a in product.attributes] or [(TEXT, "No attributes listed.")]
    return out


def render(elems: list[tuple[str, str]], mode: str = "text") -> str:
    """The observation string for ``elems`` in ``mode`` (``text`` or ``text_rich``)."""
    if mode == "text":
        return " [SEP] ".join(value for _, value in elems)
    lines, clicked = [], []
    for kind, value in elems:
        if kind == BUTTON:
            lines.append(f"[button] {value} [button_]")
        elif kind in (CLICKED, VISITED):
            lines.append(f"[clicked button] {value} [clicked button_]")
            if kind == CLICKED:
                clicked.append(value)
        else:
            lines.append(value)
    return "".join(f"You have clicked {v}.\n" for v in clicked) + "\n".join(lines)


def clickables(elems: list[tuple[str, str]]) -> list[str]:
    """Every clickable label on the page, in display order (``Search`` excluded: it needs ``search[...]``)."""
    return [value for kind, value in elems if kind in (BUTTON, CLICKED, VISITED) and value != SEARCH]
