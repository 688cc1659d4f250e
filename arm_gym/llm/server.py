"""Start and stop llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server``) for a GGUF model.

The server binds 127.0.0.1 on a free port; :class:`LlamaServer` waits until ``/v1/models``
answers, keeps the server's log in a file, and says why when the process dies at start-up.
It serves the offline Gemma 3 270M (:func:`arm_gym.llm.gemma.gemma_gguf_path`) by default.

Example:
    >>> with LlamaServer() as server:  # doctest: +SKIP
    ...     llm = server.llm()
    ...     llm.complete("The capital of France is", max_tokens=4)
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from arm_gym.llm.base import LLMError

logger = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def cpu_has_amx() -> bool:
    """Whether the CPU reports Intel AMX (``amx_tile`` in ``/proc/cpuinfo``; False where unreadable)."""
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " amx_tile" in line for line in f)
    except OSError:
        return False


class LlamaServer:
    """A ``llama_cpp.server`` subprocess serving one GGUF model on 127.0.0.1.

    Args:
        model_path: the GGUF file (default: the offline Gemma 3 270M).
        model_alias: the model name clients send (``None``: ``"gemma-3-270m"`` for the default model,
            else the file name).
        port: the port (default: a free one).
        n_ctx: context length in tokens (default 8192: a WebShop prompt with a Reflexion lesson or two passes
            2,048; Gemma 3 270M was trained on 32k).
        n_threads: CPU threads (default: llama.cpp's choice).
        startup_timeout: seconds to wait for the server to answer.
        extra_buffer_types: let llama.cpp use its extra CPU buffer types (AMX, repacked weights).
            ``None`` (default): yes, unless the CPU reports AMX, whose llama.cpp kernels segfault in
            some VMs (see :mod:`arm_gym.llm._llama_server_main`).
        extra_args: more ``llama_cpp.server`` options, e.g. ``["--n_batch", "256"]``.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        model_alias: str | None = None,
        port: int | None = None,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        startup_timeout: float = 180.0,
        extra_buffer_types: bool | None = None,
        extra_args: list[str] | tuple[str, ...] = (),
    ):
        if model_path is None:
            from arm_gym.llm.gemma import MODEL_ALIAS, gemma_gguf_path

            model_path = gemma_gguf_path()
            model_alias = model_alias or MODEL_ALIAS
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise FileNotFoundError(f"no GGUF model at {self.model_path}")
        self.model_alias = model_alias or self.model_path.stem
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args)
        self.extra_buffer_types = (not cpu_has_amx()) if extra_buffer_types is None else extra_buffer_types
        self.process: subprocess.Popen | None = None
        self._log_file: Any = None
        self.log_path: Path | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ``http://127.0.0.1:PORT/v1``."""
        if self.port is None:
            raise RuntimeError("the server has not been started")
        return f"http://{self.host}:{self.port}/v1"

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LlamaServer(model={self.model_path.name!r}, alias={self.model_alias!r}, port={self.port}, {state})"

    @property
    def running(self) -> bool:
        """Whether the subprocess is alive."""
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        cmd = [
            sys.executable, "-m", "arm_gym.llm._llama_server_main",
            "--model", str(self.model_path),
            "--model_alias", self.model_alias,
            "--host", self.host,
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
        ]  # fmt: skip
        if self.n_threads:
            cmd += ["--n_threads", str(self.n_threads)]
        if not self.extra_buffer_types:
            cmd.append("--no_extra_bufts")
        return cmd + self.extra_args

    def start(self) -> LlamaServer:
        """Start the server and wait until it answers; raises :class:`LLMError` (with its log) if it cannot."""
        if self.running:
            return self
        try:
            import llama_cpp  # noqa: F401
        except ImportError as exc:
            raise ImportError('llama.cpp\'s server needs: pip install "llama-cpp-python[server]"') from exc
        if self.port is None:
            self.port = free_port(self.host)
        fd, log_path = tempfile.mkstemp(prefix="arm_gym_llama_server_", suffix=".log")
        self.log_path = Path(log_path)
        self._log_file = os.fdopen(fd, "wb")
        logger.info("starting llama.cpp server for %s on %s", self.model_path.name, self.base_url)
        # llama_cpp.server lets $HOST, $PORT and $CONFIG_FILE override its arguments: keep them out.
        env = {k: v for k, v in os.environ.items() if k not in ("HOST", "PORT", "CONFIG_FILE")}
        # llama.cpp's OpenMP threads spin while they wait; on a shared CPU that slows decoding 3-4x.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self.process = subprocess.Popen(
            self.command(), stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise LLMError(
                    f"llama.cpp server exited with code {self.process.returncode} while starting; "
                    f"its log ends:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                    if resp.status == 200 and json.loads(resp.read()).get("data"):
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            time.sleep(0.25)
        raise LLMError(
            f"llama.cpp server at {self.base_url} did not answer within {self.startup_timeout:g} s; "
            f"its log ends:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the server's output."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        if self._log_file is not None and not self._log_file.closed:
            self._log_file.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout`` seconds) and remove its log."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def llm(self, **kwargs: Any):
        """An :class:`~arm_gym.llm.openai_compat.OpenAICompatibleLLM` for this server."""
        from arm_gym.llm.openai_compat import OpenAICompatibleLLM

        return OpenAICompatibleLLM(base_url=self.base_url, model=self.model_alias, **kwargs)

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit, modules may already be gone
            self.stop(timeout=2.0)
