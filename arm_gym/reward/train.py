"""Train a trajectory reward model on triplets with TRL's ``RewardTrainer`` (Bradley–Terry loss).

The pipeline: read ``triplets.jsonl`` → split train/validation by task with :func:`~arm_gym.data.dataset.split_by_task` (no task in both; the
same split as the Hugging Face export) → render
every (intent, trajectory) within the token budget with the model's :class:`RenderConfig` and
tokenize it (so TRL never drops a pair for length; pairs identical after rendering carry no signal
and are dropped, counted and reported) → ``RewardTrainer`` with reward centering (ARMAP's 1e-3),
validation pairwise accuracy each epoch, checkpoints every ``save_steps`` that a rerun resumes →
a safetensors checkpoint with arm_gym metadata in ``out_dir``.

Runs unchanged under ``accelerate launch`` (the Trainer handles the processes; files are written by
the main process only).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.data.dataset import load_triplets, split_by_task
from arm_gym.data.triplets import Triplet
from arm_gym.jsonl import append_jsonl
from arm_gym.reward.pairs import graded_pairs, prefix_pairs
from arm_gym.reward.render import RenderConfig, render_trajectory
from arm_gym.trajectory import Trajectory

logger = logging.getLogger(__name__)

RUN_FILE = "arm_gym_run.json"
SUMMARY_FILE = "train_summary.json"
VAL_FILE = "val_triplets.jsonl"


@dataclass
class TrainConfig:
    """Reward-model training settings; the defaults finish a few thousand pairs on 2 CPU cores in minutes.

    ``precision="auto"`` trains with bf16 autocast on CUDA with bf16 and on CPUs with native bf16
    (see the README's measured table), fp32 elsewhere. ``margin_scale > 0`` adds TRL's margin
    ``margin_scale * (chosen_return - rejected_return)`` to the Bradley-Terry loss, so a negative
    that earns less env return is pushed further down (0: plain Bradley-Terry, as ARMAP).
    ``graded_pairs`` (on by default) adds training pairs between the trajectories of one intent whose
    audited env returns differ (e.g. a partial-credit negative over a zero-return one), see
    :func:`graded_pairs`: without them a model has no signal to order partial purchases above "bought nothing";
    plain ARMAP triplets: ``graded_pairs=False``.
    ``prefix_pairs`` adds, for each training pair whose trajectories take the same actions and then diverge,
    pairs of their prefixes cut after the divergence (:func:`prefix_pairs`, at most ``max_prefix_pairs`` a
    pair), so the model also ranks the partial trajectories a shaped RL reward scores; validation stays whole.
    Off by default: it costs up to ``1 + max_prefix_pairs`` times the training pairs (about twice on Game of 24);
    what it does to ranking and to RL is measured in ``benchmarks/results/*prefix*`` (README, RL section)."""

    backbone: str | None = None
    max_tokens: int = 256
    truncation_side: str = "left"
    epochs: float = 2.0
    optimizer_steps: int = -1
    batch_size: int = 16
    eval_batch_size: int = 64
    gradient_accumulation_steps: int = 1
    learning_rate: float = 5e-5
    weight_decay: float = 0.0
    warmup_ratio: float = 0.1
    center_rewards_coefficient: float | None = 1e-3
    margin_scale: float = 0.0
    graded_pairs: bool = True
    prefix_pairs: bool = False
    max_prefix_pairs: int = 4
    val_fraction: float = 0.1
    seed: int = 0
    precision: str = "auto"
    save_steps: int = 100
    logging_steps: int = 10
    max_pairs: int | None = None
    progress: bool = True
    trl_args: dict[str, Any] = field(default_factory=dict)
    """Further ``trl.RewardConfig`` settings, passed through as they are (they win over the ones above)."""

    def render_config(self) -> RenderConfig:
        return RenderConfig(max_tokens=self.max_tokens, truncation_side=self.truncation_side)


@dataclass
class TrainResult:
    """What :func:`train_reward_model` did: data counts, per-epoch validation accuracy, final metrics."""

    out_dir: str
    n_triplets: int
    n_graded: int
    n_train: int
    n_val: int
    truncated: int
    dropped_identical: int
    dropped_too_long: int
    n_prefix: int = 0
    epochs: list[dict[str, float]] = field(default_factory=list)
    val_accuracy: float | None = None
    train_runtime_s: float | None = None
    train_data_sha256: str = ""
    resumed_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------- data
def data_hash(triplets: Sequence[Triplet]) -> str:
    """SHA-256 of the triplets' canonical JSON, stored with the checkpoint to trace its training data."""
    digest = hashlib.sha256()
    for t in triplets:
        digest.update(json.dumps(t.to_dict(), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def provenance(train_set: Sequence[Triplet], val_set: Sequence[Triplet]) -> dict[str, Any]:
    """What a checkpoint was trained on, for ``eval-rm`` to check: the env ids, the ``gym.make`` kwargs the
    triplets were synthesized with (``None`` when they differ between triplets; graded and prefix pairs, derived
    from them, carry none) and the task ids of every
    training trajectory and intent (an evaluation task must not be one of them)."""
    everything = [*train_set, *val_set]
    synthesized = [t for t in everything if not (t.meta.get("graded") or "prefix" in t.meta)]  # not derived pairs
    kwargs = {json.dumps(t.meta.get("env_kwargs") or {}, sort_keys=True) for t in synthesized}
    tasks = set()
    for t in train_set:
        tasks.update((t.task_id, t.chosen_trajectory.task_id, t.rejected_trajectory.task_id))
        if t.meta.get("intent_task"):
            tasks.add(str(t.meta["intent_task"]))
    return {
        "env_ids": sorted({t.env_id for t in everything if t.env_id}),
        "env_kwargs": json.loads(kwargs.pop()) if len(kwargs) == 1 else None,
        "train_task_ids": sorted(x for x in tasks if x),
    }


def _render(prompt: str, trajectory: Trajectory, render: RenderConfig, tokenizer: Any) -> tuple[str, bool]:
    text = render.render(prompt, trajectory, tokenizer)
    return text, text != render_trajectory(prompt, trajectory, template=render.template)


def tokenize_triplets(
    triplets: Sequence[Triplet], tokenizer: Any, render: RenderConfig, *, margin_scale: float = 0.0
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """``[{"chosen_ids", "rejected_ids"(, "margin")}]`` rendered within the budget, and counts of
    truncated/dropped pairs."""
    rows: list[dict[str, list[int]]] = []
    stats = {"truncated": 0, "dropped_identical": 0}
    for t in triplets:
        chosen, cut_c = _render(t.prompt, t.chosen_trajectory, render, tokenizer)
        rejected, cut_r = _render(t.prompt, t.rejected_trajectory, render, tokenizer)
        stats["truncated"] += bool(cut_c or cut_r)
        chosen_ids, rejected_ids = render.encode([chosen, rejected], tokenizer)
        if chosen_ids == rejected_ids:
            stats["dropped_identical"] += 1
            continue
        row: dict[str, Any] = {"chosen_ids": chosen_ids, "rejected_ids": rejected_ids}
        if margin_scale:
            row["margin"] = margin_scale * max(0.0, t.chosen_return - t.rejected_return)
        rows.append(row)
    return rows, stats


# ---------------------------------------------------------------------- training
def _accuracy_callback(history: list[dict[str, float]]):
    from transformers import TrainerCallback

    class ValidationAccuracy(TrainerCallback):
        """Records (and logs) the validation pairwise accuracy after each evaluation."""

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            if metrics and "eval_accuracy" in metrics:
                row = {"epoch": float(state.epoch or 0), "step": int(state.global_step)}
                row.update({k[5:]: float(v) for k, v in metrics.items() if k.startswith("eval_")})
                history.append(row)
                if state.is_world_process_zero:
                    logger.info("epoch %.2f: validation pairwise accuracy %.3f", row["epoch"], row["accuracy"])

    return ValidationAccuracy()


def _use_bf16(precision: str) -> tuple[bool, bool]:
    """``(bf16, use_cpu)`` for the Trainer: bf16 autocast where :func:`resolve_precision` picks it."""
    from arm_gym.reward.model import resolve_device, resolve_precision

    device = resolve_device("auto")
    return resolve_precision(precision, device) == "bf16", device == "cpu"


TRL_NAMES: dict[str, str] = {
    "epochs": "num_train_epochs",
    "optimizer_steps": "max_steps",
    "batch_size": "per_device_train_batch_size",
    "eval_batch_size": "per_device_eval_batch_size",
    "gradient_accumulation_steps": "gradient_accumulation_steps",
    "learning_rate": "learning_rate",
    "weight_decay": "weight_decay",
    "warmup_ratio": "warmup_steps",  # TRL 1.x: a float below 1 is a ratio of the training steps
    "center_rewards_coefficient": "center_rewards_coefficient",
    "max_tokens": "max_length",
    "save_steps": "save_steps",
    "logging_steps": "logging_steps",
    "seed": "seed",
}
"""Which :class:`TrainConfig` field sets which ``trl.RewardConfig`` argument."""


def reward_config(config: TrainConfig, output_dir: Path, *, evaluate: bool) -> Any:
    """The ``trl.RewardConfig`` for ``config``: the :data:`TRL_NAMES` fields, the settings arm_gym fixes
    (precision, checkpointing, no reporting), then ``config.trl_args`` as given."""
    from trl import RewardConfig

    use_bf16, use_cpu = _use_bf16(config.precision)
    settings = {trl_name: getattr(config, name) for name, trl_name in TRL_NAMES.items()}
    settings.update(
        output_dir=str(output_dir),
        bf16=use_bf16,
        use_cpu=use_cpu,
        activation_checkpointing=False,  # (TRL defaults to on; a small encoder trains faster without)
        eval_strategy="epoch" if evaluate else "no",
        save_strategy="steps",
        save_total_limit=2,
        report_to="none",
        data_seed=config.seed,
        disable_tqdm=not config.progress,
        dataloader_num_workers=0,
    )
    settings.update(config.trl_args)
    return RewardConfig(**settings)


def _split(
    triplets: str | os.PathLike | Sequence[Triplet],
    val_triplets: str | os.PathLike | Sequence[Triplet] | None,
    config: TrainConfig,
) -> tuple[list[Triplet], list[Triplet], list[Triplet], int, int]:
    """``(all triplets, train set with graded and prefix pairs, validation set, number of graded pairs, number of
    prefix pairs)``."""
    all_triplets = load_triplets(triplets) if isinstance(triplets, (str, os.PathLike)) else list(triplets)
    if config.max_pairs is not None:
        all_triplets = all_triplets[: config.max_pairs]
    if not all_triplets:
        raise ValueError("no triplets to train on")
    if val_triplets is not None:
        train_set = all_triplets
        val_set = load_triplets(val_triplets) if isinstance(val_triplets, (str, os.PathLike)) else list(val_triplets)
    else:
        train_set, val_set = split_by_task(all_triplets, validation_fraction=config.val_fraction, seed=config.seed)
    extra: list[Triplet] = []
    if config.graded_pairs:
        extra = graded_pairs(train_set)
        logger.info("graded pairs: %d added to %d training triplets", len(extra), len(train_set))
    prefixes: list[Triplet] = []
    if config.prefix_pairs:
        prefixes = prefix_pairs(train_set + extra, max_per_pair=config.max_prefix_pairs)
        logger.info("prefix pairs: %d added to %d training pairs", len(prefixes), len(train_set) + len(extra))
    return all_triplets, train_set + extra + prefixes, val_set, len(extra), len(prefixes)


def _resume_point(ckpt_dir: Path, sha: str, config: TrainConfig, resume: bool, is_main: bool) -> str | None:
    """The checkpoint to resume from (``None``: start afresh); refuses checkpoints of other training data."""
    from transformers.trainer_utils import get_last_checkpoint

    last = get_last_checkpoint(str(ckpt_dir)) if resume and ckpt_dir.is_dir() else None
    if last is not None:
        previous = json.loads((ckpt_dir / RUN_FILE).read_text()) if (ckpt_dir / RUN_FILE).exists() else {}
        if previous.get("train_data_sha256") not in (None, sha):
            raise ValueError(
                f"{ckpt_dir} holds checkpoints of a run on different training data; "
                "use another --out or start over (resume=False / --no-resume)"
            )
        logger.info("resuming from %s", last)
    if is_main:
        ckpt_dir.mkdir(parents=True, exist_ok=True)
        run_info = {"train_data_sha256": sha, "config": asdict(config)}
        (ckpt_dir / RUN_FILE).write_text(json.dumps(run_info, indent=2) + "\n")
    return last


def _rows(
    train_set: Sequence[Triplet], val_set: Sequence[Triplet], tokenizer: Any, render: RenderConfig, config: TrainConfig
) -> tuple[list[dict], list[dict], dict[str, dict[str, int]]]:
    """Rendered, tokenized training and validation rows (identical pairs dropped and counted)."""
    train_rows, train_stats = tokenize_triplets(train_set, tokenizer, render, margin_scale=config.margin_scale)
    val_rows, val_stats = tokenize_triplets(val_set, tokenizer, render, margin_scale=config.margin_scale)
    if not train_rows:
        raise ValueError("every training pair was identical after rendering; nothing to learn from")
    for name, stats, n in (("train", train_stats, len(train_set)), ("validation", val_stats, len(val_set))):
        if stats["truncated"] or stats["dropped_identical"]:
            logger.warning(
                "%s: %d of %d pairs truncated to %d tokens; %d dropped (chosen and rejected identical after rendering)",
                name, stats["truncated"], n, render.max_tokens, stats["dropped_identical"],
            )
    return train_rows, val_rows, {"train": train_stats, "validation": val_stats}


def train_reward_model(
    triplets: str | os.PathLike | Sequence[Triplet],
    out_dir: str | os.PathLike,
    config: TrainConfig | None = None,
    *,
    val_triplets: str | os.PathLike | Sequence[Triplet] | None = None,
    resume: bool = True,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Train a reward model and save it to ``out_dir``; see the module docstring for the steps.

    Args:
        triplets: a ``triplets.jsonl`` path or :class:`~arm_gym.data.triplets.Triplet` objects.
        out_dir: where the final checkpoint, ``val_triplets.jsonl``, ``train_summary.json`` and the
            resumable ``checkpoints/`` go.
        config: :class:`TrainConfig` (defaults when ``None``).
        val_triplets: a held-out set; by default ``config.val_fraction`` of the tasks is held out.
        resume: continue from the last checkpoint in ``out_dir/checkpoints`` when there is one.
        callbacks: extra ``transformers.TrainerCallback`` objects.
    """
    from accelerate import PartialState
    from datasets import Dataset
    from trl import RewardTrainer

    from arm_gym.reward.model import fp32_head, load_backbone

    config = config or TrainConfig()
    out = Path(out_dir)
    all_triplets, train_set, val_set, n_graded, n_prefix = _split(triplets, val_triplets, config)
    sha = data_hash(train_set)
    state = PartialState()
    ckpt_dir = out / "checkpoints"
    last = _resume_point(ckpt_dir, sha, config, resume, state.is_main_process)

    model, tokenizer = load_backbone(config.backbone)
    render = config.render_config()
    train_rows, val_rows, stats = _rows(train_set, val_set, tokenizer, render, config)
    args = reward_config(config, ckpt_dir, evaluate=bool(val_rows))
    if args.bf16:  # a bf16 head rounds close scores into ties: the loss and validation accuracy see fp32 scores
        fp32_head(model)
    history: list[dict[str, float]] = []
    trainer = RewardTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(val_rows) if val_rows else None,
        processing_class=tokenizer,
        callbacks=[_accuracy_callback(history), *callbacks],
    )
    if not config.progress:  # no per-step log dicts either (the Trainer prints them when its bar is off)
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)
    too_long = len(train_rows) - len(trainer.train_dataset)
    if too_long:
        logger.warning("TRL dropped %d training pairs longer than %d tokens", too_long, render.max_tokens)
    output = trainer.train(resume_from_checkpoint=last)

    result = TrainResult(
        out_dir=str(out),
        n_triplets=len(all_triplets),
        n_graded=n_graded,
        n_prefix=n_prefix,
        n_train=len(trainer.train_dataset),
        n_val=len(val_rows),
        truncated=stats["train"]["truncated"] + stats["validation"]["truncated"],
        dropped_identical=stats["train"]["dropped_identical"] + stats["validation"]["dropped_identical"],
        dropped_too_long=too_long,
        epochs=history,
        train_runtime_s=float(output.metrics.get("train_runtime", 0.0)),
        train_data_sha256=sha,
        resumed_from=last,
    )
    trainer.save_model(str(out))
    state.wait_for_everyone()
    if trainer.is_world_process_zero():
        _finish_checkpoint(trainer, out, result, render, config, train_set, val_set, val_rows)
    return result


def _finish_checkpoint(
    trainer: Any,
    out: Path,
    result: TrainResult,
    render: RenderConfig,
    config: TrainConfig,
    train_set: Sequence[Triplet],
    val_set: Sequence[Triplet],
    val_rows: Sequence[dict],
) -> None:
    """On the main process: drop the pickled training args, measure the final validation accuracy, save the
    validation triplets, the arm_gym metadata (with provenance) and the training summary."""
    from arm_gym.reward.model import RewardModel, write_metadata

    (out / "training_args.bin").unlink(missing_ok=True)  # a pickle: keep the checkpoint safetensors-only
    if val_rows:
        rm = RewardModel(trainer.model, trainer.processing_class, render=render, device=str(trainer.args.device),
                         precision=config.precision)
        chosen = rm.score_ids([r["chosen_ids"] for r in val_rows])
        rejected = rm.score_ids([r["rejected_ids"] for r in val_rows])
        result.val_accuracy = float(np.mean(chosen > rejected))
        (out / VAL_FILE).unlink(missing_ok=True)
        append_jsonl(out / VAL_FILE, (t.to_dict() for t in val_set))
    meta = {
        "provenance": provenance(train_set, val_set),
        "backbone": str(config.backbone or "all-MiniLM-L6-v2"),
        "train_data_sha256": result.train_data_sha256,
        "training": {k: v for k, v in result.to_dict().items() if k not in ("out_dir", "epochs")},
    }
    write_metadata(out, meta, render)
    (out / SUMMARY_FILE).write_text(json.dumps(result.to_dict(), indent=2) + "\n")
