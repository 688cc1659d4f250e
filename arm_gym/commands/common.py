"""What the ``arm-gym`` sub-commands share: the ``--llm-*`` and ``--backend`` options, JSON options and error
reporting."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

USER_ERROR_MODULES = ("gymnasium", "arm_gym", "openai")
"""Exceptions raised from these packages (unknown ids, bad kwargs, backend errors) are reported in one line."""


def report_error(command: str, exc: BaseException) -> int:
    """Print a user-facing error as ``arm-gym COMMAND: message`` and return exit code 2; re-raise anything
    else (a bug should show its traceback)."""
    if isinstance(exc, (ValueError, OSError, ImportError)):  # ImportError: a missing extra, its message says which
        print(f"arm-gym {command}: {exc}", file=sys.stderr)
        return 2
    if type(exc).__module__.startswith(USER_ERROR_MODULES):
        print(f"arm-gym {command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    raise exc


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--llm-*`` options shared by the commands that can call an LLM."""
    group = parser.add_argument_group("LLM (an OpenAI-compatible server: vLLM, SGLang, llama.cpp, Ollama, OpenAI)")
    group.add_argument(
        "--llm-base-url",
        default=None,
        help="server URL, e.g. http://127.0.0.1:8080/v1 (default: $ARM_GYM_LLM_BASE_URL / $OPENAI_BASE_URL)",
    )
    group.add_argument("--llm-model", default=None, help="model name on the server (default: $ARM_GYM_LLM_MODEL)")
    group.add_argument(
        "--llm-mode",
        choices=("complete", "chat"),
        default="complete",
        help="plain completion (base models) or chat (default: complete)",
    )
    group.add_argument("--llm-timeout", type=float, default=60.0, help="seconds per request (default: 60)")
    group.add_argument("--llm-concurrency", type=int, default=4, help="requests in flight (default: 4)")


def build_llm(args: argparse.Namespace) -> Any:
    """An OpenAI-compatible LLM backend from the ``--llm-*`` options (the API key comes from the environment only)."""
    from arm_gym.llm import OpenAICompatibleLLM

    kwargs: dict[str, Any] = {"timeout": args.llm_timeout, "max_concurrency": args.llm_concurrency}
    if args.llm_base_url:
        kwargs["base_url"] = args.llm_base_url
    if args.llm_model:
        kwargs["model"] = args.llm_model
    return OpenAICompatibleLLM(**kwargs)


def parse_json_object(text: str, option: str) -> dict[str, Any]:
    """``--option '{...}'`` as a dict, or ``ValueError`` saying what is wrong."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{option} must be a JSON object: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"{option} must be a JSON object, not {type(value).__name__}")
    return value


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """``--backend``, ``--num-workers`` and ``--ray-address``, shared by the commands that can run on Ray."""
    group = parser.add_argument_group("where the work runs")
    group.add_argument("--backend", choices=("local", "ray"), default="local",
                       help="local (this process, default) or ray (Ray actors; the `ray` extra)")
    group.add_argument("--num-workers", type=int, default=2, help="Ray actors (default: 2)")
    group.add_argument("--ray-address", default=None,
                       help="an existing Ray cluster, e.g. auto or ray://head:10001 (default: a local Ray)")


def build_backend(args: argparse.Namespace) -> Any:
    """``None`` for the local backend, else a :class:`arm_gym.distributed.RayBackend` from the options."""
    if args.backend == "local":
        return None
    from arm_gym.distributed.ray_backend import RayBackend

    return RayBackend(num_workers=args.num_workers, address=args.ray_address)
