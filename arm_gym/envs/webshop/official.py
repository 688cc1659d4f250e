"""Loader for WebShop's own data files, for users who have them (they are not redistributable).

A folder with ``items_shuffle*.json`` (products), ``items_ins_v2*.json`` (attributes and synthetic
instructions) and optionally ``items_human_ins.json`` (human instructions) becomes a catalogue and
goal splits, parsed the way WebShop's ``load_products``/``get_goals`` do: option values lower
cased with ``/`` as `` | ``, prices from ``pricing`` (a range is shown as ``$lo to $hi`` and the price
drawn once per product from the seed), goals built in product order (human goals: each product's
``items_human_ins.json`` entries with attributes; synthetic goals with ``human_goals=False``: one per
combination of a product's option values, worded ``<instruction> with size: x, and color: y``), then
shuffled as the original does (``random.seed(233); random.shuffle(goals)``) and split test/dev/train =
500/1000/rest (a fifth each for small files), so ``test-00000..00499`` are the original's test goals.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import random
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.envs.webshop.catalogue import ProductList
from arm_gym.envs.webshop.goals import NO_PRICE_BOUND, GoalSet, price_bound
from arm_gym.envs.webshop.schema import Goal, Product

logger = logging.getLogger(__name__)

PRODUCTS_GLOB = "items_shuffle*.json"
ATTRIBUTES_GLOB = "items_ins_v2*.json"
HUMAN_FILE = "items_human_ins.json"


def _pick(folder: Path, pattern: str, preferred: str) -> Path | None:
    found = sorted(folder.glob(pattern))
    if not found:
        return None
    chosen = next((p for p in found if p.name == preferred), found[0])
    if len(found) > 1:
        logger.info("webshop data: using %s (also found %s)", chosen.name, [p.name for p in found if p != chosen])
    return chosen


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read WebShop file {path}: {exc}") from exc


def parse_pricing(pricing: Any) -> list[float]:
    """WebShop's price parsing: ``"$12.99"`` -> ``[12.99]``, ``"$10.00 - $20.00"`` -> ``[10.0, 20.0]``."""
    if isinstance(pricing, (int, float)):
        return [float(pricing)]
    if isinstance(pricing, list):
        pricing = " ".join(f"${p}" for p in pricing)
    if not pricing or not isinstance(pricing, str):
        return [100.0]
    out = []
    for part in pricing.split("$")[1:]:
        try:
            out.append(float(Decimal(re.sub(r"[^\d.]", "", part))))
        except InvalidOperation:
            continue
    return out[:2] or [100.0]


def _options(raw: Any) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return options
    for name, contents in raw.items():
        if not contents:
            continue
        values = [str(c.get("value", "") if isinstance(c, dict) else c).strip().replace("/", " | ").lower()
                  for c in contents]
        options[str(name).lower()] = [v for v in values if v]
    return options


def _product(raw: dict, attributes: dict, rng: np.random.Generator) -> Product | None:
    asin = str(raw.get("asin", ""))
    if not asin or asin == "nan" or len(asin) > 10:
        return None
    pricing = parse_pricing(raw.get("pricing"))
    price = float(rng.uniform(pricing[0], pricing[1])) if len(pricing) == 2 else pricing[0]
    bullets = raw.get("small_description") or []
    features = [str(b) for b in bullets] if isinstance(bullets, list) else [str(bullets)]
    reviews = [
        {"title": str(r.get("title", "")), "body": str(r.get("body", "")), "score": r.get("score", r.get("stars", ""))}
        for r in raw.get("reviews") or [] if isinstance(r, dict)
    ]
    rating = raw.get("average_rating")
    try:
        rating = float(rating) if rating not in (None, "", "N.A.") else None
    except (TypeError, ValueError):
        rating = None
    return Product(
        asin=asin, title=str(raw.get("name") or raw.get("Title") or ""),
        category=str(raw.get("product_category") or ""), product_type=str(raw.get("query") or "").lower().strip(),
        attributes=[str(a) for a in (attributes.get(asin) or {}).get("attributes", [])],
        options=_options(raw.get("customization_options")), price=round(price, 2),
        price_range=[pricing[0], pricing[1]] if len(pricing) == 2 else None,
        description=str(raw.get("full_description") or raw.get("Description") or ""), features=features,
        reviews=reviews, rating=rating, top_category=str(raw.get("category") or ""),
    )


