"""TextRollout: a ``GRPOTrainer(rollout_func=...)`` that plays text envs by completion, with no tool-call parsing.

For models whose tool calls TRL cannot parse (a base model with no chat template, such as the offline Gemma 3
270M, or Gemma 3's own template, which ``add_response_schema`` does not know), the policy writes plain text::

    <prompt: instructions, task, first observation>
    Action: <model tokens up to a newline>
    Observation: <env text>            <- env_mask 0: kept out of the loss
    Action: <model tokens> ...

An EOS or an empty action ends the rollout (the env is stepped with the text before an EOS).

The rollout returns ``prompt_ids``, ``completion_ids``, ``logprobs`` (``None``: the trainer computes them),
``env_mask`` (1 for the model's tokens, 0 for the env's) and ``arm_trajectory`` (each rollout's
:class:`~arm_gym.trajectory.Trajectory`, which :func:`~arm_gym.wrappers.trl_env.reward_model_reward` and
:func:`~arm_gym.wrappers.trl_env.env_return_reward` score). A ``rollout_func`` sees only the prompts, so the
task of a prompt is looked up in the table :meth:`TextRollout.dataset` fills (or given by ``reset_kwargs``).
Generation uses the trainer's own model and sampling settings (the transformers path, not vLLM).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from arm_gym.wrappers.trl_env import TRLEnvironment, prompt_text

DEFAULT_PREAMBLE = "You act in a text environment. Write one action per line after 'Action:'."


class TextRollout:
    """Multi-turn text rollouts for ``GRPOTrainer(rollout_func=TextRollout(...))``.

    Example:
        >>> from arm_gym.wrappers import TextRollout, environment_factory, reward_model_reward
        >>> rollout = TextRollout(environment_factory("ARM-Game24-v0", reward=None, show_actions=False))
        >>> print(rollout.dataset(1)["prompt"][0])  # doctest: +ELLIPSIS
        You act in a text environment. Write one action per line after 'Action:'.
        <BLANKLINE>
        Task: Use the numbers 3 3 4 4 and basic arithmetic operations (+ - * /) to obtain 24. ...
        <BLANKLINE>
        Observation: Numbers left: 3 3 4 4
        Action:
        >>> trainer = GRPOTrainer(model, reward_funcs=reward_model_reward("runs/rm-game24"),  # doctest: +SKIP
        ...                       train_dataset=rollout.dataset(256), rollout_func=rollout, args=args)

    Args:
        environment_factory: a zero-argument callable returning a :class:`TRLEnvironment` (one per rollout).
        max_turns: most actions per rollout.
        max_action_tokens: most tokens the model writes for one action (it stops earlier at a newline or EOS).
        reset_kwargs: ``prompt -> reset kwargs`` (``seed``, ``task_id``...) for prompts not made by :meth:`dataset`.
        preamble: the text before the task in prompts made by :meth:`dataset`.
    """

    def __init__(
        self,
        environment_factory: Callable[[], TRLEnvironment],
        *,
        max_turns: int = 8,
        max_action_tokens: int = 32,
        reset_kwargs: Callable[[Any], Mapping[str, Any]] | None = None,
        preamble: str = DEFAULT_PREAMBLE,
    ):
        if max_turns < 1 or max_action_tokens < 1:
            raise ValueError("max_turns and max_action_tokens must be positive")
        self.environment_factory = environment_factory
        self.max_turns = max_turns
        self.max_action_tokens = max_action_tokens
        self.reset_kwargs = reset_kwargs
        self.preamble = preamble
        self.tasks: dict[str, dict[str, Any]] = {}
        self._pool: list[TRLEnvironment] = []
        self.environments: list[TRLEnvironment] = []
        """The environments of the latest call, in rollout order."""

    # ------------------------------------------------------------------ data
    def dataset(self, n: int, *, start: int = 0, split: str | None = None) -> Any:
        """A ``datasets.Dataset`` of ``n`` plain-text prompts, one task each (seeds ``start..``), remembered here.

        Each prompt holds the preamble, the task and its first observation and ends with ``"Action:"``.
        """
        from datasets import Dataset

        if n < 1:
            raise ValueError(f"n must be positive, not {n}")
        env = self._env(0)
        prompts = []
        for seed in range(start, start + n):
            row = {"seed": seed, **({"split": split} if split is not None else {})}
            prompt = f"{self.preamble}\n\n{env.reset(**row)}\nAction:"
            self.tasks.setdefault(prompt, row)  # two seeds with one first observation share the first's task
            prompts.append(prompt)
        return Dataset.from_dict({"prompt": prompts})

    def _reset_row(self, prompt: Any) -> dict[str, Any]:
        key = prompt_text(prompt)
        if key in self.tasks:
            return dict(self.tasks[key])
        if self.reset_kwargs is not None:
            return dict(self.reset_kwargs(prompt))
        raise ValueError(
            "TextRollout got a prompt it did not make: build the dataset with TextRollout.dataset(...) or pass "
            f"reset_kwargs=prompt -> {{'seed': ...}}. Prompt starts: {key[:80]!r}"
        )

    def _start(self, prompt: Any, env: TRLEnvironment, tokenizer: Any, trainer: Any) -> str:
        """Reset ``env`` to the prompt's task; the text the model continues (chat prompts through the template)."""
        known = prompt_text(prompt) in self.tasks
        reset_text = env.reset(**self._reset_row(prompt))
        text = _render(prompt, tokenizer, trainer)
        return text if known else f"{text}\n\n{reset_text}\nAction:"

    def _env(self, index: int) -> TRLEnvironment:
        while len(self._pool) <= index:
            self._pool.append(self.environment_factory())
        return self._pool[index]

    # ------------------------------------------------------------------ the rollout_func contract
    def __call__(self, prompts: Sequence[Any], trainer: Any) -> dict[str, list]:
        """Play one episode per prompt with the trainer's model; TRL's ``rollout_func`` output."""
        if getattr(trainer, "use_vllm", False):
            raise ValueError("TextRollout generates with the trainer's transformers model; set use_vllm=False")
        tokenizer = getattr(trainer.processing_class, "tokenizer", trainer.processing_class)
        budget = int(trainer.max_completion_length)
        config = copy.deepcopy(trainer.generation_config)
        config.max_new_tokens = self.max_action_tokens
        eos = set(_as_list(config.eos_token_id) or _as_list(tokenizer.eos_token_id))

        self.environments = [self._env(i) for i in range(len(prompts))]
        prompt_ids, completion, mask, running = [], [], [], []
        for prompt, env in zip(prompts, self.environments):
            prompt_ids.append(
                tokenizer(self._start(prompt, env, tokenizer, trainer), add_special_tokens=False)["input_ids"]
            )
            completion.append([])
            mask.append([])
            running.append(True)

        for turn in range(self.max_turns):
            active = [i for i, r in enumerate(running) if r]
            if not active:
                break
            generated = _generate(trainer, tokenizer, [prompt_ids[i] + completion[i] for i in active], config)
            for i, ids in zip(active, generated):
                ids, stopped = _cut_action(ids, tokenizer, eos)
                ids = ids[: budget - len(completion[i])]
                completion[i] += ids
                mask[i] += [1] * len(ids)
                action = tokenizer.decode(ids, skip_special_tokens=True).split("\n")[0].strip()
                env = self.environments[i]
                observation = env.act(action) if action else None
                if stopped or env.done or turn == self.max_turns - 1 or observation is None:
                    running[i] = False
                    continue
                newline = "" if tokenizer.decode(ids).endswith("\n") else "\n"
                env_text = f"{newline}Observation: {observation}\nAction:"
                env_ids = tokenizer(env_text, add_special_tokens=False)["input_ids"]
                if len(completion[i]) + len(env_ids) >= budget:
                    running[i] = False
                    continue
                completion[i] += env_ids
                mask[i] += [0] * len(env_ids)
        return {
            "prompt_ids": prompt_ids,
            "completion_ids": completion,
            "logprobs": None,
            "env_mask": mask,
            "arm_trajectory": [env.trajectory for env in self.environments],
        }


