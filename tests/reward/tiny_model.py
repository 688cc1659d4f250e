"""Test helpers: a tiny freshly initialised BERT reward backbone and separable triplets from GenericTextEnv.

The backbone uses all-MiniLM-L6-v2's tokenizer with a 2-layer, 64-wide encoder (about 2M
parameters, mostly embeddings), so training and scoring take seconds on a CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from arm_gym.trajectory import Step, Trajectory
from arm_gym.data.triplets import Triplet
from tests.testing_env import GenericTextEnv


def make_tiny_backbone(path: str | Path, seed: int = 0) -> Path:
    """Save a freshly initialised 2-layer BERT sequence classifier (one label) with MiniLM's tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from arm_gym.reward.model import default_backbone_path

    path = Path(path)
    tokenizer = AutoTokenizer.from_pretrained(str(default_backbone_path()), local_files_only=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=512,
        num_labels=1,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(str(path))
    tokenizer.save_pretrained(str(path))
    return path


def rollout(env: GenericTextEnv, actions: list[str], *, task_id: str, seed: int = 0) -> Trajectory:
    """Play ``actions`` on ``env`` (stopping when the episode ends) and record the trajectory."""
    obs, info = env.reset(seed=seed, options={"task_id": task_id})
    traj = Trajectory(
        env_id="GenericTextEnv", task_id=task_id, instruction=info["instruction"], initial_observation=obs
    )
    for action in actions:
        obs, reward, terminated, truncated, info = env.step(action)
        traj.steps.append(Step(action, obs, reward))
        traj.env_return += reward
        traj.won = info["won"]
        if terminated or truncated:
            break
    return traj


def make_triplets(n: int, *, n_tasks: int = 20, seed: int = 0) -> list[Triplet]:
    """``n`` separable triplets: the chosen trajectory wins (``good`` x3), the rejected one fails (``bad``)."""
    rng = np.random.default_rng(seed)
    env = GenericTextEnv(n_tasks=n_tasks, goal_steps=3)
    triplets = []
    for i in range(n):
        task = f"t{i % n_tasks}"
        noise = ["wait"] * int(rng.integers(0, 3))
        chosen = rollout(env, noise + ["good", "good", "good"], task_id=task)
        k = int(rng.integers(0, 3))
        rejected = rollout(env, noise + ["good"] * k + ["bad"], task_id=task)
        prompt = chosen.instruction
        triplets.append(
            Triplet(
                prompt=prompt,
                chosen_trajectory=chosen,
                rejected_trajectory=rejected,
                chosen_return=chosen.env_return,
                rejected_return=rejected.env_return,
                task_id=task,
                env_id="GenericTextEnv",
            )
        )
    return triplets


_CACHE: dict[str, Path] = {}


def tiny_backbone(root: Path) -> Path:
    """A tiny backbone under ``root`` (made once per test session) that does not already prefer winning.

    Tries initialisation seeds until the untrained model ranks the chosen side of
    :func:`make_triplets` higher in at most half the pairs, so training has to move the accuracy
    from chance or below.
    """
    if "backbone" not in _CACHE:
        from arm_gym.reward.model import RewardModel

        triplets = make_triplets(60, seed=1)
        for seed in range(50):
            path = make_tiny_backbone(Path(root) / f"tiny-backbone-{seed}", seed=seed)
            rm = RewardModel.from_pretrained(path, precision="fp32", device="cpu")
            chosen = rm.score([(t.prompt, t.chosen_trajectory) for t in triplets])
            rejected = rm.score([(t.prompt, t.rejected_trajectory) for t in triplets])
            if np.mean(chosen > rejected) <= 0.5:
                break
        _CACHE["backbone"] = path
    return _CACHE["backbone"]


def tiny_train_config(backbone: Path, **overrides):
    """The :class:`~arm_gym.reward.train.TrainConfig` the tiny model trains with (small, fast, fp32)."""
    from arm_gym.reward.train import TrainConfig

    settings = {"max_tokens": 64, "epochs": 3, "batch_size": 16, "learning_rate": 1e-3, "val_fraction": 0.2}
    settings.update(progress=False, save_steps=10, precision="fp32")
    return TrainConfig(backbone=str(backbone), **{**settings, **overrides})


def trained_checkpoint(root: Path):
    """``(checkpoint folder, TrainResult, initial validation accuracy)`` of the tiny model trained once per session."""
    if "trained" not in _CACHE:
        from arm_gym.reward.evaluate import pairwise_accuracy
        from arm_gym.reward.model import RewardModel
        from arm_gym.data.dataset import split_by_task
        from arm_gym.reward.train import train_reward_model

        backbone = tiny_backbone(root)
        triplets = make_triplets(200)
        config = tiny_train_config(backbone)
        _, val = split_by_task(triplets, validation_fraction=config.val_fraction, seed=config.seed)
        initial = pairwise_accuracy(RewardModel.from_pretrained(backbone, precision="fp32", device="cpu"), val)
        out = Path(root) / "tiny-rm"
        result = train_reward_model(triplets, out, config)
        _CACHE["trained"] = (out, result, initial)
    return _CACHE["trained"]
