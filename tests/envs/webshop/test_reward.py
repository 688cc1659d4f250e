"""WebShop's reward: the cases of the original ``tests/web-agent-site/engine/test_goal.py``, transcribed to
arm_gym's records, plus size, colour and text-fallback cases."""

from __future__ import annotations

import dataclasses
from math import isclose

import pytest

from arm_gym.envs.webshop import Goal, Product, score_purchase
from arm_gym.envs.webshop.nouns import spacy_available
from arm_gym.envs.webshop.reward import (
    attribute_reward,
    normalize_color,
    option_matches,
    option_reward,
    type_reward,
)

SPACY = spacy_available()


def _product(**kw) -> Product:
    base = dict(asin="B0AAAAAAAA", title="", category="a › b › c", product_type="query 1", attributes=[],
                options={}, price=35.0, description="", features=[])
    base.update(kw)
    return Product(**base)


def _goal(**kw) -> Goal:
    base = dict(goal_id="g", asin="B0AAAAAAAA", product_type="query 1", category="a › b › c", attributes=[],
                options={}, price_upper=40.0, instruction="...", query="query 1")
    base.update(kw)
    return Goal(**base)


# ---------------------------------------------------------------------------- get_type_reward
def test_type_reward_exact_match_query_and_category_cases():
    goal = _goal(query="Query 1", category="a › b › c", product_title="Name 1")
    bought = _product(product_type="Query 1", category="a › b › c", title="Name 1")
    r = type_reward(goal, bought)
    assert r == {"r_type": 1.0, "query_match": True, "category_match": True, "title_score": 1.0}
    assert not type_reward(goal, dataclasses.replace(bought, product_type="Query 2"))["query_match"]
    for path, match in [("b › c › a", True), ("d › e › f", False), ("a › d › b", True), ("a › a › b", True),
                        ("a › a › d", False)]:
        assert type_reward(goal, dataclasses.replace(bought, category=path))["category_match"] is match, path


TITLES = [  # (goal name, bought name, WebShop's title_score with spaCy, fallback's, shared r_type rung)
    ("adidas Unisex-Adult D.o.n. Issue 2 Basketball Shoe", "adidas Unisex-Adult D.o.n. Issue 2 Indoor Court Shoe",
     0.85, 6 / 7),
    (("Saireed UL Listed 2 Prong Power Cord for JBL Bar 3.1 Bar 2.1 Channel 4K Ultra HD Soundbar Home Theater System "
      "Subwoofer"), ("BRST AC Power Cord Outlet Socket Cable Plug Lead for Panasonic SC-HT830V DVD/VCR Combo Home "
                     "Theater System"), 0.31, 5 / 17),
    ("Saireed UL Listed 2 Prong Power Cord for JBL Bar 3.1 Bar 2.1 Channel 4K Ultra HD Soundbar",
     "BRST AC Power Cord Outlet Socket Cable Plug Lead for Panasonic SC-HT830V DVD/VCR Combo Home Theater System",
     0.17, 2 / 13),
]


@pytest.mark.parametrize(("name", "bought", "webshop", "fallback"), TITLES)
def test_type_reward_title_scores(name, bought, webshop, fallback):
    goal = _goal(product_title=name, query="q1", category="x › y")
    r = type_reward(goal, _product(title=bought, product_type="q2", category="z"))
    assert isclose(r["title_score"], webshop if SPACY else fallback, abs_tol=1e-2)
    # spaCy's and the fallback's scores fall on the same rung of the ladder
    expected = 1.0 if webshop > 0.2 else 0.5 if webshop >= 0.1 else 0.1
    assert r["r_type"] == expected


def test_type_reward_completely_different_names():
    goal = _goal(product_title="Rusticware 921ORB Kitchen and Bath Cabinet Knob")
    bought = _product(title="Minkissy 2pcs Stainless Steel Eyebrow Tweezers Blackhead Acne Remover Portable Makeup "
                            "Tweezers (Silver)")
    assert type_reward(goal, bought)["title_score"] < 0.05


