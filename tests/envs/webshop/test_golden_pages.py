"""Golden pages: the env's text observations against WebShop's own HTML templates, rendered once with
Jinja2 and converted by the original ``convert_html_to_text`` (simple and rich) on the same toy product.
The expected strings below are that rendering's output, string for string."""

from __future__ import annotations

import pytest

from arm_gym.envs.webshop import Goal, Product, WebShopEnv, pages
from arm_gym.envs.webshop.catalogue import ProductList
from arm_gym.envs.webshop.goals import GoalSet
from arm_gym.envs.webshop.pages import PageState
from arm_gym.envs.webshop.search import SearchIndex
from arm_gym.envs.webshop.world import World

INS = "i need running shoes in size 8.5, and price lower than 20.00 dollars"
HEAD = "Instruction: [SEP] " + INS + " [SEP] Back to Search"
TOY = Product(
    asin="B0TOY00001", title="Acme Trail Runner Shoe, Breathable", category="Clothing › Shoes",
    product_type="running shoes", attributes=["breathable", "rubber sole"],
    options={"color": ["black", "navy blue"], "size": ["7", "8.5"]}, price=10.25, price_range=[8.49, 12.0],
    description="A light shoe for trails.", features=["breathable mesh upper", "rubber sole"],
    reviews=[{"title": "great shoe", "score": 5, "body": "fits well"}, {"title": "ok", "score": "3", "body": ""}],
    rating=None, top_category="fashion",
)
OTHER = Product(asin="B0TOY00002", title="Other Shoe", category="x", product_type="y", attributes=[], options={},
                price=10.0, rating=4.5)

GOLDEN = {
    "search": "WebShop [SEP] Instruction: [SEP] " + INS + " [SEP] Search",
    "results_p1": HEAD + " [SEP] Page 1 (Total results: 2) [SEP] Next > [SEP] B0TOY00001 [SEP] Acme Trail Runner "
    "Shoe, Breathable [SEP] $8.49 to $12.0 [SEP] B0TOY00002 [SEP] Other Shoe [SEP] $10.0",
    "results_p2": HEAD + " [SEP] Page 2 (Total results: 12) [SEP] < Prev [SEP] Next > [SEP] B0TOY00001 [SEP] Acme "
    "Trail Runner Shoe, Breathable [SEP] $8.49 to $12.0",
    "results_empty": HEAD + " [SEP] Page 1 (Total results: 0) [SEP] Next >",
    "item": HEAD + " [SEP] < Prev [SEP] color [SEP] black [SEP] navy blue [SEP] size [SEP] 7 [SEP] 8.5 [SEP] Acme "
    "Trail Runner Shoe, Breathable [SEP] Price: $8.49 to $12.0 [SEP] Rating: N.A. [SEP] Description [SEP] Features "
    "[SEP] Reviews [SEP] Buy Now",
    "item_attrs": HEAD + " [SEP] < Prev [SEP] color [SEP] black [SEP] navy blue [SEP] size [SEP] 7 [SEP] 8.5 [SEP] "
    "Acme Trail Runner Shoe, Breathable [SEP] Price: $8.49 to $12.0 [SEP] Rating: N.A. [SEP] Description [SEP] "
    "Features [SEP] Reviews [SEP] Attributes [SEP] Buy Now",
    "item_noopts": HEAD + " [SEP] < Prev [SEP] Other Shoe [SEP] Price: $10.0 [SEP] Rating: 4.5 [SEP] Description "
    "[SEP] Features [SEP] Reviews [SEP] Buy Now",
    "Description": HEAD + " [SEP] < Prev [SEP] A light shoe for trails.",
    "Features": HEAD + " [SEP] < Prev [SEP] breathable mesh upper [SEP] rubber sole",
    "Reviews": HEAD + ' [SEP] < Prev [SEP] "great shoe" [SEP] 5 [SEP] fits well [SEP] "ok" [SEP] 3',
    "Attributes": HEAD + " [SEP] < Prev [SEP] breathable [SEP] rubber sole [SEP] fashion [SEP] running shoes [SEP] "
    "Clothing › Shoes",
    "done": 'Thank you for shopping with us! [SEP] Your code: [SEP] None [SEP] (Paste it in your MTurk interface.) '
    '[SEP] Purchased [SEP] asin [SEP] B0TOY00001 [SEP] options [SEP] {"color": "kid\\u0027s \\u003cnavy\\u003e", '
    '"size": "7"} [SEP] attrs [SEP] None [SEP] category [SEP] None [SEP] query [SEP] None [SEP] product category '
    '[SEP] None [SEP] Target [SEP] asin [SEP] options [SEP] attrs [SEP] price upper [SEP] instuction text [SEP] '
    'category [SEP] product category [SEP] query [SEP] Goal [SEP] None [SEP] Reward [SEP] Your score (min 0.0, '
    'max 1.0) [SEP] 0.75 [SEP] Reward Details [SEP] None',
    "rich_search": "WebShop\nInstruction: \n" + INS + "\n[button] Search [button_]\n",
    "rich_results": "Instruction:\n" + INS + "\n[button] Back to Search [button_]\nPage 2 (Total results: 12)\n"
    "[button] < Prev [button_]\n[button] Next > [button_]\n\n[button] B0TOY00001 [button_]\nAcme Trail Runner Shoe, "
    "Breathable\n$8.49 to $12.0\n\n[clicked button] B0TOY00002 [clicked button_]\nOther Shoe\n$10.0\n",
    "rich_item": "You have clicked 7.\nInstruction:\n" + INS + "\n[button] Back to Search [button_]\n[button] < Prev "
    "[button_]\ncolor\n  [button] black [button_]\n  [button] navy blue [button_]\nsize\n  [clicked button] 7 "
    "[clicked button_]\n  [button] 8.5 [button_]\nAcme Trail Runner Shoe, Breathable\nPrice: $8.49 to $12.0\n"
    "Rating: N.A.\n[button] Description [button_]\n[button] Features [button_]\n[button] Reviews [button_]\n"
    "[button] Buy Now [button_]\n",
}
CAT = ProductList([TOY, OTHER])