class ListGoals(GoalSet):
    """Goals held in memory, split test/dev/train in order."""

    def __init__(self, goals: Sequence[Goal], n_test: int = 500, n_dev: int = 1000):
        n = len(goals)
        n_test = min(n_test, max(1, n // 5))
        n_dev = min(n_dev, max(1, n // 5))
        cut = {"test": (0, n_test), "dev": (n_test, n_test + n_dev), "train": (n_test + n_dev, n)}
        self._goals: dict[str, Goal] = {}
        self._ids: dict[str, list[str]] = {}
        for split, (lo, hi) in cut.items():
            self._ids[split] = []
            for k, goal in enumerate(goals[lo:hi]):
                goal.goal_id = f"{split}-{k:05d}"
                self._goals[goal.goal_id] = goal
                self._ids[split].append(goal.goal_id)

    def ids(self, split: str) -> Sequence[str]:
        return self._ids[split]

    def get(self, goal_id: str) -> Goal:
        return Goal.from_dict(self._goals[goal_id].to_dict())


def _goal(product: Product, instruction: str, attributes: list, options: Any, upper: float) -> Goal:
    text = instruction
    if upper < NO_PRICE_BOUND:
        text += f", and price lower than {upper:.2f} dollars"
    if isinstance(options, dict):
        opts = {str(k): str(v) for k, v in options.items()}
    else:
        opts = {f"option_{i}": str(v) for i, v in enumerate(options or [])}
    return Goal(goal_id="", asin=product.asin, product_type=product.product_type, category=product.category,
                attributes=[str(a) for a in attributes], options=opts, price_upper=upper, instruction=text,
                product_title=product.title, top_category=product.top_category, query=product.product_type)


def get_human_goals(products: Sequence[Product], human: dict, rng: np.random.Generator) -> list[Goal]:
    """WebShop's ``get_human_goals``: in product order, each instruction that names attributes."""
    goals = []
    for product in products:
        entries = human.get(product.asin)
        if not entries:
            continue
        for e in entries:
            if isinstance(e, dict) and e.get("instruction_attributes"):
                goals.append(_goal(product, str(e.get("instruction", "")).strip("."), e["instruction_attributes"],
                                   e.get("instruction_options") or {}, price_bound(product.price, rng)))
    return goals


def get_synthetic_goals(products: Sequence[Product], attributes: dict, rng: np.random.Generator) -> list[Goal]:
    """WebShop's ``get_synthetic_goals``: one goal per combination of a product's option values."""
    goals = []
    for product in products:
        entry = attributes.get(product.asin) or {}
        if not entry.get("instruction") or not entry.get("instruction_attributes"):
            continue
        upper = price_bound(product.price, rng)
        names = sorted(product.options)
        for combo in itertools.product(*(product.options[n] for n in names)):
            chosen = dict(zip(names, combo))
            text = ", and ".join(f"{k}: {v}" for k, v in chosen.items())
            goals.append(_goal(product, str(entry["instruction"]) + (f" with {text}" if text else ""),
                               entry["instruction_attributes"], chosen, upper))
    return goals


def shuffle_like_webshop(goals: list[Goal]) -> list[Goal]:
    """The original's order: ``random.seed(233); random.shuffle(goals)`` (on a private ``Random``, same sequence)."""
    goals = list(goals)
    random.Random(233).shuffle(goals)
    return goals


def load_official(data_path: str | Path, seed: int = 0, human_goals: bool = True) -> tuple[ProductList, ListGoals]:
    """Read WebShop's files from the folder ``data_path``; raises ``ValueError`` when they are missing or broken.

    ``human_goals`` (default, as WebShop's text env) uses ``items_human_ins.json`` when present, else the
    synthetic instructions of ``items_ins_v2*.json``; ``human_goals=False`` always uses the synthetic ones.
    """
    folder = Path(data_path).expanduser()
    if not folder.is_dir():
        raise ValueError(f"WebShop data folder {folder} does not exist")
    products_file = _pick(folder, PRODUCTS_GLOB, "items_shuffle.json")
    attrs_file = _pick(folder, ATTRIBUTES_GLOB, "items_ins_v2.json")
    if products_file is None:
        raise ValueError(f"no {PRODUCTS_GLOB} in {folder}")
    raw_products = _read_json(products_file)
    attributes = _read_json(attrs_file) if attrs_file else {}
    human_path = folder / HUMAN_FILE
    human = _read_json(human_path) if human_goals and human_path.exists() else None
    if not isinstance(raw_products, list) or not isinstance(attributes, dict):
        raise ValueError(f"{products_file.name} must hold a list and {ATTRIBUTES_GLOB} a dict")

    rng = np.random.default_rng([seed, 0x0FF1])
    products, seen = [], set()
    for raw in raw_products:
        p = _product(raw, attributes, rng) if isinstance(raw, dict) else None
        if p is not None and p.asin not in seen:
            seen.add(p.asin)
            products.append(p)
    stamp = "|".join(f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}"
                     for f in (products_file, attrs_file, human_path if human else None) if f is not None)
    catalogue = ProductList(products, fingerprint="webshop-" + hashlib.sha256(stamp.encode()).hexdigest()[:16])

    if isinstance(human, dict):
        goals = get_human_goals(products, human, rng)
    else:
        if human_goals and not human_path.exists():
            logger.info("webshop data: no %s in %s; using the synthetic goals", HUMAN_FILE, folder)
        goals = get_synthetic_goals(products, attributes, rng)
    if not goals:
        raise ValueError(f"no usable goals in {folder} (need {HUMAN_FILE} or instructions in {ATTRIBUTES_GLOB})")
    return catalogue, ListGoals(shuffle_like_webshop(goals))
