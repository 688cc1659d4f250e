"""The LLM interface: stop-string truncation and the default (sequential) batch methods."""

from __future__ import annotations

import subprocess
import sys

from arm_gym.llm.base import LLM, truncate_at_stop


def test_truncate_at_the_earliest_stop() -> None:
    assert truncate_at_stop("a\nb Observation: c", ["Observation:", "\n"]) == "a"
    assert truncate_at_stop("abc", None) == "abc"
    assert truncate_at_stop("abc", ["", "x"]) == "abc"


class Echo(LLM):
    def chat(self, messages, *, n=1, temperature=0.0, max_tokens=256, stop=None):
        return [messages[-1]["content"]] * n

    def complete(self, prompt, *, n=1, temperature=0.0, max_tokens=256, stop=None):
        return [prompt.upper()] * n


def test_default_batches_keep_input_order_and_pass_options() -> None:
    llm = Echo()
    assert llm.complete_batch(["a", "b"], n=2) == [["A", "A"], ["B", "B"]]
    assert llm.chat_batch([[{"role": "user", "content": "x"}], [{"role": "user", "content": "y"}]]) == [["x"], ["y"]]


def test_importing_the_package_stays_light() -> None:
    code = (
        "import sys, arm_gym, arm_gym.llm, arm_gym.planning; "
        "print(sorted(m for m in ('torch', 'transformers', 'openai', 'llama_cpp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