def test_type_reward_ladder_and_recorded_nouns():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo".split()  # 11 nouns
    goal = _goal(title_nouns=words, query="q", category="P")

    def r_type(k: int) -> float:
        return type_reward(goal, _product(title_nouns=words[:k], product_type="zz", category="Q"))["r_type"]

    assert r_type(0) == 0.0 and r_type(1) == 0.1 and r_type(2) == 0.5 and r_type(3) == 1.0
    assert type_reward(_goal(title_nouns=[]), _product(title_nouns=[]))["title_score"] == 0.2


# ---------------------------------------------------------------------------- get_attribute_reward
GOAL_ATTRS = ["tea tree", "essential oils", "natural ingredients"]


def test_attribute_reward_cases():
    goal = _goal(attributes=GOAL_ATTRS)
    assert attribute_reward(goal, _product(attributes=["tea tree", "essential oil", "natural ingredients"])) == (1.0, 3)
    assert attribute_reward(goal, _product(attributes=["essential oil", "natural ingredients"])) == (2 / 3, 2)
    in_text = _product(features=["This shampoo has essential oils and smells like lemons"],
                       description="Best shampoo on the market, made with natural ingredients")
    assert attribute_reward(goal, in_text) == (2 / 3, 2)
    none = _product(attributes=["tea bag", "earl gray", "lipton"], title="English tea for breakfast",
                    features=["Soothing aroma", "Calming, great feeling"],
                    description="Best tea made by Lipton, great to pair with breakfast")
    assert attribute_reward(goal, none) == (0.0, 0)


# ---------------------------------------------------------------------------- get_option_reward
@pytest.mark.parametrize(
    ("goal", "bought", "matches"),
    [
        (["grey", "XL", "pack of 12"], {"amount": "pack of 12", "color": "grey", "fit": "XL"}, 3),  # exact
        (["grey", "XL", "pack of 12"], {"amount": "pack of 12", "color": "blue", "fit": "XL"}, 2),  # partial
        (["cool powder snow", "XL", "pack of 12"], {"amount": "pack of 12", "color": "powder snow", "fit": "XL"}, 3),
    ],
)
def test_option_reward_cases(goal, bought, matches):
    r_option, n = option_reward(goal, bought, _product())
    assert n == matches and r_option == matches / len(goal)


def test_option_reward_empty_sides():
    assert option_reward([], {"a": "goal 1", "b": "goal 2"}, _product()) == (None, 0)
    assert option_reward(["goal 1", "goal 2"], {}, _product()) == (0.0, 0)


def test_size_must_match_exactly():
    goal = ["x-large"]
    assert option_reward(goal, {"size": "x-large"}) == (1.0, 1)
    for wrong in ("large", "x-small", "xx-large"):
        assert option_reward(goal, {"size": wrong}) == (0.0, 0), wrong
    assert option_reward(["32 ounce (pack of 1)"], {"size": "12 ounce (pack of 1)"})[1] == 0
    assert option_reward(["36 inch"], {"size": "63 inch"})[1] == 0
    assert option_reward(["36 inch"], {"length": "63 inch"})[1] == 1  # other groups stay fuzzy, as in WebShop


def test_colour_normalisation_is_webshops_substring_rule():
    assert normalize_color("navy blue") == "blue" and normalize_color("light blue") == "blue"
    assert normalize_color("black forest") == "black" and normalize_color("violet lavender") == "lavender"
    assert normalize_color("123alabaster") == "alabaster" and normalize_color("webshop") == "webshop"
    assert normalize_color("standard") == "tan" and normalize_color("Navy") == "Navy"  # case-sensitive substring
    assert option_reward(["navy blue"], {"color": "royal blue"})[1] == 1


