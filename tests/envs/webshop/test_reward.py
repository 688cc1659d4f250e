from __future__ import annotations

import dataclasses

import pytest

from arm_gym.envs.webshop import Goal, Product, score_purchase
from arm_gym.envs.webshop.reward import normalize_color, type_reward


def _product(**kw) -> Product:
    base = dict(
        asin="B0AAAAAAAA",
        title="Brand Pro Shampoo - Sulfate Free, Long Lasting",
        category="Beauty & Personal Care › Hair Care › Shampoo",
        product_type="shampoo",
        attributes=["sulfate free", "long lasting", "vegan"],
        options={"size": ["8 fl oz (pack of 1)", "16.9 fl oz (pack of 2)"], "scent": ["lavender", "rose"]},
        price=18.99,
        description="a gentle shampoo",
        features=["sulfate free formula"],
    )
    base.update(kw)
    return Product(**base)


def _goal(**kw) -> Goal:
    base = dict(
        goal_id="g",
        asin="B0AAAAAAAA",
        product_type="shampoo",
        category="Beauty & Personal Care › Hair Care › Shampoo",
        attributes=["sulfate free", "vegan"],
        options={"size": "8 fl oz (pack of 1)", "scent": "lavender"},
        price_upper=30.0,
        instruction="...",
    )
    base.update(kw)
    return Goal(**base)


GOOD = {"size": "8 fl oz (pack of 1)", "scent": "lavender"}


def test_exact_purchase_scores_one_with_all_sub_scores():
    s = score_purchase(_goal(), _product(), GOOD)
    assert s["reward"] == 1.0
    assert s["num_attr_matches"] == 2 and s["num_option_matches"] == 2 and s["r_price"] is True
    assert s["r_type"] == 1.0 and s["query_match"] and s["category_match"] and s["title_score"] == 1.0


def test_wrong_option_loses_one_share():
    s = score_purchase(_goal(), _product(), {**GOOD, "scent": "rose"})
    assert s["num_option_matches"] == 1
    assert s["reward"] == pytest.approx(4 / 5)


def test_missing_options_and_over_price_lose_their_shares():
    s = score_purchase(_goal(), _product(price=31.0), {})
    assert s["reward"] == pytest.approx(2 / 5)
    assert s["r_price"] is False and s["r_option"] == 0.0


def test_missing_attribute_loses_one_share_unless_text_mentions_it():
    product = _product(attributes=["sulfate free", "long lasting"])
    assert score_purchase(_goal(), product, GOOD)["reward"] == pytest.approx(4 / 5)
    mentioned = dataclasses.replace(product, description="a gentle vegan shampoo")
    assert score_purchase(_goal(), mentioned, GOOD)["reward"] == 1.0


def test_fuzzy_matching_tolerates_word_order_and_case():
    goal = _goal(attributes=["Free Sulfate"], options={"scent": "Lavender"})
    assert score_purchase(goal, _product(), {"scent": "lavender"})["reward"] == 1.0


def test_colour_normalisation_is_webshops_on_whole_words():
    assert normalize_color("Navy Blue") == normalize_color("light blue") == "blue"
    assert normalize_color("standard") == "standard"  # WebShop's substring rule would say "tan"
    goal = _goal(options={"color": "navy blue"})
    assert score_purchase(goal, _product(), {"color": "royal blue"})["num_option_matches"] == 1


@pytest.mark.parametrize(
    ("title", "ptype", "category", "expected"),
    [
        ("Acme Shampoo", "shampoo", "X › Y › Z", 1.0),  # type and title match
        ("Acme Shampoo Bar Set", "soap", "Other › Path", 1.0),  # title words alone (> 20 %)
        ("Acme Gadget", "gadget", "Other › Path", 0.0),  # no goal type word in the title
    ],
)
def test_type_factor(title, ptype, category, expected):
    assert type_reward(_goal(), _product(title=title, product_type=ptype, category=category))["r_type"] == expected


def test_type_factor_tenth_half_and_full():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo".split()  # 11 type words
    goal = _goal(product_type=" ".join(words), category="")

    def r_type(k: int) -> float:
        return type_reward(goal, _product(title=" ".join(words[:k]), product_type="zz", category="P › Q"))["r_type"]

    assert r_type(1) == 0.1  # 1/11 < 0.1
    assert r_type(2) == 0.5  # 2/11: no match of any kind
    assert r_type(3) == 1.0  # 3/11 > 0.2


def test_reward_is_scaled_by_the_type_factor():
    product = _product(title="Acme Conditioner", product_type="conditioner", category="Beauty › Other")
    s = score_purchase(_goal(), product, GOOD)
    assert s["r_type"] == 0.0 and s["reward"] == 0.0
