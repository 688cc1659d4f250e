from __future__ import annotations

import dataclasses
import json

import pytest

from arm_gym.envs.webshop import Goal, Product


def _goal(**kw) -> Goal:
    base = dict(
        goal_id="g1",
        asin="B000000001",
        product_type="shampoo",
        category="Beauty › Hair Care › Shampoo",
        attributes=["sulfate free"],
        options={"size": "8 fl oz (pack of 1)"},
        price_upper=30.0,
        instruction="i need a sulfate free shampoo",
    )
    base.update(kw)
    return Goal(**base)


def test_goal_round_trips_through_json():
    goal = _goal()
    again = Goal.from_dict(json.loads(json.dumps(goal.to_dict())))
    assert again == goal


def test_goal_from_dict_accepts_webshop_list_options_and_ignores_unknown_keys():
    record = {**_goal().to_dict(), "options": ["black", "large"], "extra": 1}
    goal = Goal.from_dict(record)
    assert goal.options == {"option_0": "black", "option_1": "large"}


def test_goal_from_dict_names_missing_fields():
    record = _goal().to_dict()
    del record["asin"]
    with pytest.raises(ValueError, match="asin"):
        Goal.from_dict(record)


def test_product_round_trip_and_price_text():
    p = Product(
        asin="B0X",
        title="T",
        category="C",
        product_type="t",
        attributes=["a"],
        options={"color": ["red", "blue"]},
        price=12.5,
        features=["f"],
        reviews=[{"title": "x"}],
    )
    assert Product.from_dict(json.loads(json.dumps(p.to_dict()))) == p
    assert p.price_text == "$12.5"  # as WebShop prints the float
    assert dataclasses.replace(p, price_range=[8.49, 12.0]).price_text == "$8.49 to $12.0"
