"""WebShop's expert path and its product-level negatives: a near-miss product, a wrong option, over the price.

Used by :func:`arm_gym.data.negatives.expert_positive` and :func:`~arm_gym.data.negatives.env_negatives`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from arm_gym.data.intents import Intent
from arm_gym.data.negatives import Candidate

logger = logging.getLogger(__name__)


def webshop_expert(env: Any, intent: Intent) -> list[str] | None:
    """WebShop's expert path for the intent's goal (a custom goal, or the task's own)."""
    from arm_gym.envs.webshop import Goal, expert_actions

    shop = env.unwrapped
    goal = intent.options.get("goal")
    try:
        goal = Goal.from_dict(goal) if goal is not None else shop.goal_by_id(intent.task_id)
        return expert_actions(shop, goal)
    except (KeyError, ValueError) as exc:
        logger.debug("no expert path for %s: %s", intent.task_id, exc)
        return None


def _buy(shop: Any, goal: Any, asin: str, options: dict[str, str]) -> list[str] | None:
    """The expert's actions that buy ``asin`` with ``options`` (a goal for that product, same wording)."""
    from arm_gym.envs.webshop import expert_actions

    target = type(goal)(**{**goal.to_dict(), "asin": asin, "options": options, "goal_id": f"{goal.goal_id}~{asin}"})
    try:
        return expert_actions(shop, target)
    except ValueError:
        return None


def webshop_negatives(
    env: Any, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator
) -> list[list[Candidate]]:
    """WebShop's near misses of the intent's goal, each bought by the expert's route:

    * ``near_miss``: a product the search for the goal ranks high, within the price bound, that is
      not the target (it may lack an attribute, an option or the type);
    * ``wrong_option``: the target with another value of one option group, one that the reward's
      fuzzy match does not take for the goal's value;
    * ``over_price``: a similar product priced above the bound.
    """
    from arm_gym.envs.webshop import Goal
    from arm_gym.envs.webshop.reward import option_matches

    shop = env.unwrapped
    raw = intent.options.get("goal")
    try:
        goal = Goal.from_dict(raw) if raw is not None else shop.goal_by_id(intent.task_id)
    except (KeyError, ValueError):
        return []
    target = shop.catalogue.get(goal.asin)
    if target is None:
        return []
    similar = [a for a in shop.search(f"{goal.product_type} {' '.join(goal.attributes)}") if a != goal.asin]
    similar += [a for a in shop.search(goal.product_type) if a != goal.asin and a not in similar]
    cheap = [a for a in similar if shop.catalogue[a].price <= goal.price_upper]
    dear = [a for a in similar if shop.catalogue[a].price > goal.price_upper]

    def options_for(asin: str) -> dict[str, str]:  # the goal's values where offered, else a random one
        product = shop.catalogue[asin]
        chosen = {}
        for group, values in product.options.items():
            wanted = goal.options.get(group)
            chosen[group] = wanted if wanted in values else values[int(rng.integers(len(values)))]
        return chosen

    groups: list[list[Candidate]] = []
    for kind, pool in (("near_miss", cheap[:10]), ("over_price", dear[:10])):
        if pool:
            asin = pool[int(rng.integers(len(pool)))]
            actions = _buy(shop, goal, asin, options_for(asin))
            groups.append([Candidate(kind, actions, note=asin)] if actions else [])

    def loses_a_match(group: str, value: str) -> bool:  # "navy blue" for "royal blue" would still match
        return not all(option_matches(goal, {**goal.options, group: value}))

    swappable = [
        (g, [v for v in vals if v != goal.options.get(g) and loses_a_match(g, v)])
        for g, vals in target.options.items()
        if g in goal.options
    ]
    swappable = [(g, alts) for g, alts in swappable if alts]
    if swappable:
        group, alts = swappable[int(rng.integers(len(swappable)))]
        options = {**goal.options, group: alts[int(rng.integers(len(alts)))]}
        actions = _buy(shop, goal, goal.asin, options)
        groups.append([Candidate("wrong_option", actions, note=f"{group}={options[group]}")] if actions else [])
    return groups
