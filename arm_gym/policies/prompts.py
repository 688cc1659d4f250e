"""ReAct-style prompts for acting in a text environment: chat messages and few-shot completion text.

An episode renders as ``Task:`` / ``Observation:`` / ``Valid actions:`` / ``Action:`` lines.
In completion mode (base models) few-shot examples in that format come first and the prompt ends
with ``Action:``, so the model's first line is the action. In chat mode (instruction-tuned
models) the model is asked for a ``Thought:`` and then one ``Action:`` line (ReAct).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from arm_gym.trajectory import Step
from arm_gym.llm.base import Message

SYSTEM_PROMPT = (
    "You are an agent acting in a text environment to complete a task. Each turn you see the latest "
    "observation and the valid actions. Think briefly about what to do next, then reply in exactly this form:\n"
    "Thought: <one or two sentences>\n"
    "Action: <one action, copied from the valid actions>"
)

COMPLETION_HEADER = "Each turn, the agent picks one of the valid actions to complete the task.\n\n"


def as_steps(history: Sequence[Any]) -> list[Step]:
    """``history`` as :class:`~arm_gym.trajectory.Step` records (accepts Steps, ``(action, observation)`` pairs or dicts)."""
    steps = []
    for h in history:
        if isinstance(h, Step):
            steps.append(h)
        elif isinstance(h, dict):
            steps.append(Step(str(h.get("action", "")), str(h.get("observation", "")), float(h.get("reward", 0.0))))
        else:
            action, observation = h[0], h[1]
            steps.append(Step(str(action), str(observation), 0.0))
    return steps


def _one_line(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_episode(
    instruction: str,
    observation: str,
    admissible: Sequence[str],
    history: Sequence[Any] = (),
    *,
    max_history: int = 8,
    max_actions: int = 40,
    max_observation_chars: int = 1500,
    reflections: Sequence[str] = (),
) -> str:
    """The episode so far in the prompt format, ending with the current valid actions (no ``Action:``).

    Keeps the last ``max_history`` steps and the first ``max_actions`` valid actions, so the prompt
    stays within a small model's context however long the episode or the action list grows.
    """
    steps = as_steps(history)
    lines = [f"Task: {_one_line(instruction, 1000)}"]
    for note in reflections:  # Reflexion: lessons from earlier failed attempts at this task
        lines.append(f"Reflection: {_one_line(note, 400)}")
    if len(steps) > max_history:
        lines.append(f"(... {len(steps) - max_history} earlier steps ...)")
        steps = steps[-max_history:]
    for step in steps:
        lines.append(f"Action: {_one_line(step.action, 300)}")
        lines.append(f"Observation: {_one_line(step.observation, max_observation_chars)}")
    if not steps or steps[-1].observation != observation:
        lines.append(f"Observation: {_one_line(observation, max_observation_chars)}")
    if admissible:
        shown = [_one_line(a, 200) for a in list(admissible)[:max_actions]]
        more = f" | ... ({len(admissible) - len(shown)} more)" if len(admissible) > len(shown) else ""
        lines.append("Valid actions: " + " | ".join(shown) + more)
    return "\n".join(lines) + "\n"


def completion_prompt(episode: str, examples: Sequence[str]) -> str:
    """Few-shot completion text: the examples, then ``episode``, ending with ``Action:``."""
    shots = "".join(f"{ex.rstrip()}\n\n" for ex in examples)
    return f"{COMPLETION_HEADER}{shots}{episode}Action:"


def chat_messages(episode: str, examples: Sequence[str] = (), system_prompt: str = SYSTEM_PROMPT) -> list[Message]:
    """ReAct chat messages: the system prompt (with examples when given) and the episode so far."""
    system = system_prompt
    if examples:
        system += "\n\nExamples of the format:\n\n" + "\n".join(ex.rstrip() + "\n" for ex in examples)
    user = f"{episode}\nWhat do you do next? Reply with a Thought: line and then an Action: line."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
