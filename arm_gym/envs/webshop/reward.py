"""WebShop's purchase reward, with rapidfuzz instead of spaCy.

``r = r_type * (attribute matches + option matches + [price <= bound]) / (n_attributes + n_options + 1)``

* an attribute matches when ``fuzz.token_set_ratio`` with one of the product's attributes is above
  85, or when it appears verbatim in the title, features or description (as in WebShop);
* an option matches when a chosen option value scores above 85 against it, after WebShop's colour
  normalisation ("navy blue" -> "blue"; here on whole words, so "standard" is not "tan");
* ``r_type`` is 1 when the product type, the category path (two shared levels) or the title
  (more than 20 % of the goal's type words) matches, 0.5 when none does, 0.1 when fewer than 10 %
  of the type words are in the title and 0 when none is. WebShop keeps the nouns of the titles
  with spaCy; here the type words are the goal's title (official data) or product type without
  stop words.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from arm_gym.envs.webshop.schema import Goal, Product
from arm_gym.envs.webshop.vocab import normalize_words

MATCH_THRESHOLD = 85

COLOR_SET: tuple[str, ...] = tuple(
    "alabaster apricot aqua ash asphalt azure banana beige black blue blush bordeaux bronze brown burgundy "
    "camel camo caramel champagne charcoal cheetah chestnut chocolate christmas coffee cognac copper coral "
    "cranberry cream crystal dark denim eggplant elephant espresso fuchsia gold granite grape graphite grass "
    "gray green grey heather indigo ivory ivy khaki lavender lemon leopard light lilac lime magenta maroon "
    "mauve merlot midnight mint mocha multicolor mushroom mustard natural navy nude olive orange peach pewter "
    "pink plum purple rain red rose royal rust sand sapphire silver sky slate smoke snow spice steel stone "
    "tan taupe teal tiffany titanium turquoise vanilla violet walnut wheat white wine yellow".split()
)
"""WebShop's colour words, in its order (the first one found in a value is the normalised colour)."""

_STOP = frozenset(
    "a an the and or of for with in on to by from at as is it this that your my our set pack count "
    "inch inches ft oz ounce new x".split()
)


def similar(a: str, b: str) -> bool:
    """fuzzywuzzy's ``token_set_ratio`` with its default processing (lower case, punctuation out) > 85."""
    return fuzz.token_set_ratio(a, b, processor=default_process) > MATCH_THRESHOLD


def normalize_color(value: str) -> str:
    """WebShop's colour normalisation on whole words: the first :data:`COLOR_SET` word in ``value``."""
    words = set(re.findall(r"[a-z]+", value.lower()))
    for color in COLOR_SET:
        if color in words:
            return color
    return value.lower()


def type_words(text: str) -> list[str]:
    """Content words of a product type or title (no stop words, no numbers, plurals folded)."""
    return [w for w in normalize_words(text) if w not in _STOP and not w[0].isdigit()]


def type_reward(goal: Goal, product: Product) -> dict[str, Any]:
    """WebShop's product-type factor: ``r_type`` with ``query_match``, ``category_match`` and ``title_score``."""
    goal_cats = {c.strip().lower() for c in goal.category.split("›") if c.strip()}
    prod_cats = {c.strip().lower() for c in product.category.split("›") if c.strip()}
    category_match = len(goal_cats & prod_cats) >= 2
    query_match = bool(goal.product_type) and goal.product_type.strip().lower() == product.product_type.strip().lower()
    desired = set(type_words(goal.product_title or goal.product_type))
    bought = set(type_words(product.title)) | set(type_words(product.product_type))
    title_score = 0.2 if not desired else len(desired & bought) / len(desired)
    r_type = 1.0
    if not (query_match or category_match or title_score > 0.2):
        r_type = 0.5
    if title_score < 0.1:
        r_type = 0.1
    if title_score == 0.0:
        r_type = 0.0
    return {"r_type": r_type, "query_match": query_match, "category_match": category_match, "title_score": title_score}


def attribute_matches(goal: Goal, product: Product) -> list[bool]:
    """For each goal attribute, whether the product has it (fuzzy, or verbatim in its text)."""
    text = " ".join([product.title, " ".join(product.features), product.description]).lower()
    out = []
    for wanted in goal.attributes:
        hit = any(similar(have, wanted) for have in product.attributes)
        out.append(hit or wanted.lower() in text)
    return out


def option_matches(goal: Goal, chosen_options: dict[str, str]) -> list[bool]:
    """For each goal option value, whether one of the chosen values matches it."""
    chosen = [normalize_color(str(v)) for v in chosen_options.values()]
    return [
        any(similar(have, normalize_color(str(wanted))) for have in chosen)
        for wanted in goal.options.values()
    ]


def score_purchase(
    goal: Goal, product: Product, chosen_options: dict[str, str], price: float | None = None
) -> dict[str, Any]:
    """Score buying ``product`` with ``chosen_options`` (group -> value) under ``goal``.

    Returns the sub-scores (``r_type``, ``query_match``, ``category_match``, ``title_score``,
    ``r_att``, ``num_attr_matches``, ``r_option``, ``num_option_matches``, ``r_price``) and
    ``reward``; ``price`` defaults to the product's.
    """
    price = product.price if price is None else float(price)
    type_scores = type_reward(goal, product)
    attr_hits = attribute_matches(goal, product)
    opt_hits = option_matches(goal, chosen_options)
    r_price = price <= goal.price_upper if goal.price_upper > 0 else True
    n_attr, n_opt = sum(attr_hits), sum(opt_hits)
    total = (n_attr + n_opt + int(r_price)) / (len(goal.attributes) + len(goal.options) + 1)
    return {
        **type_scores,
        "r_att": n_attr / len(goal.attributes) if goal.attributes else None,
        "num_attr_matches": n_attr,
        "r_option": n_opt / len(goal.options) if goal.options else None,
        "num_option_matches": n_opt,
        "r_price": bool(r_price),
        "reward": float(total * type_scores["r_type"]),
    }
