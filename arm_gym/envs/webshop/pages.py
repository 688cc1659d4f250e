"""WebShop's pages (search, results, item, item sub-page, done) as the original text env shows them.

A page is a list of elements: plain text, a button, an option value or a product link. ``text`` mode
joins their stripped strings with `` [SEP] ``, exactly as WebShop's ``convert_html_to_text(simple=True)``
turns its HTML templates into text: the ``WebShop`` heading is on the search page only, results pages
always show ``Next >`` (``< Prev`` from page 2), prices keep the original's form (``$10.0``,
``$8.49 to $12.0``), reviews are ``"title" [SEP] score [SEP] body``, the ``Attributes`` button only
appears with ``show_attrs``. ``text_rich`` follows ``convert_html_to_text(simple=False)``: one element a
line, ``[button] ... [button_]`` markers, ``[clicked button]`` for chosen options and visited products,
and "You have clicked X." lines first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from arm_gym.envs.webshop.catalogue import Catalogue
from arm_gym.envs.webshop.schema import Product

RESULTS_PER_PAGE = 10
BACK_TO_SEARCH = "Back to Search"
PREV = "< Prev"
NEXT = "Next >"
BUY_NOW = "Buy Now"
SEARCH = "Search"
SUB_PAGES = ("Description", "Features", "Reviews", "Attributes")
OBSERVATION_MODES = ("text", "text_rich")
SCORE_LINE = "Your score (min 0.0, max 1.0)"

TEXT, BUTTON, OPTION, CLICKED, LINK, VISITED = "text", "button", "option", "clicked", "link", "visited"
"""Element kinds: ``CLICKED`` is a chosen option value, ``VISITED`` a product link already opened."""
_CLICKABLE = frozenset({BUTTON, OPTION, CLICKED, LINK, VISITED})


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


def _instruction(instruction: str) -> list[tuple[str, str]]:
    return [(TEXT, "Instruction:"), (TEXT, instruction)]


def _rating(product: Product) -> str:
    return "N.A." if product.rating is None else str(product.rating)


def item_elements(product: Product, chosen: dict[str, str], show_attrs: bool = False) -> list[tuple[str, str]]:
    """The body of an item page (after ``< Prev``): option groups, title, price, rating, buttons."""
    out: list[tuple[str, str]] = []
    for group, values in product.options.items():
        out.append((TEXT, group))
        out += [(CLICKED if chosen.get(group) == v else OPTION, v) for v in values]
    out += [(TEXT, product.title), (TEXT, f"Price: {product.price_text}"), (TEXT, f"Rating: {_rating(product)}")]
    out += [(BUTTON, name) for name in SUB_PAGES if show_attrs or name != "Attributes"]
    return out + [(BUTTON, BUY_NOW)]


def sub_page_elements(product: Product, sub: str) -> list[tuple[str, str]]:
    """The body of a Description / Features / Reviews / Attributes page."""
    if sub == "Description":
        return [(TEXT, product.description)]
    if sub == "Features":
        return [(TEXT, f) for f in product.features]
    if sub == "Reviews":
        out = []
        for r in product.reviews:
            out += [(TEXT, f'"{r.get("title", "")}"'), (TEXT, str(r.get("score", ""))), (TEXT, str(r.get("body", "")))]
        return out
    return [(TEXT, a) for a in product.attributes] + [
        (TEXT, product.top_category), (TEXT, product.product_type), (TEXT, product.category)]


def elements(state: PageState, catalogue: Catalogue, instruction: str, show_attrs: bool = False) -> list[tuple[str, str]]:
    """The page's elements in display order."""
    if state.kind == "search":
        return [(TEXT, "WebShop"), (TEXT, "Instruction: "), (TEXT, instruction), (BUTTON, SEARCH)]
    out = [*_instruction(instruction), (BUTTON, BACK_TO_SEARCH)]
    if state.kind == "results":
        out.append((TEXT, f"Page {state.page} (Total results: {len(state.results)})"))
        if state.page > 1:
            out.append((BUTTON, PREV))
        out.append((BUTTON, NEXT))
        start = (state.page - 1) * RESULTS_PER_PAGE
        for i in state.results[start : start + RESULTS_PER_PAGE]:
            asin, title, price = catalogue.summary(i)
            out += [(VISITED if i in state.visited else LINK, asin), (TEXT, title), (TEXT, price)]
        return out
    product = catalogue.product(state.item)
    out.append((BUTTON, PREV))
    if state.kind == "item":
        return out + item_elements(product, dict(state.options), show_attrs)
    return out + sub_page_elements(product, state.sub)


def _tojson(value: Any) -> str:
    """Jinja's ``tojson`` (sorted keys, HTML-safe escapes), as the done page prints the options."""
    text = json.dumps(value, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def done_elements(asin: str, options: dict[str, str], reward: float | None) -> list[tuple[str, str]]:
    """WebShop's confirmation page; the score lines only when ``reward`` is given (``reveal_outcome``)."""
    out = [(TEXT, t) for t in ("Thank you for shopping with us!", "Your code:", "None",
                               "(Paste it in your MTurk interface.)", "Purchased", "asin", asin, "options",
                               _tojson(options), "attrs", "None", "category", "None", "query", "None",
                               "product category", "None", "Target", "asin", "options", "attrs", "price upper",
                               "instuction text", "category", "product category", "query", "Goal", "None")]
    if reward is not None:
        out += [(TEXT, t) for t in ("Reward", SCORE_LINE, str(float(reward)), "Reward Details", "None")]
    return out


def render(elems: list[tuple[str, str]], mode: str = "text") -> str:
    """The observation string for ``elems`` in ``mode`` (``text`` or ``text_rich``)."""
    if mode == "text":
        return " [SEP] ".join(s for s in (value.strip() for _, value in elems) if s)
    lines, clicked = [], []
    for kind, value in elems:
        if not value.strip():
            continue
        if kind == BUTTON:
            lines.append(f"[button] {value} [button_]")
        elif kind == OPTION:
            lines.append(f"  [button] {value} [button_]")
        elif kind == CLICKED:
            lines.append(f"  [clicked button] {value} [clicked button_]")
            clicked.append(value)
        elif kind == LINK:
            lines.append(f"\n[button] {value} [button_]")
        elif kind == VISITED:
            lines.append(f"\n[clicked button] {value} [clicked button_]")
        else:
            lines.append(value)
    return "".join(f"You have clicked {v}.\n" for v in reversed(clicked)) + "".join(line + "\n" for line in lines)


def clickables(elems: list[tuple[str, str]]) -> list[str]:
    """Every clickable label on the page, in display order (``Search`` excluded: it needs ``search[...]``)."""
    return [value for kind, value in elems if kind in _CLICKABLE and value != SEARCH]
