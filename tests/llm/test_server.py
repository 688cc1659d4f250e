"""LlamaServer: llama.cpp's server on 127.0.0.1, started, probed and stopped; a broken model fails clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from arm_gym.llm import LlamaServer, LLMError
from arm_gym.llm.server import free_port


def test_session_server_is_local_and_answers(llama_server) -> None:
    server = llama_server.server
    assert server.running and llama_server.base_url.startswith("http://127.0.0.1:")
    assert "--host" in server.command() and server.command()[server.command().index("--host") + 1] == "127.0.0.1"
    assert server.llm().complete("1, 2, 3,", max_tokens=3, stop=["\n"])[0].strip().startswith("4")


def test_missing_model_file_is_reported() -> None:
    with pytest.raises(FileNotFoundError, match="no GGUF model"):
        LlamaServer("/nonexistent/model.gguf")


def test_corrupt_model_fails_fast_with_the_servers_log(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    server = LlamaServer(bad, startup_timeout=120)
    with pytest.raises(LLMError, match="exited with code") as err:
        server.start()
    assert "log ends" in str(err.value)
    assert not server.running and server.process is None
    server.stop()  # idempotent


def test_stop_ends_the_process_and_closes_the_port() -> None:
    port = free_port()
    server = LlamaServer(port=port, n_ctx=512, n_threads=1)
    with server:
        process = server.process
        assert server.running and server.base_url == f"http://127.0.0.1:{port}/v1"
    assert process.poll() is not None and not server.running
    import socket

    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.1", port))  # nothing listens there any more


def test_extra_buffer_types_flag_follows_the_cpu(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    from arm_gym.llm.server import cpu_has_amx

    assert ("--no_extra_bufts" in LlamaServer(model, port=1).command()) == cpu_has_amx()
    assert "--no_extra_bufts" in LlamaServer(model, port=1, extra_buffer_types=False).command()
    assert "--no_extra_bufts" not in LlamaServer(model, port=1, extra_buffer_types=True).command()
