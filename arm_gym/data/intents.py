"""Intent synthesis: for an explored trajectory, the instruction it actually fulfils.

An :class:`Intent` is an instruction *and* how to pose it in the environment (reset ``options`` and
``seed``), so every triplet built on it can be checked by replaying trajectories under it.

Two sources:

* env-grounded (:func:`env_intent`) reads the environment's ground truth: WebShop, the bought
  product's type, attributes, clicked options and price bound phrased like a shopper (posed as a
  custom goal, ``reset(options={"goal": ...})``);
  Game of 24, the puzzle (for a trajectory that reached 24); ScienceWorld, TextWorld and any other
  text env, the task text (for a trajectory that completed it).
* :class:`LLMIntentSynthesizer` (ARMAP's idea): an LLM reads the trajectory and writes the
  instruction it completes; the env-grounded intent still says how to pose and check it.

:func:`original_intent` is the trajectory's own task, used when an expert path (a solver, the
WebShop expert) supplies the positive and the explored trajectory is the negative.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from arm_gym.core import Trajectory, sanitize, shorten

logger = logging.getLogger(__name__)


@dataclass
class Intent:
    """An instruction and how to pose it in the env.

    Attributes:
        text: the instruction in natural language.
        env_id: the env it is posed in.
        task_id: the task it is posed on (train/validation are split by it).
        options: JSON-able ``reset`` options that pose it (``{"task_id": ...}``, or WebShop's ``{"goal": {...}}``).
        seed: the ``reset`` seed for replays.
        source: ``"env"`` or ``"llm"`` (who wrote ``text``).
        kind: ``"relabel"`` (what the trajectory achieved) or ``"original"`` (the trajectory's own task).
        grounding: env facts the intent was built from (e.g. the bought product), for auditing.
    """

    text: str
    env_id: str
    task_id: str
    options: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    source: str = "env"
    kind: str = "relabel"
    grounding: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def env_family(env_id: str) -> str:
    """``"webshop"``, ``"game24"``, ``"scienceworld"``, ``"textworld"`` or ``"generic"``, from an env id."""
    lowered = env_id.lower()
    for family in ("webshop", "game24", "scienceworld", "textworld"):
        if family in lowered:
            return family
    return "generic"


def task_options(trajectory: Trajectory) -> dict[str, Any]:
    """Reset options that pose the trajectory's own task again: its ``task_id`` (task ids are unique
    across splits), or the custom WebShop goal it was collected under."""
    recorded = trajectory.meta.get("options") or {}
    if isinstance(recorded.get("goal"), dict):
        return {"goal": recorded["goal"]}
    return {"task_id": trajectory.task_id}


def original_intent(trajectory: Trajectory) -> Intent:
    """The trajectory's own task (its instruction), posed again by :func:`task_options`."""
    options = task_options(trajectory)
    grounding = {}
    goal = (trajectory.meta.get("final_info") or {}).get("goal")
    if isinstance(goal, dict) and goal.get("asin"):  # WebShop: split by the target product
        grounding["split_group"] = f"asin:{goal['asin']}"
    return Intent(
        text=trajectory.instruction,
        env_id=trajectory.env_id,
        task_id=trajectory.task_id,
        options=options,
        seed=trajectory.seed,
        kind="original",
        grounding=grounding,
    )


def task_text_intent(trajectory: Trajectory) -> Intent | None:
    """ScienceWorld / TextWorld / Game of 24 / any text env: the task text, for a trajectory that won it
    (partial progress is no fulfilment; such trajectories serve as negatives against an expert path)."""
    if not trajectory.won:
        return None
    intent = original_intent(trajectory)
    intent.kind = "relabel"
    return intent


# ------------------------------------------------------------------------------------------ WebShop
MAX_ATTRIBUTES = 3


def goal_from_purchase(purchase: dict[str, Any], catalogue: Any, rng: np.random.Generator) -> dict[str, Any] | None:
    """A WebShop goal (as a dict) that the purchase fulfils: the bought product's type and category, up
    to three of its attributes, the option values that were clicked and a price bound from WebShop's
    ladder above its price, phrased like a shopper. ``None`` when the product is unknown."""
    from arm_gym.envs.webshop.goals import phrase_instruction, price_bound

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


def webshop_purchase(trajectory: Trajectory, env: Any | None = None) -> dict[str, Any] | None:
    """What a WebShop trajectory bought (``info["purchase"]`` at its end), or ``None``."""
    purchase = (trajectory.meta.get("final_info") or {}).get("purchase")
    if purchase is None and env is not None and trajectory.steps:
        from arm_gym.data.negatives import replay_actions

        replayed = replay_actions(env, original_intent(trajectory), trajectory.actions, keep_info=True)
        purchase = replayed.meta.get("final_info", {}).get("purchase")
    return purchase if isinstance(purchase, dict) and purchase else None


def webshop_intent(trajectory: Trajectory, env: Any | None = None) -> Intent | None:
    """The goal a WebShop trajectory fulfils: the bought product's type, attributes and chosen options,
    under a price bound above what it cost (posed as a custom goal). ``None`` when nothing was bought."""
    purchase = webshop_purchase(trajectory, env) if env is not None else None
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


def env_intent(trajectory: Trajectory, env: Any | None = None) -> Intent | None:
    """The env-grounded intent a trajectory fulfils, or ``None`` when it fulfils nothing checkable."""
    family = env_family(trajectory.env_id)
    if family == "webshop":
        return webshop_intent(trajectory, env)
    return task_text_intent(trajectory)


# ------------------------------------------------------------------------------------------ LLM
INTENT_PROMPT_HEADER = (
    "Each record below shows what an agent did in an environment, then the task instruction that the "
    "agent's actions complete. The instruction is written by the user, before the agent acts.\n\n"
)
INTENT_EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "webshop": (
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
    ),
    "game24": (
        (
            "Start: Numbers left: 2 3 4 8\nActions: 8 - 4 = 4; 3 * 4 = 12; 2 * 12 = 24\n"
            "Outcome: 2 * 12 = 24 (left: 24). You reached 24 and solved the puzzle.",
            "Use the numbers 2 3 4 8 and basic arithmetic operations (+ - * /) to obtain 24.",
        ),
        (
            "Start: Numbers left: 1 5 5 5\nActions: 1 / 5 = 1/5; 5 - 1/5 = 24/5; 5 * 24/5 = 24\n"
            "Outcome: 5 * 24/5 = 24 (left: 24). You reached 24 and solved the puzzle.",
            "Use the numbers 1 5 5 5 and basic arithmetic operations (+ - * /) to obtain 24.",
        ),
    ),
    "generic": (
        (
            "Start: You are in the kitchen. There is a fridge.\nActions: open fridge; take apple; go to living room;"
            " put apple on table\nOutcome: You put the apple on the table. You won!",
            "Take the apple from the fridge and put it on the table in the living room.",
        ),
        (
            "Start: This room is called the hallway.\nActions: go north; open box; take coin from box\n"
            "Outcome: You take the coin. You won!",
            "Go north, open the box and take the coin.",
        ),
    ),
}
"""Few-shot (record, instruction) pairs by env family; ScienceWorld, TextWorld and others use ``"generic"``."""


