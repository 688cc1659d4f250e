"""``ARM-WebShop-v0``: WebShop's text-mode shopping task on a generated (or the official) catalogue.

Actions are ``search[keywords]`` (from any page, as in WebShop) and ``click[label]`` (any clickable on the
page, case-insensitive): result ASINs, ``Next >``/``< Prev``, ``Back to Search``, option values,
``Description``/``Features``/``Reviews`` (``Attributes`` with ``show_attrs=True``) and ``Buy Now``.
Buying ends the episode with WebShop's reward (:func:`~arm_gym.envs.webshop.reward.score_purchase`).
Anything else is an invalid action and, as in WebShop, a no-op: the same page comes back, the reward is 0,
the episode goes on, and the reason is in ``info["invalid_action"]`` (``action_feedback=True`` also
writes it into the observation).

Example::

    >>> import gymnasium as gym, arm_gym
    >>> env = gym.make("ARM-WebShop-v0")
    >>> obs, info = env.reset(seed=0, options={"task_id": "test-00000"})
    >>> obs, reward, terminated, truncated, info = env.step("search[" + info["goal"]["product_type"] + "]")
"""

from __future__ import annotations

import copy
import dataclasses
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arm_gym.core import ReplayState, StepResult, TextEnv, shorten
from arm_gym.envs.webshop import pages
from arm_gym.envs.webshop.catalogue import Catalogue
from arm_gym.envs.webshop.pages import PageState
from arm_gym.envs.webshop.reward import score_purchase
from arm_gym.envs.webshop.schema import Goal
from arm_gym.envs.webshop.world import load_world

_ACTION = re.compile(r"^\s*(search|click)\s*\[(.*)\]\s*$", re.IGNORECASE | re.DOTALL)
SEARCH_TEMPLATE = "search[...]"
"""Listed among the admissible actions where a search box is shown (fill in the keywords)."""


@dataclass(frozen=True)
class WebShopState:
    """A snapshot for :meth:`WebShopEnv.set_state` (cheap: no replay needed)."""

    task_id: str
    goal: dict
    page: PageState
    actions: tuple[str, ...]
    won: bool
    purchase: dict | None
    rng_state: dict
    observation: str


