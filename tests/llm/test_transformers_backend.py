"""TransformersLLM on the real Gemma 3 270M (converted once from the offline GGUF, then loaded from safetensors).

Cost: the first run on a machine converts the GGUF (about 1–3 minutes on 2 cores, cached under
~/.cache/arm_gym); later runs load the checkpoint in seconds and the tests generate a few dozen tokens.
"""

from __future__ import annotations

import pytest

from arm_gym.llm import LLMError, TransformersLLM
from arm_gym.llm.gemma import gemma_hf_dir

CAPITALS = "France: Paris\nGermany: Berlin\nItaly: Rome\n"


@pytest.fixture(scope="module")
def gemma() -> TransformersLLM:
    return TransformersLLM(gemma_hf_dir(), batch_size=4, seed=0)


@pytest.mark.slow
def test_greedy_completion_with_stop(gemma: TransformersLLM) -> None:
    (text,) = gemma.complete(CAPITALS + "Spain:", max_tokens=6, stop=["\n"])
    assert text.strip() == "Madrid"
    assert gemma.usage["requests"] >= 1 and gemma.usage["completion_tokens"] >= 1


@pytest.mark.slow
def test_left_padded_batch_matches_single_prompts_in_order(gemma: TransformersLLM) -> None:
    prompts = [CAPITALS + "Spain:", "1, 2, 3, 4,", CAPITALS + "Japan:"]
    batch = gemma.complete_batch(prompts, max_tokens=4, stop=["\n"])
    singles = [gemma.complete(p, max_tokens=4, stop=["\n"]) for p in prompts]
    assert batch == singles
    assert "Madrid" in batch[0][0] and "5" in batch[1][0] and "Tokyo" in batch[2][0]


@pytest.mark.slow
def test_sampling_is_seeded_and_leaves_torch_rng_alone(gemma: TransformersLLM) -> None:
    import numpy as np
    import torch

    before = torch.random.get_rng_state().clone()
    gemma._rng = np.random.default_rng(123)
    first = gemma.complete("Once upon a time", n=2, temperature=1.0, max_tokens=6)
    gemma._rng = np.random.default_rng(123)
    second = gemma.complete("Once upon a time", n=2, temperature=1.0, max_tokens=6)
    assert first == second and len(first) == 2
    assert torch.equal(before, torch.random.get_rng_state())


@pytest.mark.slow
def test_chat_on_a_base_model_says_to_use_complete(gemma: TransformersLLM) -> None:
    assert not gemma.has_chat_template
    with pytest.raises(LLMError, match="no chat template"):
        gemma.chat([{"role": "user", "content": "hi"}])
    with pytest.raises(ValueError):
        gemma.complete("x", n=0)