def render_for_prompt(trajectory: Trajectory, *, max_actions: int = 20, max_chars: int = 300) -> str:
    """A compact record of a trajectory for an LLM prompt: the start (when short), the actions, and the
    outcome (the last observation). Intermediate pages are left out: a small model copies noise.

    The instruction the agent was given is blanked out (WebShop pages repeat it): the LLM must
    describe what the actions did, not copy the task they may have failed.
    """

    def clean(text: str) -> str:
        if trajectory.instruction:
            text = text.replace(trajectory.instruction, "...")
        text = re.sub(r"\s*(\[SEP\]\s*)+", " | ", text).replace("Instruction: | ... |", "")
        return shorten(re.sub(r"\s+", " ", text).strip(" |"), max_chars)

    lines = []
    start = clean(trajectory.initial_observation) if trajectory.initial_observation else ""
    if start and len(start) <= 120:
        lines.append(f"Start: {start}")
    actions = [shorten(a, 80) for a in trajectory.actions[-max_actions:]]
    lines.append("Actions: " + "; ".join(actions))
    if trajectory.steps:
        lines.append(f"Outcome: {clean(trajectory.steps[-1].observation)}")
    return "\n".join(lines)


def build_intent_prompt(trajectory: Trajectory, examples: Sequence[tuple[str, str]] | None = None) -> str:
    """A few-shot completion prompt that ends with ``"Instruction:"`` (works for base models); the
    examples default to the trajectory's env family (a small model copies the domain of its examples)."""
    if examples is None:
        examples = INTENT_EXAMPLES.get(env_family(trajectory.env_id), INTENT_EXAMPLES["generic"])
    parts = [INTENT_PROMPT_HEADER]
    for record, instruction in examples:
        parts.append(f"Record:\n{record}\nInstruction: {instruction}\n\n")
    parts.append(f"Record:\n{render_for_prompt(trajectory)}\nInstruction:")
    return "".join(parts)


INTENT_STOP = ["\n\n", "\nRecord:"]
"""Where an intent reply ends; its first non-empty line is the instruction (a reply may open with a newline)."""

_REPLY_PREFIX = re.compile(r"^\s*(?:instruction\s*:\s*)?", re.IGNORECASE)


def parse_intent_reply(reply: str, *, min_chars: int = 8, max_chars: int = 500) -> str | None:
    """The first line of an LLM reply, cleaned; ``None`` when nothing usable came back."""
    for line in reply.splitlines():
        line = _REPLY_PREFIX.sub("", line).strip().strip('"').strip()
        if line:
            line = sanitize(line)[:max_chars]
            return line if len(line) >= min_chars else None
    return None


