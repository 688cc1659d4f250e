"""WebShop's synthesis adapter: purchase-grounded intents, the expert path, and product-level negatives.

A trajectory that bought something is relabelled with a goal that purchase fulfils (the bought product's
type, attributes and chosen options under a price bound above what it cost, phrased like a shopper and
posed as a custom goal). Negatives are bought by the expert's route: ``near_miss`` (a similar product
within the bound), ``wrong_option`` (the target with an option value the reward does not take for the
goal's), ``over_price`` (a similar product above the bound) and ``wrong_type`` (a product of another type,
within the bound, found by the goal's attributes or by a few words of the instruction: a title that shares a word
with the goal, "green tea" for a green sports bra).

A ``near_miss`` differs from the target mostly in attributes, which an item page does not show (they are in its
Description and Features); ``wrong_type`` and ``over_price`` differ in what the pages do show (the title's type,
the price), which is where a reward model can learn to order purchases (``benchmarks/webshop_rm_diagnosis.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from arm_gym.envs.synthesis import Candidate, Intent, SynthesisAdapter, replay_actions
from arm_gym.envs.webshop.expert import expert_actions
from arm_gym.envs.webshop.goals import phrase_instruction, price_bound
from arm_gym.envs.webshop.reward import option_matches
from arm_gym.envs.webshop.schema import Goal
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

MAX_ATTRIBUTES = 3

INTENT_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Actions: search[wireless earbuds]; click[B07XQ2R]; click[red]; click[Buy Now]\n"
        "Outcome: Thank you for shopping with us! | Purchased | B07XQ2R | Auralix Pro Wireless Earbuds - Noise"
        " Cancelling, Waterproof | Options: color: red | Price: $29.99",
        "i need noise cancelling wireless earbuds in red, and price lower than 40.00 dollars",
    ),
    (
        "Actions: search[shampoo sulfate free]; click[B09KL4M]; click[lavender]; click[16.9 fl oz (pack of 1)];"
        " click[Buy Now]\nOutcome: Thank you for shopping with us! | Purchased | B09KL4M | Velora Sulfate Free"
        " Shampoo - Paraben Free, for Dry Hair | Options: scent: lavender, size: 16.9 fl oz (pack of 1) | Price: $14.50",
        "i am looking for a sulfate free shampoo for dry hair with lavender scent in 16.9 fl oz (pack of 1),"
        " and price lower than 20.00 dollars",
    ),
)

NEGATIVE_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "i need a blue cotton t-shirt in size large, and price lower than 20.00 dollars",
        "search[blue cotton t-shirt]\nclick[b01a]\nclick[large]\nclick[blue]\nclick[buy now]",
        "search[blue cotton t-shirt]\nclick[b01a]\nclick[small]\nclick[blue]\nclick[buy now]",
    ),
)

_PRICE_CLAUSE = re.compile(r"[,;|]?\s*(and\s+)?(price|priced)\b.*$", re.IGNORECASE)


def goal_from_purchase(purchase: dict[str, Any], catalogue: Any, rng: np.random.Generator) -> dict[str, Any] | None:
    """A goal (as a dict) that the purchase fulfils: the bought product's type and category, up to three
    of its attributes, the option values that were clicked and a price bound from WebShop's ladder above
    its price, phrased like a shopper. ``None`` when the product is unknown."""
    product = catalogue.get(str(purchase.get("asin", "")))
    if product is None:
        return None
    attrs = list(product.attributes)
    k = int(rng.integers(1, min(MAX_ATTRIBUTES, len(attrs)) + 1)) if attrs else 0
    attributes = [attrs[j] for j in sorted(rng.choice(len(attrs), size=k, replace=False).tolist())] if k else []
    options = {str(g): str(v) for g, v in (purchase.get("options") or {}).items()}
    price = float(purchase.get("price", product.price))
    upper = price_bound(price, rng)
    return {
        "goal_id": f"asin:{product.asin}",
        "asin": product.asin,
        "product_type": product.product_type,
        "category": product.category,
        "attributes": attributes,
        "options": options,
        "price_upper": upper,
        "instruction": phrase_instruction(product.product_type, attributes, options, upper, rng),
        "product_title": "",
        "top_category": product.top_category,
        "query": product.product_type,
    }


def search_words(instruction: str, rng: np.random.Generator) -> str:
    """A random run of 2-5 consecutive words of ``instruction`` (before any ", and price" clause): a cheap
    stand-in for the query an agent would type."""
    words = instruction.split(", and price")[0].replace(",", " ").split() or ["item"]
    length = int(rng.integers(2, 6))
    start = int(rng.integers(max(1, len(words) - length + 1)))
    return " ".join(words[start : start + length])


class WebShopSynthesis(SynthesisAdapter):
    """WebShop: see the module docstring."""

    intent_examples = INTENT_EXAMPLES
    negative_examples = NEGATIVE_EXAMPLES

    # ------------------------------------------------------------------ posing tasks
    def task_options(self, trajectory: Trajectory) -> dict[str, Any]:
        recorded = trajectory.meta.get("options") or {}
        if isinstance(recorded.get("goal"), dict):
            return {"goal": recorded["goal"]}
        return {"task_id": trajectory.task_id}

    def split_group(self, trajectory: Trajectory) -> str | None:
        goal = (trajectory.meta.get("final_info") or {}).get("goal")
        return f"asin:{goal['asin']}" if isinstance(goal, dict) and goal.get("asin") else None

    def purchase(self, trajectory: Trajectory, env: gym.Env | None = None) -> dict[str, Any] | None:
        """What a trajectory bought (``info["purchase"]`` at its end, replayed when not recorded), or ``None``."""
        purchase = (trajectory.meta.get("final_info") or {}).get("purchase")
        if purchase is None and env is not None and trajectory.steps:
            replayed = replay_actions(env, self.original_intent(trajectory), trajectory.actions, keep_info=True)
            purchase = replayed.meta.get("final_info", {}).get("purchase")
        return purchase if isinstance(purchase, dict) and purchase else None

    def relabel(self, trajectory: Trajectory, env: gym.Env) -> Intent | None:
        purchase = self.purchase(trajectory, env)
        if purchase is None:
            return None
        rng = np.random.default_rng([int(trajectory.seed or 0), 0x1A7E])
        goal = goal_from_purchase(purchase, env.unwrapped.catalogue, rng)
        if goal is None:
            return None
        return Intent(
            text=goal["instruction"],
            env_id=trajectory.env_id,
            task_id=goal["goal_id"],
            options={"goal": goal},
            seed=trajectory.seed,
            kind="relabel",
            grounding={"purchase": purchase, "split_group": f"asin:{goal['asin']}"},
        )

    def _goal(self, env: gym.Env, intent: Intent) -> Goal:
        raw = intent.options.get("goal")
        return Goal.from_dict(raw) if raw is not None else env.unwrapped.goal_by_id(intent.task_id)

    def expert_actions(self, env: gym.Env, intent: Intent) -> list[str] | None:
        try:
            return expert_actions(env.unwrapped, self._goal(env, intent))
        except (KeyError, ValueError) as exc:
            logger.debug("no expert path for %s: %s", intent.task_id, exc)
            return None

    # ------------------------------------------------------------------ negatives
    def negatives(
        self, env: gym.Env, intent: Intent, positive_actions: Sequence[str], rng: np.random.Generator
    ) -> list[list[Candidate]]:
        shop = env.unwrapped
        try:
            goal = self._goal(env, intent)
        except (KeyError, ValueError):
            return []
        target = shop.catalogue.get(goal.asin)
        if target is None:
            return []
        similar = [a for a in shop.search(f"{goal.product_type} {' '.join(goal.attributes)}") if a != goal.asin]
        similar += [a for a in shop.search(goal.product_type) if a != goal.asin and a not in similar]
        cheap = [a for a in similar if shop.catalogue[a].price <= goal.price_upper]
        dear = [a for a in similar if shop.catalogue[a].price > goal.price_upper]
        # another type found the way an agent finds it: by the goal's attributes, or by a few words of the
        # instruction (a title sharing one word, "green tea" for a green sports bra)
        queries = ([" ".join(goal.attributes)] if goal.attributes else []) + [
            search_words(goal.instruction, rng) for _ in range(2)]
        other_type = list(dict.fromkeys(
            a for q in queries for a in shop.search(q)[:10]
            if shop.catalogue[a].product_type != goal.product_type and shop.catalogue[a].price <= goal.price_upper))

        def options_for(asin: str) -> dict[str, str]:  # the goal's values where offered, else a random one
            product = shop.catalogue[asin]
            chosen = {}
            for group, values in product.options.items():
                wanted = goal.options.get(group)
                chosen[group] = wanted if wanted in values else values[int(rng.integers(len(values)))]
            return chosen

        groups: list[list[Candidate]] = []
        for kind, pool in (("near_miss", cheap[:10]), ("over_price", dear[:10]), ("wrong_type", other_type)):
            if pool:
                asin = pool[int(rng.integers(len(pool)))]
                actions = _buy(shop, goal, asin, options_for(asin))
                groups.append([Candidate(kind, actions, note=asin)] if actions else [])

        def loses_a_match(group: str, value: str) -> bool:  # "navy blue" for "royal blue" would still match,
            # and so would a value the target's text names (the reward's text fallback)
            return not all(option_matches(goal, {**goal.options, group: value}, target))

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

    # ------------------------------------------------------------------ LLM intents
    def align_intent_text(self, text: str, grounded: Intent) -> str:
        """Whatever price the LLM wrote is replaced by the grounded goal's bound (the env scores that one)."""
        goal = grounded.options.get("goal")
        if not isinstance(goal, dict):
            return text
        text = _PRICE_CLAUSE.sub("", text).rstrip(" ,.;|")
        upper = float(goal.get("price_upper", 0) or 0)
        return f"{text}, and price lower than {upper:.2f} dollars" if 0 < upper < 1e6 else text

    def intent_names_task(self, text: str, grounded: Intent) -> bool:
        """A word of the goal's product type is named."""
        goal = grounded.options.get("goal")
        if not isinstance(goal, dict):
            return super().intent_names_task(text, grounded)
        words = re.findall(r"[a-z]{3,}", str(goal.get("product_type", "")).lower())
        said = set(re.findall(r"[a-z]{3,}", text.lower()))
        return any(w in said or w.rstrip("s") in said or f"{w}s" in said for w in words) if words else True

    def with_text(self, intent: Intent, text: str, *, source: str) -> Intent:
        posed = super().with_text(intent, text, source=source)
        if isinstance(posed.options.get("goal"), dict):
            posed.options["goal"] = {**posed.options["goal"], "instruction": text}
        return posed

    # ------------------------------------------------------------------ acting and baselines
    def fill_template(self, action: str, instruction: str, rng: np.random.Generator) -> str:
        """``search[...]`` gets a random run of words of the instruction (:func:`search_words`)."""
        if not action.endswith("[...]"):
            return action
        return f"{action[:-5]}[{search_words(instruction, rng)}]"

    def target_terms(self, trajectory: Trajectory) -> dict[str, float]:
        """``steps``, and the ``price`` paid (0 when nothing was bought)."""
        purchase = (trajectory.meta.get("final_info") or {}).get("purchase") or {}
        return {**super().target_terms(trajectory), "price": float(purchase.get("price", 0.0) or 0.0)}

    def outcome_claim(self, trajectory: Trajectory) -> float:
        """1.0 when the trajectory bought anything (its last action is ``click[Buy Now]``)."""
        return 1.0 if trajectory.steps and trajectory.steps[-1].action.strip().lower() == "click[buy now]" else 0.0


def _buy(shop: Any, goal: Goal, asin: str, options: dict[str, str]) -> list[str] | None:
    """The expert's actions that buy ``asin`` with ``options`` (a goal for that product, same wording)."""
    target = type(goal)(**{**goal.to_dict(), "asin": asin, "options": options, "goal_id": f"{goal.goal_id}~{asin}"})
    try:
        return expert_actions(shop, target)
    except ValueError:
        return None
