"""WebShop's purchase reward, as the original ``web_agent_site/engine/goal.py`` computes it.

``reward = r_type * (attribute matches + option matches + r_price) / (n_goal_attributes + n_goal_options + 1)``

* **attributes** (:func:`attribute_reward`): a goal attribute matches when ``token_set_ratio`` with one of
  the product's attributes is above 85, else when it appears verbatim in the lower-cased title, features
  (bullet points) or description;
* **options** (:func:`option_reward`): the loop runs over the *purchased* options. Both sides go through
  WebShop's colour normalisation (the first :data:`COLOR_SET` word found as a substring, case-sensitive);
  a purchased ``size`` (:data:`EXACT_MATCH_OPTS`) must equal a goal value, any other group matches a goal
  value with ``token_set_ratio > 85``; a purchased value with no match still counts when it appears in
  the lower-cased title, features or description. As in the original, the count can exceed the number of
  goal options (and the reward 1) when clicked values of other groups appear in the text;
* **type** (:func:`type_reward`): ``query_match`` (same search query, i.e. product type), ``category_match``
  (two category-path levels shared) and ``title_score`` (share of the goal title's nouns found in the
  bought title's nouns, see :mod:`~arm_gym.envs.webshop.nouns`); ``r_type`` is 1.0, 0.5 when none of the
  three matches (``title_score <= 0.2``), 0.1 when ``title_score < 0.1`` and 0.0 when it is 0;
* **price**: ``r_price = price <= price_upper``; ``None`` when the goal has no bound (``price_upper <= 0``
  or :data:`~arm_gym.envs.webshop.goals.NO_PRICE_BOUND`), which counts as met (the original's
  ``price <= 1000000``).

``token_set_ratio`` is rapidfuzz's with fuzzywuzzy's default processing (lower case, punctuation out),
equal to thefuzz's for these inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from arm_gym.envs.webshop.nouns import fallback_nouns, title_nouns
from arm_gym.envs.webshop.schema import Goal, Product

MATCH_THRESHOLD = 85
EXACT_MATCH_OPTS: tuple[str, ...] = ("size",)
"""Option groups whose purchased value must equal a goal value exactly (WebShop's ``EXACT_MATCH_OPTS``)."""
NO_PRICE_BOUND = 1_000_000.0

COLOR_SET: tuple[str, ...] = tuple(
    "alabaster apricot aqua ash asphalt azure banana beige black blue blush bordeaux bronze brown burgundy "
    "camel camo caramel champagne charcoal cheetah chestnut chocolate christmas coffee cognac copper coral "
    "cranberry cream crystal dark denim eggplant elephant espresso fuchsia gold granite grape graphite grass "
    "gray green grey heather indigo ivory ivy khaki lavender lemon leopard light lilac lime magenta maroon "
    "mauve merlot midnight mint mocha multicolor mushroom mustard natural navy nude olive orange peach pewter "
    "pink plum purple rainbow red rose royal rust sand sapphire seashell silver skull slate steel stone "
    "stonewash sunflower tan taupe teal tiger turquoise violet walnut wheat white wine yellow".split()
)
"""WebShop's colour words in its order: :func:`normalize_color` returns the first one contained in a value."""


def similar(a: str, b: str) -> bool:
    """fuzzywuzzy's ``token_set_ratio`` with its default processing (lower case, punctuation out) > 85."""
    return fuzz.token_set_ratio(a, b, processor=default_process) > MATCH_THRESHOLD


def normalize_color(value: str) -> str:
    """WebShop's ``normalize_color``: the first :data:`COLOR_SET` word that is a substring of ``value``
    (case-sensitive, so ``"standard"`` gives ``"tan"``), else ``value`` unchanged."""
    for color in COLOR_SET:
        if color in value:
            return color
    return value


def _text(product: Product) -> tuple[str, str, str]:
    return product.title.lower(), " ".join(product.features).lower(), product.description.lower()


def _in_text(phrase: str, text: tuple[str, str, str]) -> bool:
    return any(phrase in part for part in text)


# ---------------------------------------------------------------------------------------------- type
def _goal_nouns(goal: Goal) -> list[str]:
    if goal.title_nouns is not None:
        return list(goal.title_nouns)
    if goal.product_title:
        return title_nouns(goal.product_title)
    return fallback_nouns(goal.product_type)  # a goal without its target's title: the type words


def _product_nouns(product: Product) -> list[str]:
    return list(product.title_nouns) if product.title_nouns is not None else title_nouns(product.title)


def type_reward(goal: Goal, product: Product) -> dict[str, Any]:
    """WebShop's ``get_type_reward``: ``r_type`` with ``query_match``, ``category_match`` and ``title_score``."""
    query_match = product.product_type == (goal.query or goal.product_type)
    bought_cats = {c.strip() for c in product.category.split("›")}
    goal_cats = {c.strip() for c in goal.category.split("›")}
    category_match = len(bought_cats & goal_cats) >= 2
    desired = _goal_nouns(goal)
    bought = _product_nouns(product)
    title_score = 0.2 if not desired else len(set(bought) & set(desired)) / len(desired)
    r_type = 1.0
    if not (query_match or category_match or title_score > 0.2):
        r_type = 0.5
    if title_score < 0.1:
        r_type = 0.1
    if title_score == 0.0:
        r_type = 0.0
    return {"r_type": r_type, "query_match": query_match, "category_match": category_match, "title_score": title_score}


# ---------------------------------------------------------------------------------------- attributes
def attribute_matches(goal: Goal, product: Product) -> list[bool]:
    """For each goal attribute, whether it matches (fuzzy against the product's attributes, else verbatim in its text)."""
    text = _text(product)
    out = []
    for wanted in goal.attributes:
        hit = any(fuzz.token_set_ratio(have, wanted, processor=default_process) > MATCH_THRESHOLD
                  for have in product.attributes)
        out.append(hit or _in_text(wanted, text))
    return out


def attribute_reward(goal: Goal, product: Product) -> tuple[float | None, int]:
    """WebShop's ``get_attribute_reward``: ``(r_att, num_attr_matches)`` (``r_att`` is ``None`` without goal attributes)."""
    n = sum(attribute_matches(goal, product))
    return (n / len(goal.attributes) if goal.attributes else None), n


# ------------------------------------------------------------------------------------------- options
def value_matches(group: str, value: str, goal_values: Sequence[str]) -> bool:
    """Whether a purchased ``group: value`` matches one of ``goal_values`` (exact for ``size``, else fuzzy;
    both sides colour-normalised; no text fallback)."""
    mine = normalize_color(value)
    wanted = [normalize_color(v) for v in goal_values]
    if group.lower() in EXACT_MATCH_OPTS:
        return mine in wanted
    return any(fuzz.token_set_ratio(w, mine, processor=default_process) > MATCH_THRESHOLD for w in wanted)


def option_reward(goal_values: Sequence[str], purchased: Mapping[str, str],
                  product: Product | None = None) -> tuple[float | None, int]:
    """WebShop's ``get_option_reward``: ``(r_option, num_option_matches)`` looping over the purchased options,
    with the title/features/description fallback when ``product`` is given."""
    text = _text(product) if product is not None else None
    n = 0
    for group, value in purchased.items():
        value = str(value)
        if value_matches(str(group), value, goal_values) or (text is not None and _in_text(normalize_color(value), text)):
            n += 1
    return (n / len(goal_values) if goal_values else None), n


def option_matches(goal: Goal, chosen_options: Mapping[str, str], product: Product | None = None) -> list[bool]:
    """For each goal option value (in ``goal.options`` order), whether a chosen ``group: value`` matches it
    by :func:`value_matches`, or (with ``product``) whether a chosen value the match missed is in its text.
    A goal-side view of :func:`option_reward` for building negatives: all True means no option share is lost."""
    text = _text(product) if product is not None else None
    found = [False] * len(goal.options)
    for group, value in chosen_options.items():
        value = str(value)
        hits = [i for i, wanted in enumerate(goal.options.values()) if value_matches(str(group), value, [str(wanted)])]
        if hits:
            for i in hits:
                found[i] = True
        elif text is not None and _in_text(normalize_color(value), text):
            rest = [i for i, f in enumerate(found) if not f]
            if rest:
                found[rest[0]] = True
    return found


# -------------------------------------------------------------------------------------------- reward
def has_price_bound(goal: Goal) -> bool:
    """Whether the goal states a price bound (``0 < price_upper <`` :data:`NO_PRICE_BOUND`)."""
    return 0 < goal.price_upper < NO_PRICE_BOUND


def score_purchase(
    goal: Goal, product: Product, chosen_options: Mapping[str, str], price: float | None = None
) -> dict[str, Any]:
    """Score buying ``product`` with ``chosen_options`` (group -> value) under ``goal``, as WebShop's ``get_reward``.

    Returns the sub-scores (``r_type``, ``query_match``, ``category_match``, ``title_score``, ``r_att``,
    ``num_attr_matches``, ``r_option``, ``num_option_matches``, ``r_price``) and ``reward``; ``price``
    defaults to the product's (the price WebShop charges, drawn once from a price range).
    """
    price = product.price if price is None else float(price)
    type_scores = type_reward(goal, product)
    r_att, n_attr = attribute_reward(goal, product)
    goal_values = [str(v) for v in goal.options.values()]
    r_option, n_opt = option_reward(goal_values, {str(k): str(v) for k, v in chosen_options.items()}, product)
    r_price = bool(price <= goal.price_upper) if has_price_bound(goal) else None
    total = (n_attr + n_opt + (1 if r_price is None else int(r_price))) / (len(goal.attributes) + len(goal_values) + 1)
    return {
        **type_scores,
        "r_att": r_att,
        "num_attr_matches": n_attr,
        "r_option": r_option,
        "num_option_matches": n_opt,
        "r_price": r_price,
        "reward": float(total * type_scores["r_type"]),
    }