class LLMIntentSynthesizer:
    """ARMAP's intent synthesis: an LLM writes the instruction a trajectory completes.

    The text comes from the LLM; how the intent is posed and checked comes from the env-grounded
    intent (:func:`env_intent`), so a trajectory without one gets no LLM intent either.

    Args:
        llm: any :class:`arm_gym.llm.base.LLM`.
        mode: ``"complete"`` (few-shot completion, for base models such as Gemma 3 270M) or ``"chat"``.
        max_tokens, temperature: generation settings.
    """

    def __init__(self, llm: Any, *, mode: str = "complete", max_tokens: int = 64, temperature: float = 0.0):
        if mode not in ("complete", "chat"):
            raise ValueError(f"mode must be 'complete' or 'chat', not {mode!r}")
        self.llm = llm
        self.mode = mode
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.last_error: Exception | None = None
        """The backend error of the latest :meth:`texts` call (``None`` when the LLM answered)."""

    def texts(self, trajectories: Sequence[Trajectory]) -> list[str | None]:
        """One instruction (or ``None``) per trajectory, generated in one batch."""
        prompts = [build_intent_prompt(t) for t in trajectories]
        kwargs = {"n": 1, "temperature": self.temperature, "max_tokens": self.max_tokens, "stop": INTENT_STOP}
        try:
            if self.mode == "chat":
                replies = self.llm.chat_batch(
                    [[{"role": "user", "content": p + "\n(Reply with the instruction only.)"}] for p in prompts],
                    **kwargs,
                )
            else:
                replies = self.llm.complete_batch(prompts, **kwargs)
        except Exception as exc:  # a dead server must not lose the run: these intents are counted as failed
            logger.warning("LLM intent synthesis failed for %d trajectories: %s", len(prompts), exc)
            self.last_error = exc
            return [None] * len(prompts)
        self.last_error = None
        return [parse_intent_reply(r[0]) if r else None for r in replies]

    def __call__(self, trajectory: Trajectory, env: Any | None = None) -> Intent | None:
        grounded = env_intent(trajectory, env)
        if grounded is None:
            return None
        return self.pose(self.texts([trajectory])[0], grounded)

    @staticmethod
    def pose(text: str | None, grounded: Intent) -> Intent | None:
        """The LLM's ``text`` posed like ``grounded`` (WebShop: with the grounded price clause), or ``None``
        when there is no text or it does not name the task (:func:`consistent_with`)."""
        if not text:
            return None
        text = align_price(text, grounded)
        return with_text(grounded, text, source="llm") if consistent_with(text, grounded) else None


_PRICE_CLAUSE = re.compile(r"[,;|]?\s*(and\s+)?(price|priced)\b.*$", re.IGNORECASE)


def align_price(text: str, grounded: Intent) -> str:
    """WebShop: replace whatever price the LLM wrote by the grounded goal's bound (the env scores that one)."""
    goal = grounded.options.get("goal")
    if env_family(grounded.env_id) != "webshop" or not isinstance(goal, dict):
        return text
    text = _PRICE_CLAUSE.sub("", text).rstrip(" ,.;|")
    upper = float(goal.get("price_upper", 0) or 0)
    return f"{text}, and price lower than {upper:.2f} dollars" if 0 < upper < 1e6 else text


_STOPWORDS = frozenset({"the", "and", "with", "that", "this", "from", "into", "your", "then", "them", "have", "will"})


def consistent_with(text: str, grounded: Intent) -> bool:
    """Whether an LLM-written instruction names what the grounded intent is about (a cheap guard
    against a small model copying its few-shot examples): Game of 24, every number of the puzzle;
    WebShop, a word of the product type; otherwise a content word of the task text."""
    lowered = text.lower()
    family = env_family(grounded.env_id)
    if family == "game24":
        have = re.findall(r"\d+", lowered)
        return all(have.count(n) >= grounded.task_id.split().count(n) for n in set(grounded.task_id.split()))
    if family == "webshop" and isinstance(grounded.options.get("goal"), dict):
        words = re.findall(r"[a-z]{3,}", str(grounded.options["goal"].get("product_type", "")).lower())
        said = set(re.findall(r"[a-z]{3,}", lowered))
        return any(w in said or w.rstrip("s") in said or f"{w}s" in said for w in words) if words else True
    words = {w for w in re.findall(r"[a-z]{4,}", grounded.text.lower()) if w not in _STOPWORDS}
    return not words or any(w in set(re.findall(r"[a-z]{4,}", lowered)) for w in words)


def with_text(intent: Intent, text: str, *, source: str) -> Intent:
    """``intent`` with another instruction text (also inside a WebShop goal option)."""
    options = dict(intent.options)
    if isinstance(options.get("goal"), dict):
        options["goal"] = {**options["goal"], "instruction": text}
    return Intent(text, intent.env_id, intent.task_id, options, intent.seed, source, intent.kind, intent.grounding)