def _page(mode: str = "text", show_attrs: bool = False, **state) -> str:
    return pages.render(pages.elements(PageState(**state), CAT, INS, show_attrs), mode)


@pytest.mark.parametrize(
    ("name", "state", "show_attrs"),
    [
        ("search", {}, False),
        ("results_p1", {"kind": "results", "results": (0, 1)}, False),
        ("results_p2", {"kind": "results", "results": (1,) * 10 + (0, 1), "page": 2}, False),
        ("results_empty", {"kind": "results"}, False),
        ("item", {"kind": "item", "item": 0, "options": (("size", "7"),)}, False),
        ("item_attrs", {"kind": "item", "item": 0}, True),
        ("item_noopts", {"kind": "item", "item": 1}, False),
        ("Description", {"kind": "sub", "item": 0, "sub": "Description"}, False),
        ("Features", {"kind": "sub", "item": 0, "sub": "Features"}, False),
        ("Reviews", {"kind": "sub", "item": 0, "sub": "Reviews"}, False),
        ("Attributes", {"kind": "sub", "item": 0, "sub": "Attributes"}, False),
    ],
)
def test_text_pages_match_webshops_templates(name, state, show_attrs):
    if name == "results_p2":  # page 2 of 12 results shows the 11th: B0TOY00001
        state = {**state, "results": (1,) * 10 + (0, 1)}
        expected = GOLDEN[name]
        got = _page(**state)
        assert got.startswith(expected)  # (the 12th result follows)
        return
    assert _page(show_attrs=show_attrs, **state) == GOLDEN[name]


def test_rich_pages_match_webshops_templates():
    assert _page("text_rich") == GOLDEN["rich_search"]
    assert _page("text_rich", kind="results", results=(1,) * 10 + (0, 1), page=2, visited=frozenset({1})) == GOLDEN[
        "rich_results"]
    assert _page("text_rich", kind="item", item=0, options=(("size", "7"),)) == GOLDEN["rich_item"]


def test_done_page_shows_the_score_only_when_revealed():
    options = {"size": "7", "color": "kid's <navy>"}
    assert pages.render(pages.done_elements("B0TOY00001", options, 0.75)) == GOLDEN["done"]
    hidden = pages.render(pages.done_elements("B0TOY00001", options, None))
    assert GOLDEN["done"].startswith(hidden + " [SEP] Reward") and "score" not in hidden


GOAL = Goal(goal_id="toy", asin="B0TOY00001", product_type="running shoes", category="Clothing › Shoes",
            attributes=["breathable"], options={"size": "8.5"}, price_upper=20.0, instruction=INS)


class _Goals(GoalSet):
    def ids(self, split):
        return ["toy"]

    def get(self, goal_id):
        return GOAL


@pytest.fixture()
def toy_env():
    env = WebShopEnv(num_products=2000, catalogue_seed=7)
    env.world = World(CAT, SearchIndex(CAT, use_cache=False), _Goals())
    return env


def test_env_walk_gives_the_golden_pages(toy_env):
    obs, info = toy_env.reset(options={"goal": GOAL.to_dict()})
    assert obs == GOLDEN["search"] and info["invalid_action"] is None
    obs, *_ = toy_env.step("search[trail runner shoe]")
    assert obs.startswith(HEAD + " [SEP] Page 1 (Total results: ") and "B0TOY00001" in obs
    obs, *_ = toy_env.step("click[b0toy00001]")
    assert obs == GOLDEN["item"]  # the text mode does not mark chosen options
    obs, *_ = toy_env.step("click[7]")
    assert obs == GOLDEN["item"]
    for sub in ("Description", "Features", "Reviews"):
        assert toy_env.step(f"click[{sub}]")[0] == GOLDEN[sub]
        toy_env.step("click[< Prev]")
    obs, reward, *_, info = toy_env.step("click[Attributes]")  # hidden without show_attrs: a no-op
    assert obs == GOLDEN["item"] and reward == 0.0 and "Attributes" in info["invalid_action"]
    obs, reward, terminated, _, info = toy_env.step("click[Buy Now]")
    assert terminated and obs == GOLDEN["done"].split(" [SEP] Reward")[0].replace(
        '{"color": "kid\\u0027s \\u003cnavy\\u003e", "size": "7"}', '{"size": "7"}')
    assert info["purchase"]["scores"]["num_option_matches"] == 0 and reward == pytest.approx(2 / 3)
