"""Any OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, Ollama, OpenAI) through the ``openai`` client.

The base URL, model and API key come from arguments or from ``$ARM_GYM_LLM_BASE_URL``,
``$ARM_GYM_LLM_MODEL`` and ``$OPENAI_API_KEY``. The key is never logged nor shown by ``repr``.
Transient failures (timeouts, connection errors, HTTP 408/409/429/5xx) are retried with
exponential backoff; when the tries run out, :class:`LLMError` names the URL, what happened and
after how many tries. Batches run concurrently on a thread pool, at most ``max_concurrency``
requests in flight, results in input order.

Example:
    >>> llm = OpenAICompatibleLLM(base_url="http://127.0.0.1:8080/v1", model="gemma")  # doctest: +SKIP
    >>> llm.complete("Q: 2 + 2 = ?\\nA:", max_tokens=8, stop=["\\n"])  # doctest: +SKIP
    [' 4']
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from arm_gym.llm.base import LLM, LLMError, Message, truncate_at_stop

logger = logging.getLogger(__name__)

T = TypeVar("T")

BASE_URL_ENV = "ARM_GYM_LLM_BASE_URL"
MODEL_ENV = "ARM_GYM_LLM_MODEL"
API_KEY_ENV = "OPENAI_API_KEY"
_RETRY_STATUS = frozenset({408, 409, 429})


class OpenAICompatibleLLM(LLM):
    """An :class:`~arm_gym.llm.base.LLM` served over the OpenAI HTTP API.

    Args:
        base_url: the server's ``/v1`` URL (default ``$ARM_GYM_LLM_BASE_URL``, then ``$OPENAI_BASE_URL``).
        model: the model name on the server (default ``$ARM_GYM_LLM_MODEL``; else the server's first model).
        api_key: the key (default ``$OPENAI_API_KEY``; local servers accept any, ``"EMPTY"`` is sent).
        timeout: seconds allowed for one request.
        max_retries: extra tries after a transient failure (so ``max_retries + 1`` tries in all).
        backoff: the first retry waits about this many seconds, doubling each time (with jitter).
        max_backoff: cap on one wait (a server's ``Retry-After`` is honoured up to this cap).
        max_concurrency: requests in flight at once in the ``*_batch`` methods.
        seed: seeds the backoff jitter (the backend has no other randomness).
        client: a ready ``openai.OpenAI``-style client to use instead of building one (e.g. Azure's, or a
            test double); its own retries should be off.
    """

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        max_concurrency: int = 8,
        seed: int | None = None,
        client: Any = None,
    ):
        base_url = base_url or os.environ.get(BASE_URL_ENV) or os.environ.get("OPENAI_BASE_URL")
        if not base_url and client is not None:
            base_url = str(getattr(client, "base_url", "") or "")
        if not base_url:
            raise ValueError(f"no server URL: pass base_url=... or set ${BASE_URL_ENV} (e.g. http://127.0.0.1:8080/v1)")
        if timeout <= 0 or max_retries < 0 or max_concurrency < 1 or backoff < 0:
            raise ValueError("timeout must be > 0, max_retries >= 0, backoff >= 0 and max_concurrency >= 1")
        import openai

        self.base_url = str(base_url).rstrip("/")
        self._model = model or os.environ.get(MODEL_ENV) or None
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_concurrency = int(max_concurrency)
        self._jitter = random.Random(seed)
        self._lock = threading.RLock()  # re-entered: model lookup may back off
        self.usage = {"requests": 0, "prompt_tokens": 0, "completion_tokens": 0}
        """Totals over this backend's life, from the server's ``usage`` fields (for cost and throughput)."""
        # The client's own retries are off: this class retries, so it can count tries and say what happened.
        self._client = client or openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key or os.environ.get(API_KEY_ENV) or "EMPTY",
            timeout=self.timeout,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, model={self._model!r}, timeout={self.timeout}, "
            f"max_retries={self.max_retries}, max_concurrency={self.max_concurrency})"
        )

    __str__ = __repr__

    def __getstate__(self) -> None:
        raise TypeError(f"{type(self).__name__} holds an HTTP client and an API key: build one per process instead")

    # ----------------------------------------------------------------- public API
    @property
    def model(self) -> str:
        """The model name sent with each request (asked of the server once when not given)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    listing = self._call("GET /models", lambda: self._client.models.list())
                    names = [m.id for m in listing.data]
                    if not names:
                        raise LLMError(f"{self.base_url}/models lists no model; pass model=... or set ${MODEL_ENV}")
                    self._model = names[0]
                    logger.info("using model %r from %s/models", self._model, self.base_url)
        return self._model

    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[str]:
        """``n`` continuations of ``prompt`` (``POST /completions``)."""
        kwargs = _sampling(n, temperature, max_tokens, stop)
        model = self.model

        def request(k: int) -> list[str]:
            resp = self._call(
                "POST /completions",
                lambda: self._client.completions.create(model=model, prompt=prompt, **{**kwargs, "n": k}),
            )
            self._record_usage(resp)
            return [c.text or "" for c in sorted(resp.choices, key=lambda c: c.index)]

        return [truncate_at_stop(t, stop) for t in self._fill(request, n)]

    def chat(
        self,
        messages: Sequence[Message],
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 256,
        stop: Sequence[str] | None = None,
    ) -> list[str]:
        """``n`` replies to ``messages`` (``POST /chat/completions``)."""
        kwargs = _sampling(n, temperature, max_tokens, stop)
        model = self.model
        msgs = [{"role": m["role"], "content": m["content"]} for m in messages]

        def request(k: int) -> list[str]:
            resp = self._call(
                "POST /chat/completions",
                lambda: self._client.chat.completions.create(model=model, messages=msgs, **{**kwargs, "n": k}),
            )
            self._record_usage(resp)
            return [c.message.content or "" for c in sorted(resp.choices, key=lambda c: c.index)]

        return [truncate_at_stop(t, stop) for t in self._fill(request, n)]

    def chat_batch(self, conversations: Sequence[Sequence[Message]], **kwargs: Any) -> list[list[str]]:
        """:meth:`chat` for each conversation, ``max_concurrency`` at a time, in input order."""
        return self._map(lambda c: self.chat(c, **kwargs), conversations)

    def complete_batch(self, prompts: Sequence[str], **kwargs: Any) -> list[list[str]]:
        """:meth:`complete` for each prompt, ``max_concurrency`` at a time, in input order."""
        return self._map(lambda p: self.complete(p, **kwargs), prompts)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    # ----------------------------------------------------------------- internals
    def _map(self, fn: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
        items = list(items)
        if len(items) <= 1 or self.max_concurrency == 1:
            return [fn(x) for x in items]
        if self._model is None:
            _ = self.model  # resolve once, not in every thread
        with ThreadPoolExecutor(
            max_workers=min(self.max_concurrency, len(items)), thread_name_prefix="arm-llm"
        ) as pool:
            return list(pool.map(fn, items))

    def _record_usage(self, resp: Any) -> None:
        usage = getattr(resp, "usage", None)
        with self._lock:
            self.usage["requests"] += 1
            if usage is not None:
                self.usage["prompt_tokens"] += int(getattr(usage, "prompt_tokens", 0) or 0)
                self.usage["completion_tokens"] += int(getattr(usage, "completion_tokens", 0) or 0)

    def _fill(self, request: Callable[[int], list[str]], n: int) -> list[str]:
        """Ask for ``n`` choices; servers that return fewer (llama.cpp ignores ``n``) get follow-up requests."""
        texts = request(n)[:n]
        while len(texts) < n:
            more = request(n - len(texts))
            if not more:
                raise LLMError(f"{self.base_url} returned no choices")
            texts.extend(more[: n - len(texts)])
        return texts

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        import openai

        tries = self.max_retries + 1
        for attempt in range(1, tries + 1):
            try:
                return fn()
            except openai.APIStatusError as exc:
                problem = _describe_status(exc)
                transient = exc.status_code in _RETRY_STATUS or exc.status_code >= 500
                retry_after = _retry_after(exc)
            except openai.APITimeoutError:
                problem, transient, retry_after = f"no response within the {self.timeout:g} s timeout", True, None
            except openai.APIConnectionError as exc:
                cause = exc.__cause__ or exc
                problem, transient, retry_after = f"connection failed ({type(cause).__name__}: {cause})", True, None
            if not transient or attempt == tries:
                s = "y" if attempt == 1 else "ies"
                raise LLMError(f"{what} at {self.base_url} failed after {attempt} tr{s}: {problem}")
            delay = self._delay(attempt, retry_after)
            logger.warning(
                "%s at %s: %s; retry %d of %d in %.2f s", what, self.base_url, problem, attempt, self.max_retries, delay
            )
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try ``attempt + 1``: ``backoff * 2**(attempt-1)`` with ±25 % jitter, capped."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_backoff)
        with self._lock:
            jitter = self._jitter.uniform(0.75, 1.25)
        return min(self.backoff * 2 ** (attempt - 1) * jitter, self.max_backoff)


def _sampling(n: int, temperature: float, max_tokens: int, stop: Sequence[str] | None) -> dict[str, Any]:
    if n < 1 or max_tokens < 1 or temperature < 0:
        raise ValueError(f"need n >= 1, max_tokens >= 1 and temperature >= 0 (got {n}, {max_tokens}, {temperature})")
    kwargs: dict[str, Any] = {"n": n, "temperature": float(temperature), "max_tokens": int(max_tokens)}
    if stop:
        kwargs["stop"] = list(stop)
    return kwargs


def _describe_status(exc: Any) -> str:
    body = exc.response.text if exc.response is not None else ""
    body = " ".join(body.split())
    if len(body) > 300:
        body = body[:297] + "..."
    reason = getattr(exc.response, "reason_phrase", "") or ""
    return f"HTTP {exc.status_code} {reason}".rstrip() + (f": {body}" if body else "")


def _retry_after(exc: Any) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
