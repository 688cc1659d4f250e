from __future__ import annotations

import pytest

from arm_gym.envs.webshop import Product
from arm_gym.envs.webshop.catalogue import ProductList


def _products() -> list[Product]:
    return [
        Product(
            asin=f"B00000000{i}",
            title=f"Item {i}",
            category="A › B",
            product_type="item",
            attributes=[],
            options={},
            price=float(i),
            description=f"desc {i}",
            features=[f"feat {i}"],
        )
        for i in range(3)
    ]


def test_product_list_lookup_by_asin_and_position():
    cat = ProductList(_products())
    assert len(cat) == 3
    assert cat["B000000001"].title == "Item 1"
    assert cat["b000000002"].title == "Item 2"  # ASINs are case-insensitive, as WebShop lower-cases clicks
    assert cat.index("B000000000") == 0 and cat.asin(2) == "B000000002"
    assert "B000000001" in cat and "nope" not in cat and 5 not in cat
    assert cat.get("missing") is None
    with pytest.raises(KeyError):
        cat["missing"]
    assert [p.asin for p in cat] == [p.asin for p in _products()]


def test_search_text_and_summary():
    cat = ProductList(_products())
    assert cat.search_text(1) == "Item 1 desc 1 feat 1"
    assert cat.summary(2) == ("B000000002", "Item 2", "$2.0")  # the price as WebShop shows it


def test_fingerprint_follows_content():
    a, b = ProductList(_products()), ProductList(_products())
    changed = _products()
    changed[0].title = "other"
    assert a.fingerprint == b.fingerprint != ProductList(changed).fingerprint