class WebShopEnv(TextEnv):
    """WebShop (Yao et al., 2022) as a Gymnasium text env, with no server, Java or spaCy needed.

    Args:
        num_products: size of the generated catalogue (ignored with official data).
        catalogue_seed: seed of the generated catalogue and its goals.
        observation_mode: ``"text"`` (``[SEP]``-joined) or ``"text_rich"`` (``[button]`` markers).
        data_path: a folder with WebShop's official files (else ``$ARM_GYM_WEBSHOP_DATA``, else generated).
        cache_dir: where the BM25 index is cached (default ``$ARM_GYM_CACHE/webshop`` or
            ``~/.cache/arm_gym/webshop``); ``use_cache=False`` keeps it in memory only.
        split: default goal split: ``train``, ``dev`` or ``test`` (500 goals).
        max_steps: episodes are truncated after this many steps (default 15).
        show_progress: a progress bar while the index is built (default: for 200,000 products or more).
        reveal_outcome: end the confirmation page with WebShop's "Your score (min 0.0, max 1.0)" lines. Off by
            default: trajectories rendered for a reward model would carry their own label (a WebShop
            model trained with it read the number: Spearman with env return 0.90 shown, 0.53 hidden).
            The score is always in ``info["purchase"]["scores"]`` and the step's reward.
        show_score: deprecated alias of ``reveal_outcome``.
        show_attrs: show the item page's ``Attributes`` button (WebShop's ``show_attrs``; it lists what the
            reward scores against, so it is off by default as in WebShop).
        human_goals: with official data, WebShop's human goals (default) or, with ``False``, its synthetic ones.
        action_feedback: prefix the page with ``Invalid action: <reason>. [SEP]`` after an invalid action
            (arm_gym's earlier behaviour); by default the page comes back unchanged, as in WebShop.

    ``info`` carries, besides the arm_gym contract, ``goal`` (the goal as a dict) and ``invalid_action``
    (why the last action was a no-op, else ``None``) on every step and,
    after ``Buy Now``, ``purchase`` = ``{"asin", "options", "price", "scores", "product"}`` (``scores`` from
    :func:`score_purchase`; ``product`` the bought item's title, type, category, attributes and options).
    ``reset(options={"goal": Goal | dict})`` runs a custom goal.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}
    splits = ("train", "dev", "test")
    reset_options = frozenset({"goal"})
    synthesis_adapter = "arm_gym.envs.webshop.synthesis:WebShopSynthesis"

    def __init__(self, *, num_products: int = 10_000, catalogue_seed: int = 0, observation_mode: str = "text",
                 data_path: str | None = None, cache_dir: str | None = None, use_cache: bool = True,
                 split: str = "train", max_steps: int | None = 15, render_mode: str | None = None,
                 show_progress: bool | None = None, reveal_outcome: bool = False, show_score: bool | None = None,
                 show_attrs: bool = False, action_feedback: bool = False, human_goals: bool = True):
        if observation_mode not in pages.OBSERVATION_MODES:
            raise ValueError(f"observation_mode must be one of {pages.OBSERVATION_MODES}, not {observation_mode!r}")
        if show_score is not None:
            warnings.warn("WebShopEnv(show_score=...) is deprecated; use reveal_outcome=...", DeprecationWarning,
                          stacklevel=2)
            reveal_outcome = reveal_outcome or bool(show_score)
        super().__init__(split=split, max_steps=max_steps, render_mode=render_mode, reveal_outcome=reveal_outcome)
        self.observation_mode = observation_mode
        self.show_attrs = bool(show_attrs)
        self.action_feedback = bool(action_feedback)
        self.invalid_action: str | None = None
        self.world = load_world(num_products=num_products, seed=catalogue_seed, data_path=data_path,
                                cache_dir=cache_dir, use_cache=use_cache, show_progress=show_progress,
                                human_goals=human_goals)
        self.goal: Goal | None = None
        self._goal_dict: dict[str, Any] = {}
        self.page = PageState()
        self.purchase: dict[str, Any] | None = None
        self._elements: list[tuple[str, str]] = []

    @property
    def show_score(self) -> bool:
        """Deprecated alias of :attr:`reveal_outcome`."""
        return self.reveal_outcome

    # ------------------------------------------------------------------ public helpers
    @property
    def catalogue(self) -> Catalogue:
        """The products: ``env.unwrapped.catalogue[asin]`` gives a :class:`Product`."""
        return self.world.catalogue

    def search(self, query: str) -> list[str]:
        """The ASINs a ``search[query]`` lists, best first (up to 50), without stepping."""
        return [self.catalogue.asin(i) for i in self.world.index.search(query)]

    def goal_by_id(self, goal_id: str) -> Goal:
        """The goal with ``goal_id`` (any split)."""
        return self.world.goals.get(goal_id)

    # ------------------------------------------------------------------ TextEnv hooks
    def task_ids(self, split: str) -> Sequence[str]:
        return self.world.goals.ids(split)

    def _reset_task(self, task_id: str, options: dict[str, Any]) -> str:
        custom = options.get("goal")
        if custom is not None:
            self.goal = self._complete(Goal.from_dict(custom.to_dict() if isinstance(custom, Goal) else dict(custom)))
            self.task_id = self.goal.goal_id
        else:
            self.goal = self.world.goals.get(task_id)
        self._goal_dict = self.goal.to_dict()
        self.instruction = self.goal.instruction
        self.purchase = None
        self.invalid_action = None
        self.page = PageState()
        return self._show()

    def _complete(self, goal: Goal) -> Goal:
        """A custom goal without its target's title gets it (and its nouns) from the catalogue, as WebShop's goals have."""
        if goal.product_title or goal.title_nouns is not None:
            return goal
        product = self.catalogue.get(goal.asin)
        if product is None:
            return goal
        return dataclasses.replace(goal, product_title=product.title, title_nouns=product.title_nouns)

    def _step(self, action: str) -> StepResult:
        self.invalid_action = None
        if self.purchase is not None:
            return StepResult(f"The episode is over: you bought {self.purchase['asin']}. Reset to shop again.",
                              0.0, True, self.won)
        match = _ACTION.match(action)
        if match is None:
            return self._invalid(f"{shorten(action)!r} is not search[keywords] or click[label]")
        verb, arg = match.group(1).lower(), match.group(2).strip()
        if verb == "search":
            if not arg:
                return self._invalid("search[] needs keywords, e.g. search[red running shoes]")
            self.page = PageState(kind="results", query=arg, results=tuple(self.world.index.search(arg)), page=1,
                                  visited=self.page.visited)
            return StepResult(self._show(), 0.0, False)
        labels = {c.lower(): c for c in pages.clickables(self._elements)}
        label = labels.get(arg.lower())
        if label is None:
            if arg.lower() == pages.SEARCH.lower() and self.page.kind == "search":
                return self._invalid("type keywords with search[...], e.g. search[red running shoes]")
            if not arg:
                return self._invalid("click[] needs a label from the page")
            return self._invalid(f"there is no {shorten(arg, 60)!r} to click on this page")
        return self._click(label)

    def admissible_actions(self) -> Sequence[str]:
        actions = [f"click[{c}]" for c in pages.clickables(self._elements)]
        return [SEARCH_TEMPLATE, *actions] if self.page.kind == "search" else actions

    # ------------------------------------------------------------------ navigation
    def _click(self, label: str) -> StepResult:
        page = self.page
        if label == pages.BACK_TO_SEARCH:
            self.page = PageState(visited=page.visited)
        elif label == pages.NEXT:
            self.page = page.with_(page=page.page + 1)
        elif label == pages.PREV:
            if page.kind == "results":
                self.page = page.with_(page=page.page - 1)
            elif page.kind == "item":
                self.page = page.with_(kind="results", item=-1, options=())
            else:
                self.page = page.with_(kind="item", sub="")
        elif label == pages.BUY_NOW:
            return self._buy()
        elif label in pages.SUB_PAGES and page.kind == "item":
            self.page = page.with_(kind="sub", sub=label)
        elif page.kind == "results":
            i = self.catalogue.index(label)
            self.page = page.with_(kind="item", item=i, options=(), visited=page.visited | {i})
        else:  # an option value
            product = self.catalogue.product(page.item)
            group = next(g for g, values in product.options.items() if label in values)
            chosen = dict(page.options)
            chosen[group] = label
            self.page = page.with_(options=tuple(chosen.items()))
        return StepResult(self._show(), 0.0, False)

    def _buy(self) -> StepResult:
        assert self.goal is not None
        product = self.catalogue.product(self.page.item)
        chosen = dict(self.page.options)
        scores = score_purchase(self.goal, product, chosen)
        reward = scores["reward"]
        self.purchase = {
            "asin": product.asin, "options": chosen, "price": product.price, "scores": scores,
            "product": {"title": product.title, "product_type": product.product_type, "category": product.category,
                        "attributes": list(product.attributes), "options": {g: list(v) for g, v in product.options.items()}},
        }
        done = pages.done_elements(product.asin, chosen, reward if self.reveal_outcome else None)
        self._elements = []
        return StepResult(pages.render(done, self.observation_mode), reward, True, reward >= 1.0 - 1e-9)

    def _show(self) -> str:
        self._elements = pages.elements(self.page, self.catalogue, self.instruction, self.show_attrs)
        return pages.render(self._elements, self.observation_mode)

    def _invalid(self, reason: str) -> StepResult:
        """WebShop's no-op: the same page, reward 0; the reason goes to ``info["invalid_action"]``."""
        self.invalid_action = reason
        page = pages.render(self._elements, self.observation_mode)
        if not self.action_feedback:
            return StepResult(page, 0.0, False)
        sep = " [SEP] " if self.observation_mode == "text" else "\n"
        return StepResult(f"Invalid action: {reason}.{sep}{page}", 0.0, False)

    # ------------------------------------------------------------------ info and state
    def _info(self, reward: float) -> dict[str, Any]:
        info = super()._info(reward)
        if self.goal is not None:  # a fresh copy each step (cheaper than asdict)
            g = self._goal_dict
            info["goal"] = {**g, "attributes": list(g["attributes"]), "options": dict(g["options"])}
        else:
            info["goal"] = None
        if self.purchase is not None:
            info["purchase"] = copy.deepcopy(self.purchase)
        info["invalid_action"] = self.invalid_action
        return info

    def get_state(self) -> WebShopState:
        """A snapshot of the episode (goal, page, actions) for :meth:`set_state`."""
        assert self.goal is not None, "reset() first"
        return WebShopState(self.task_id, self.goal.to_dict(), self.page, tuple(self.actions_taken), self.won,
                            None if self.purchase is None else dict(self.purchase), self._rng_state_at_reset,
                            self.last_observation)

    def set_state(self, state: Any) -> None:
        """Return to a :meth:`get_state` snapshot (a generic ``ReplayState`` is replayed)."""
        if isinstance(state, ReplayState):
            return super().set_state(state)
        if not isinstance(state, WebShopState):
            raise TypeError(f"WebShopEnv.set_state expects a WebShopState, got {type(state).__name__}")
        self._expire_lazy()
        self.task_id = state.task_id
        self.goal = Goal.from_dict(state.goal)
        self._goal_dict = self.goal.to_dict()
        self.instruction = self.goal.instruction
        self.page = state.page
        self.actions_taken = list(state.actions)
        self.won = state.won
        self.purchase = None if state.purchase is None else dict(state.purchase)
        self.invalid_action = None
        self._rng_state_at_reset = state.rng_state
        if self.purchase is None:
            self._show()
        else:
            self._elements = []
        self.last_observation = state.observation
