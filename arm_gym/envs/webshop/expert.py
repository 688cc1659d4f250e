"""The scripted shopper: the action sequence that buys a goal's own product with its options.

It searches the target's title (falling back to the instruction), pages forward to the target,
opens it, clicks each wanted option value the item offers (or the offered value that the reward's
option rule matches, for official data whose goal values are spelt differently) and buys. The triplet synthesizer uses
it for positive trajectories; the tests use it to check that every test goal can score 1.0.
"""

from __future__ import annotations

import gymnasium as gym

from arm_gym.envs.webshop.pages import BUY_NOW, NEXT, RESULTS_PER_PAGE
from arm_gym.envs.webshop.reward import value_matches
from arm_gym.envs.webshop.schema import Goal, Product


def _pick_option(product: Product, wanted: str) -> str | None:
    """The offered value for ``wanted``: itself, else one the reward's option rule accepts (exact for sizes)."""
    for values in product.options.values():
        if wanted in values:
            return wanted
    for group, values in product.options.items():
        for value in values:
            if value_matches(group, value, [wanted]):
                return value
    return None


def expert_actions(env: gym.Env, goal: Goal | dict) -> list[str]:
    """The actions that buy ``goal``'s product (``goal.asin``) with ``goal.options``.

    ``env`` is a (possibly wrapped) :class:`~arm_gym.envs.webshop.WebShopEnv`; it is not stepped.
    Raises ``ValueError`` when the target is not in the catalogue or no query finds it.
    """
    shop = env.unwrapped
    goal = goal if isinstance(goal, Goal) else Goal.from_dict(goal)
    product = shop.catalogue.get(goal.asin)
    if product is None:
        raise ValueError(f"goal {goal.goal_id!r}: product {goal.asin!r} is not in the catalogue")
    queries = (product.title, f"{product.title} {' '.join(product.attributes)}", goal.instruction,
               f"{goal.product_type} {' '.join(goal.attributes)}", shop.catalogue.search_text(shop.catalogue.index(product.asin)))
    for query in queries:
        asins = shop.search(query)
        if product.asin in asins:
            break
    else:
        raise ValueError(f"goal {goal.goal_id!r}: no query finds {product.asin}")
    position = asins.index(product.asin)
    actions = [f"search[{query}]"] + [f"click[{NEXT}]"] * (position // RESULTS_PER_PAGE)
    actions.append(f"click[{product.asin}]")
    picks = (_pick_option(product, str(v)) for v in goal.options.values())
    actions += [f"click[{v}]" for v in dict.fromkeys(p for p in picks if p is not None)]
    actions.append(f"click[{BUY_NOW}]")
    return actions
