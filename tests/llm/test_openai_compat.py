"""OpenAICompatibleLLM against a scripted HTTP server on 127.0.0.1 (hangs, 500s, 429s) and the real llama.cpp server."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from arm_gym.llm import LLMError, OpenAICompatibleLLM

SECRET = "sk-test-0123456789-do-not-log"


class ScriptedServer:
    """An OpenAI-style HTTP server whose n-th request gets the n-th scripted behaviour (the last one repeats).

    Behaviours: ``("ok", text)``, ``("status", code, headers)`` or ``("hang", seconds)``.
    """

    def __init__(self) -> None:
        self.script: list[tuple] = [("ok", "hello")]
        self.requests: list[dict] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                self._send(200, {"object": "list", "data": [{"id": "scripted-model", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                outer.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                step = outer.script[min(len(outer.requests) - 1, len(outer.script) - 1)]
                if step[0] == "hang":
                    outer.release.wait(step[1])
                    return
                if step[0] == "status":
                    self._send(step[1], {"error": {"message": f"scripted {step[1]}"}}, step[2] if len(step) > 2 else {})
                    return
                n = int(body.get("n", 1))
                if self.path.endswith("/chat/completions"):
                    choices = [{"index": i, "message": {"role": "assistant", "content": step[1]}} for i in range(n)]
                else:
                    choices = [{"index": i, "text": step[1], "finish_reason": "stop"} for i in range(n)]
                usage = {"prompt_tokens": 3, "completion_tokens": 2 * n, "total_tokens": 3 + 2 * n}
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": "text_completion",
                        "created": 0,
                        "model": "scripted-model",
                        "choices": choices,
                        "usage": usage,
                    },
                )

            def _send(self, code: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


def make(server: ScriptedServer, **kwargs) -> OpenAICompatibleLLM:
    kwargs = {"model": "scripted-model", "api_key": SECRET, "backoff": 0.01, "seed": 0, **kwargs}
    return OpenAICompatibleLLM(base_url=server.base_url, **kwargs)


# ----------------------------------------------------------------------------- scripted server
def test_complete_sends_sampling_options_and_the_key(scripted: ScriptedServer) -> None:
    llm = make(scripted)
    assert llm.complete("Say hi", n=2, temperature=0.7, max_tokens=5, stop=["\n"]) == ["hello", "hello"]
    (req,) = scripted.requests
    assert req["path"] == "/v1/completions"
    assert req["body"]["prompt"] == "Say hi" and req["body"]["n"] == 2 and req["body"]["max_tokens"] == 5
    assert req["body"]["stop"] == ["\n"] and req["body"]["temperature"] == 0.7
    assert req["auth"] == f"Bearer {SECRET}"
    assert llm.usage == {"requests": 1, "prompt_tokens": 3, "completion_tokens": 4}


def test_chat_posts_messages(scripted: ScriptedServer) -> None:
    llm = make(scripted)
    assert llm.chat([{"role": "user", "content": "hi"}], max_tokens=3) == ["hello"]
    assert scripted.requests[0]["path"] == "/v1/chat/completions"
    assert scripted.requests[0]["body"]["messages"] == [{"role": "user", "content": "hi"}]


def test_model_defaults_to_the_servers_first(scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARM_GYM_LLM_MODEL", raising=False)
    llm = OpenAICompatibleLLM(base_url=scripted.base_url, backoff=0.01)
    assert llm.model == "scripted-model"


def test_url_model_and_key_from_env_vars(scripted: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARM_GYM_LLM_BASE_URL", scripted.base_url)
    monkeypatch.setenv("ARM_GYM_LLM_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    llm = OpenAICompatibleLLM()
    llm.complete("x", max_tokens=2)
    assert scripted.requests[0]["body"]["model"] == "env-model"
    assert scripted.requests[0]["auth"] == f"Bearer {SECRET}"


def test_missing_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ARM_GYM_LLM_BASE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match="ARM_GYM_LLM_BASE_URL"):
        OpenAICompatibleLLM()


def test_retries_429_and_500_then_succeeds(scripted: ScriptedServer) -> None:
    scripted.script = [("status", 429, {"Retry-After": "0"}), ("status", 500), ("ok", "done")]
    assert make(scripted, max_retries=3).complete("x") == ["done"]
    assert len(scripted.requests) == 3


def test_persistent_500_names_url_status_and_tries(scripted: ScriptedServer) -> None:
    scripted.script = [("status", 500)]
    llm = make(scripted, max_retries=2)
    with pytest.raises(LLMError) as err:
        llm.complete("x")
    message = str(err.value)
    assert scripted.base_url in message and "HTTP 500" in message and "after 3 tries" in message
    assert "scripted 500" in message  # the server's own explanation is kept
    assert len(scripted.requests) == 3


def test_client_errors_are_not_retried(scripted: ScriptedServer) -> None:
    scripted.script = [("status", 400)]
    with pytest.raises(LLMError, match="after 1 try: HTTP 400"):
        make(scripted, max_retries=3).complete("x")
    assert len(scripted.requests) == 1


def test_hanging_server_times_out_on_every_try(scripted: ScriptedServer) -> None:
    scripted.script = [("hang", 30)]
    llm = make(scripted, timeout=0.3, max_retries=1)
    with pytest.raises(LLMError) as err:
        llm.complete("x")
    assert "0.3 s timeout" in str(err.value) and "after 2 tries" in str(err.value)
    assert scripted.base_url in str(err.value)
    assert len(scripted.requests) == 2


def test_unreachable_server_says_connection_failed() -> None:
    from arm_gym.llm.server import free_port

    llm = OpenAICompatibleLLM(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", max_retries=1, backoff=0.01)
    with pytest.raises(LLMError, match="after 2 tries: connection failed"):
        llm.complete("x")


def test_backoff_doubles_and_honours_retry_after(scripted: ScriptedServer) -> None:
    llm = make(scripted, backoff=1.0, max_backoff=5.0)
    delays = [llm._delay(k) for k in (1, 2, 3, 4, 5)]
    assert 0.75 <= delays[0] <= 1.25 and 1.5 <= delays[1] <= 2.5 and 3.0 <= delays[2] <= 5.0
    assert delays[4] == 5.0  # capped
    assert llm._delay(1, retry_after=2.0) == 2.0 and llm._delay(1, retry_after=99) == 5.0


def test_api_key_never_in_repr_str_logs_or_errors(scripted: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    scripted.script = [("status", 503), ("ok", "fine"), ("status", 401)]
    with caplog.at_level(logging.DEBUG):
        llm = make(scripted, max_retries=2)
        assert llm.complete("x") == ["fine"]
        with pytest.raises(LLMError) as err:
            llm.complete("y")
    assert scripted.requests[0]["auth"] == f"Bearer {SECRET}"  # it was sent ...
    assert any("retry 1 of 2" in r.getMessage() for r in caplog.records)  # ... the retry was logged ...
    for text in (repr(llm), str(llm), caplog.text, str(err.value)):
        assert SECRET not in text  # ... but the key shows nowhere
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(llm)


def test_batch_runs_concurrently_and_keeps_input_order(scripted: ScriptedServer) -> None:
    # The handler holds each request at a barrier that opens only when 4 are in flight at once, so
    # the batch finishes only if the client overlaps its requests; a client that runs fewer at a
    # time breaks the barrier (timeout) and the request fails. The peak count checks the upper bound.
    prompts = [f"p{i}" for i in range(8)]
    barrier = threading.Barrier(4, timeout=10)
    in_flight, peak, broken = [0], [0], []
    lock = threading.Lock()
    original = scripted.httpd.RequestHandlerClass.do_POST

    def do_post(handler) -> None:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            broken.append(True)
            barrier.abort()  # release the others too: the test fails below, not by hanging
        with lock:
            in_flight[0] -= 1  # before the reply, so the client's next request cannot overlap it
        if broken:
            handler._send(500, {"error": {"message": "fewer than 4 requests in flight"}})
            return
        original(handler)

    scripted.httpd.RequestHandlerClass.do_POST = do_post
    scripted.script = [("ok", "r")]
    llm = make(scripted, max_concurrency=4, max_retries=0)
    out = llm.complete_batch(prompts, max_tokens=2)
    assert not broken and out == [["r"]] * 8
    assert sorted(r["body"]["prompt"] for r in scripted.requests) == sorted(prompts)
    assert peak[0] == 4


def test_fewer_choices_than_n_are_filled_with_more_requests(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: ["one"]  # a server that ignores n (as llama-cpp-python's does)
    llm = OpenAICompatibleLLM(client=mock_openai_client, model="m")
    assert llm.complete("x", n=3) == ["one"] * 3
    assert [r["n"] for r in mock_openai_client.requests] == [3, 2, 1]


def test_stop_strings_are_applied_client_side(mock_openai_client) -> None:
    mock_openai_client.reply = lambda req: "take apple\nObservation: you take it"
    llm = OpenAICompatibleLLM(client=mock_openai_client, model="m")
    assert llm.complete("x", stop=["\n"]) == ["take apple"]
    assert llm.chat([{"role": "user", "content": "x"}], stop=["\nObservation:"]) == ["take apple"]


def test_bad_sampling_arguments_are_rejected(mock_openai_client) -> None:
    llm = OpenAICompatibleLLM(client=mock_openai_client, model="m")
    for kwargs in ({"n": 0}, {"max_tokens": 0}, {"temperature": -1.0}):
        with pytest.raises(ValueError):
            llm.complete("x", **kwargs)


# ----------------------------------------------------------------------------- real llama.cpp server
def test_llama_server_completion_follows_a_few_shot_pattern(llama_server) -> None:
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, model=llama_server.model, api_key=SECRET, timeout=120)
    prompt = "France: Paris\nGermany: Berlin\nItaly: Rome\nSpain:"
    (text,) = llm.complete(prompt, max_tokens=8, stop=["\n"])
    assert "\n" not in text and text.strip() == "Madrid"
    assert llm.usage["completion_tokens"] >= 1 and llm.usage["prompt_tokens"] > 5


def test_llama_server_batch_n_and_sampling(llama_server) -> None:
    llm = OpenAICompatibleLLM(base_url=llama_server.base_url, timeout=120, max_concurrency=3)
    assert llm.model == llama_server.model  # asked of the server
    prompts = ["1, 2, 3, 4,", "a, b, c, d,", "Monday, Tuesday, Wednesday,"]
    greedy = llm.complete_batch(prompts, max_tokens=4, stop=["\n"])
    assert [len(r) for r in greedy] == [1, 1, 1]
    assert "5" in greedy[0][0] and "e" in greedy[1][0] and "Thursday" in greedy[2][0]  # input order kept
    samples = llm.complete("Once upon a time", n=3, temperature=1.0, max_tokens=12)
    assert len(samples) == 3 and all(isinstance(s, str) for s in samples)
    (reply,) = llm.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert isinstance(reply, str)
