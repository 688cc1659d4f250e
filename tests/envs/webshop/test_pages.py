from __future__ import annotations

from arm_gym.envs.webshop import Product
from arm_gym.envs.webshop.catalogue import ProductList
from arm_gym.envs.webshop.pages import PageState, clickables, elements, render


def _catalogue(n: int = 23) -> ProductList:
    return ProductList(
        [
            Product(
                asin=f"B0{i:08d}",
                title=f"Thing {i}",
                category="",
                product_type="thing",
                attributes=["soft"],
                options={"color": ["red", "blue"], "size": ["small"]},
                price=1.5 + i,
                description="nice",
                features=["f1", "f2"],
                reviews=[{"title": "ok", "body": "fine", "score": 4}],
                rating=None,
            )
            for i in range(n)
        ]
    )


def test_search_page_in_both_modes():
    elems = elements(PageState(), _catalogue(), "buy a thing")
    assert render(elems) == "WebShop [SEP] Instruction: [SEP] buy a thing [SEP] Search"
    assert render(elems, "text_rich") == "WebShop\nInstruction: \nbuy a thing\n[button] Search [button_]\n"
    assert clickables(elems) == []


def test_results_pages_hold_ten_with_paging_buttons():
    cat = _catalogue()
    state = PageState(kind="results", query="thing", results=tuple(range(23)), page=1)
    text = render(elements(state, cat, "i"))
    assert text.startswith("Instruction: [SEP] i [SEP] Back to Search")  # "WebShop" heads the search page only
    assert "Page 1 (Total results: 23) [SEP] Next > [SEP] B000000000 [SEP] Thing 0 [SEP] $1.5" in text
    assert clickables(elements(state, cat, "i")) == ["Back to Search", "Next >"] + [f"B0{i:08d}" for i in range(10)]
    middle = clickables(elements(state.with_(page=2), cat, "i"))
    assert middle[:3] == ["Back to Search", "< Prev", "Next >"] and len(middle) == 13
    last = clickables(elements(state.with_(page=3), cat, "i"))
    assert last == ["Back to Search", "< Prev", "Next >", "B000000020", "B000000021", "B000000022"]  # as WebShop
    assert clickables(elements(state.with_(page=4), cat, "i")) == ["Back to Search", "< Prev", "Next >"]


def test_visited_products_show_as_clicked_in_text_rich():
    state = PageState(kind="results", results=(0, 1), visited=frozenset({1}))
    rich = render(elements(state, _catalogue(), "i"), "text_rich")
    assert "[clicked button] B000000001 [clicked button_]" in rich and "[button] B000000000 [button_]" in rich
    assert "You have clicked" not in rich


def test_item_page_lists_options_and_marks_the_chosen_one():
    state = PageState(kind="item", results=(0,), item=3, options=(("color", "blue"),))
    elems = elements(state, _catalogue(), "i")
    assert render(elems).endswith(
        "Back to Search [SEP] < Prev [SEP] color [SEP] red [SEP] blue [SEP] size [SEP] small [SEP] Thing 3 "
        "[SEP] Price: $4.5 [SEP] Rating: N.A. [SEP] Description [SEP] Features [SEP] Reviews [SEP] Buy Now"
    )
    assert "Attributes [SEP] Buy Now" in render(elements(state, _catalogue(), "i", show_attrs=True))
    rich = render(elems, "text_rich")
    assert rich.startswith("You have clicked blue.\n") and "[clicked button] blue [clicked button_]" in rich
    assert clickables(elems) == [
        "Back to Search",
        "< Prev",
        "red",
        "blue",
        "small",
        "Description",
        "Features",
        "Reviews",
        "Buy Now",
    ]


def test_sub_pages():
    cat = _catalogue()
    for sub, expected in [
        ("Description", "nice"),
        ("Features", "f1 [SEP] f2"),
        ("Reviews", '"ok" [SEP] 4 [SEP] fine'),
        ("Attributes", "soft [SEP] thing"),
    ]:
        elems = elements(PageState(kind="sub", item=0, sub=sub), cat, "i")
        assert render(elems).endswith(f"Back to Search [SEP] < Prev [SEP] {expected}")
        assert clickables(elems) == ["Back to Search", "< Prev"]
