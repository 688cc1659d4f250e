"""The one function that turns (instruction, trajectory) into reward-model input text.

Training and scoring both call :func:`render_trajectory` (through :class:`RenderConfig`), so a
model always sees the format it was trained on.

Without a tokenizer the whole trajectory is rendered. With a tokenizer and ``max_tokens`` the text
fits the budget (special tokens included): the instruction is always kept, and steps are dropped
from the side given by ``truncation_side`` (``"left"`` drops the oldest steps and keeps the most
recent ones, ARMAP's choice; ``"right"`` keeps the earliest) with a one-line note saying how many
were left out. A step too long for what is left of the budget is cut inside its text.

Template 2 writes ``[instruction]`` where an observation repeats the instruction word for word (WebShop prints
it on every page: about a fifth of a trajectory's tokens), so the budget goes to what changed. Template 3 (the
default) also writes ``[unchanged]`` for an observation identical to the one before it (WebShop re-prints the whole
item page after every option click: 100 of 741 steps of its evaluation episodes, ~130 tokens each), so a 512-token
window holds the item page, the clicks and the purchase together. Template 1, the text of older checkpoints, keeps
every repeat; a checkpoint renders with the template it was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from arm_gym.trajectory import Step, Trajectory

TEMPLATE_VERSION = 3
"""Bumped whenever the rendered text changes, so a checkpoint can tell which format it was trained on."""
TEMPLATES = (1, 2, 3)
"""The templates :func:`render_trajectory` can still write (older checkpoints keep theirs)."""
INSTRUCTION_MARK = "[instruction]"
UNCHANGED_MARK = "[unchanged]"

MIN_TOKENS = 32
"""The smallest budget :func:`render_trajectory` accepts (room for a cut instruction and one cut step)."""

_ELLIPSIS = " ..."
_MIN_PARTIAL = 16  # a cut step is shown only when at least this many tokens of it fit


def _steps_of(trajectory: Trajectory | Sequence[Step], initial_observation: str | None) -> tuple[list[Step], str]:
    if isinstance(trajectory, Trajectory):
        steps = list(trajectory.steps)
        if initial_observation is None:
            initial_observation = trajectory.initial_observation
    else:
        steps = list(trajectory)
    return steps, initial_observation or ""


def _step_texts(steps: list[Step], initial_observation: str, instruction: str, template: int) -> list[str]:
    blocks, previous = [], initial_observation
    for step in steps:
        same = template >= 3 and step.observation == previous and bool(previous)
        observation = UNCHANGED_MARK if same else _observation(step.observation, instruction, template)
        blocks.append(f"Action: {step.action}\nObservation: {observation}")
        previous = step.observation
    return blocks


def _observation(text: str, instruction: str, template: int) -> str:
    if template >= 2 and len(instruction) >= 8:  # a short instruction could match inside other text
        return text.replace(instruction, INSTRUCTION_MARK)
    return text


def render_trajectory(
    instruction: str,
    trajectory: Trajectory | Sequence[Step],
    *,
    initial_observation: str | None = None,
    tokenizer: Any = None,
    max_tokens: int | None = None,
    truncation_side: str = "left",
    template: int = TEMPLATE_VERSION,
) -> str:
    """Render a trajectory for the reward model: the instruction, then alternating actions and observations.

    Args:
        instruction: the task (or synthesized intent) the trajectory is judged against.
        trajectory: a :class:`~arm_gym.core.Trajectory` or a sequence of :class:`~arm_gym.core.Step`.
        initial_observation: the observation before the first action (default: the trajectory's own).
        tokenizer: a Hugging Face tokenizer; needed when ``max_tokens`` is set.
        max_tokens: the budget in tokens, special tokens included (``None``: no limit).
        truncation_side: ``"left"`` keeps the most recent steps, ``"right"`` the earliest.
        template: the text format (:data:`TEMPLATES`); 2 marks an observation's repeat of the instruction, 3 also
            an observation identical to the one before.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown render template {template!r}; this arm_gym writes {TEMPLATES}")
    if truncation_side not in ("left", "right"):
        raise ValueError(f"truncation_side must be 'left' or 'right', not {truncation_side!r}")
    steps, initial_observation = _steps_of(trajectory, initial_observation)
    header = [f"Instruction: {instruction}"]
    if initial_observation:
        header.append(f"Observation: {_observation(initial_observation, instruction, template)}")
    blocks = _step_texts(steps, initial_observation, instruction, template)
    if max_tokens is None:
        return "\n".join(header + blocks)
    if tokenizer is None:
        raise ValueError("render_trajectory: max_tokens needs a tokenizer to count tokens")
    if max_tokens < MIN_TOKENS:
        raise ValueError(f"max_tokens must be at least {MIN_TOKENS}, not {max_tokens}")
    return _Budget(tokenizer, max_tokens).fit(header, blocks, truncation_side)


class _Budget:
    """Fits header lines and step blocks into a token budget with one tokenizer."""

    def __init__(self, tokenizer: Any, max_tokens: int):
        self.tokenizer = tokenizer
        self.limit = max_tokens - tokenizer.num_special_tokens_to_add(pair=False)
        # Counting a long text is expected here: silence the tokenizer's one-time "longer than maximum" warning.
        warned = getattr(tokenizer, "deprecation_warnings", None)
        if isinstance(warned, dict):
            warned["sequence-length-is-longer-than-the-specified-maximum"] = True

    def counts(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def count(self, text: str) -> int:
        return self.counts([text])[0]

    def cut(self, text: str, n_tokens: int) -> str:
        """The longest prefix of ``text`` of at most ``n_tokens`` tokens, with an ellipsis when cut."""
        if n_tokens <= 0:
            return ""
        if self.count(text) <= n_tokens:
            return text
        n_tokens = max(0, n_tokens - self.count(_ELLIPSIS))
        if getattr(self.tokenizer, "is_fast", False):
            offsets = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
            end = offsets[n_tokens - 1][1] if n_tokens > 0 else 0
        else:  # slow tokenizer: binary search on characters
            lo, hi = 0, len(text)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if self.count(text[:mid]) <= n_tokens else (lo, mid - 1)
            end = lo
        return text[:end].rstrip() + _ELLIPSIS

    def fit(self, header: list[str], blocks: list[str], side: str) -> str:
        full = "\n".join(header + blocks)
        if self.count(full) <= self.limit:
            return full
        # The header gets at most half of the budget when there are steps to show.
        header_cap = self.limit // 2 if blocks else self.limit
        header = self._fit_header(header, header_cap)
        used = self.count("\n".join(header))
        note_cost = self.count(f"[{len(blocks)} later steps omitted]") + 1
        room = self.limit - used - note_cost
        order = range(len(blocks) - 1, -1, -1) if side == "left" else range(len(blocks))
        block_costs = self.counts(blocks)
        kept: dict[int, str] = {}
        for i in order:
            cost = block_costs[i] + 1  # the joining newline never adds a token for WordPiece, may for BPE
            if cost <= room:
                kept[i] = blocks[i]
                room -= cost
            else:
                if room > (4 if not kept else _MIN_PARTIAL):  # fill what is left with the head of this step
                    kept[i] = self.cut(blocks[i], room - 1)
                break
        while True:
            text = self._assemble(header, blocks, kept, side)
            if self.count(text) <= self.limit or not kept:
                break
            # Tokenizers that merge across newlines can overshoot by a few tokens: drop the farthest kept step.
            del kept[min(kept) if side == "left" else max(kept)]
        if self.count(text) > self.limit:
            text = self.cut(text, self.limit)
        return text

    def _fit_header(self, header: list[str], cap: int) -> list[str]:
        if self.count("\n".join(header)) <= cap:
            return header
        instruction = header[0]
        if len(header) > 1:
            rest = cap - self.count(instruction) - 1
            if rest > 4:
                return [instruction, self.cut(header[1], rest)]
        return [self.cut(instruction, cap)]

    @staticmethod
    def _assemble(header: list[str], blocks: list[str], kept: dict[int, str], side: str) -> str:
        idx = sorted(kept)
        omitted = len(blocks) - len(idx)
        lines = list(header)
        if side == "left":
            if omitted:
                lines.append(f"[{omitted} earlier steps omitted]")
            lines += [kept[i] for i in idx]
        else:
            lines += [kept[i] for i in idx]
            if omitted:
                lines.append(f"[{omitted} later steps omitted]")
        return "\n".join(lines)


@dataclass(frozen=True)
class RenderConfig:
    """How a reward model renders its input; saved with every checkpoint.

    Args:
        max_tokens: token budget per rendered trajectory, special tokens included.
        truncation_side: ``"left"`` (keep the most recent steps) or ``"right"`` (keep the earliest).
        template: :data:`TEMPLATE_VERSION` of the text format.
    """

    max_tokens: int = 256
    truncation_side: str = "left"
    template: int = TEMPLATE_VERSION

    def __post_init__(self) -> None:
        if self.truncation_side not in ("left", "right"):
            raise ValueError(f"truncation_side must be 'left' or 'right', not {self.truncation_side!r}")
        if self.max_tokens < MIN_TOKENS:
            raise ValueError(f"max_tokens must be at least {MIN_TOKENS}, not {self.max_tokens}")
        if self.template not in TEMPLATES:
            raise ValueError(f"unknown render template {self.template!r}; this arm_gym writes {TEMPLATES}")

    def render(
        self,
        instruction: str,
        trajectory: Trajectory | Sequence[Step],
        tokenizer: Any,
        *,
        initial_observation: str | None = None,
    ) -> str:
        """:func:`render_trajectory` with this config's budget and truncation side."""
        return render_trajectory(
            instruction,
            trajectory,
            initial_observation=initial_observation,
            tokenizer=tokenizer,
            max_tokens=self.max_tokens,
            truncation_side=self.truncation_side,
            template=self.template,
        )

    def encode(self, texts: Sequence[str], tokenizer: Any) -> list[list[int]]:
        """Token ids (special tokens included) of rendered texts, capped at ``max_tokens``.

        Training and scoring both tokenize through here, so the two always agree.
        """
        if not texts:
            return []
        enc = tokenizer(list(texts), add_special_tokens=True, truncation=True, max_length=self.max_tokens)
        return [list(ids) for ids in enc["input_ids"]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderConfig:
        known = {k: data[k] for k in ("max_tokens", "truncation_side", "template") if k in data}
        return cls(**known)