def test_option_text_fallback_counts_purchased_values_found_in_the_text():
    product = _product(title="Trail Shoe in Black", features=["breathable mesh"], description="")
    assert option_reward(["white"], {"color": "black"}, product) == (1.0, 1)  # "black" is in the title
    assert option_reward(["white"], {"color": "black"}) == (0.0, 0)  # no product, no fallback
    assert option_reward(["9"], {"size": "mesh"}, product)[1] == 1  # even sizes, through the text
    # the count runs over purchased options, so it can exceed the goal's (as in the original)
    assert option_reward(["black"], {"color": "black", "style": "breathable mesh"}, product)[1] == 2


def test_option_matches_is_the_goal_side_view():
    goal = _goal(options={"color": "navy blue", "size": "7"})
    assert option_matches(goal, {"color": "royal blue", "size": "7"}) == [True, True]
    assert option_matches(goal, {"color": "royal blue", "size": "7.5"}) == [True, False]
    assert option_matches(goal, {"color": "red", "size": "7"}) == [False, True]


# ---------------------------------------------------------------------------- get_reward
def test_get_reward_cases():
    name = "Mens D.O.N. Issue 2 Gca Basketball Sneakers Shoes Casual - Off White"
    goal = _goal(query="Query 1", category="a › b › c", product_title=name, attributes=GOAL_ATTRS,
                 options={"color": "grey", "size": "XL"}, price_upper=40.0)
    bought = _product(product_type="Query 1", category="a › b › c", title=name,
                      attributes=["tea tree", "essential oil", "natural ingredients"])
    chosen = {"color": "grey", "size": "XL"}
    assert score_purchase(goal, bought, chosen, price=35)["reward"] == 1.0

    # attributes only in the text (the original passes bullet points as one string: ' '.join spreads its letters)
    bought = dataclasses.replace(bought, attributes=[], features=list("This shampoo has essential oils"),
                                 description="Best shampoo on the market, made with natural ingredients")
    assert isclose(score_purchase(goal, bought, chosen, price=35)["reward"], 2 / 3, abs_tol=1e-2)

    goal = dataclasses.replace(goal, options={"color": "grey", "size": "XL", "amount": "pack of 12"})
    assert isclose(score_purchase(goal, bought, chosen, price=35)["reward"], 0.5714, abs_tol=1e-2)

    goal = dataclasses.replace(goal, product_title=TITLES[2][0])
    bought = dataclasses.replace(bought, title=TITLES[2][1], product_type="Query 2",
                                 category="a › d › e")
    s = score_purchase(goal, bought, chosen, price=35)
    assert s["r_type"] == 0.5 and isclose(s["reward"], 0.2857, abs_tol=1e-2)


def test_price_share_and_no_bound():
    goal = _goal(attributes=["tea tree"], price_upper=30.0, title_nouns=[])
    bought = _product(attributes=["tea tree"], title_nouns=[], product_type="query 1")
    assert score_purchase(goal, bought, {}, price=29.99)["reward"] == 1.0
    over = score_purchase(goal, bought, {}, price=31.0)
    assert over["r_price"] is False and over["reward"] == 0.5
    for unbounded in (1_000_000.0, 0.0):
        s = score_purchase(dataclasses.replace(goal, price_upper=unbounded), bought, {}, price=5e5)
        assert s["r_price"] is None and s["reward"] == 1.0


def test_reward_is_scaled_by_the_type_factor():
    goal = _goal(product_title="Acme Shampoo", attributes=["vegan"], category="Beauty › Hair › Shampoo")
    bought = _product(title="Acme Conditioner", product_type="conditioner", category="Other › Path",
                      attributes=["vegan"])
    s = score_purchase(goal, bought, {})
    assert s["r_type"] == 1.0 and s["title_score"] == 0.5  # "acme" shared: 1 of 2 nouns
    s = score_purchase(goal, dataclasses.replace(bought, title="Zeta Conditioner"), {})
    assert s["r_type"] == 0.0 and s["reward"] == 0.0
