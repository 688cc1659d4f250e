"""The two records everything else passes around: :class:`Product` and :class:`Goal`.

Both are plain dataclasses with ``to_dict``/``from_dict`` so they travel through JSON (trajectory
``meta``, triplet files) unchanged. A goal is WebShop's structured instruction: the product type,
the attributes and option values asked for, and the price bound; the synthesizer builds new intents
and negatives from these fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Product:
    """One catalogue item as the item page shows it.

    ``options`` maps an option group ("color", "size") to the values a shopper can click;
    ``reviews`` are ``{"title", "body", "score"}`` dicts; ``category`` is a WebShop-style path
    ("Beauty & Personal Care › Hair Care › Shampoo").
    """

    asin: str
    title: str
    category: str
    product_type: str
    attributes: list[str]
    options: dict[str, list[str]]
    price: float
    description: str = ""
    features: list[str] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    rating: float | None = None
    brand: str = ""
    top_category: str = ""
    price_range: list[float] | None = None
    """``[low, high]`` when the price varies (WebShop shows ``$8.49 to $12.0``); ``price`` is what a purchase costs."""
    title_nouns: list[str] | None = None
    """The title's nouns for the type factor, where known (the generator records them); else tagged on demand."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Product:
        """Build from :meth:`to_dict` output (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in known})

    @property
    def price_text(self) -> str:
        """The price as WebShop's pages show it: ``"$12.99"``, ``"$10.0"`` or a range ``"$8.49 to $12.0"``."""
        if self.price_range and len(self.price_range) >= 2:
            return f"${float(self.price_range[0])} to ${float(self.price_range[1])}"
        return f"${float(self.price)}"


@dataclass
class Goal:
    """A shopping goal: what to buy, with which attributes and options, under which price.

    ``attributes`` are phrases the bought item should have ("sulfate free"); ``options`` maps an
    option group to the wanted value ({"color": "black", "size": "large"}); ``price_upper`` is the
    bound from WebShop's $10 ladder (``1e6`` when there is none). ``product_title`` is the target's
    title where known (the type factor compares its nouns, ``title_nouns`` when recorded, with the bought title's).
    """

    goal_id: str
    asin: str
    product_type: str
    category: str
    attributes: list[str]
    options: dict[str, str]
    price_upper: float
    instruction: str
    product_title: str = ""
    top_category: str = ""
    query: str = ""
    title_nouns: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Goal:
        """Build from :meth:`to_dict` output; raises ``ValueError`` when a required field is missing."""
        if isinstance(record, Goal):
            return record
        known = {f.name for f in fields(cls)}
        required = ("goal_id", "asin", "product_type", "attributes", "options", "price_upper", "instruction")
        missing = [name for name in required if name not in record]
        if missing:
            raise ValueError(f"goal record lacks {missing}")
        data = {k: v for k, v in record.items() if k in known}
        data.setdefault("category", "")
        data["attributes"] = [str(a) for a in data["attributes"]]
        opts = data["options"]
        if isinstance(opts, (list, tuple)):  # WebShop's instruction_options may be a plain list
            opts = {f"option_{i}": v for i, v in enumerate(opts)}
        data["options"] = {str(k): str(v) for k, v in dict(opts).items()}
        data["price_upper"] = float(data["price_upper"])
        if data.get("title_nouns") is not None:
            data["title_nouns"] = [str(w) for w in data["title_nouns"]]
        return cls(**data)