def _render(prompt: Any, tokenizer: Any, trainer: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    kwargs = getattr(trainer, "chat_template_kwargs", None) or {}
    return tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False, **kwargs)


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [int(value)]


def _cut_action(ids: list[int], tokenizer: Any, eos: set[int]) -> tuple[list[int], bool]:
    """The action's tokens: up to and including the first newline or EOS; ``True`` when the model stopped (EOS)."""
    for k, token in enumerate(ids):
        if token in eos:
            return ids[: k + 1], True
        if "\n" in tokenizer.decode([token]):
            return ids[: k + 1], False
    return ids, False


def _generate(trainer: Any, tokenizer: Any, sequences: list[list[int]], config: Any) -> list[list[int]]:
    """Sample one continuation per sequence with the trainer's model (left-padded batch)."""
    import torch
    from trl.models import unwrap_model_for_generation

    width = max(len(s) for s in sequences)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    input_ids = torch.tensor([[pad] * (width - len(s)) + s for s in sequences])
    attention = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in sequences])
    device = trainer.accelerator.device
    args = trainer.args
    with (
        unwrap_model_for_generation(
            trainer.model_wrapped,
            trainer.accelerator,
            gather_deepspeed3_params=args.ds3_gather_for_generation,
            gradient_checkpointing_kwargs=args.gradient_checkpointing_kwargs,
        ) as model,
        torch.no_grad(),
    ):
        out = model.generate(
            input_ids=input_ids.to(device), attention_mask=attention.to(device), generation_config=config
        )
    return [row[width:].tolist() for row in out.cpu()]
