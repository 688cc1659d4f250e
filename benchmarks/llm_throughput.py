"""Generation throughput of the LLM backends on Gemma 3 270M, side by side in one run.

    python benchmarks/llm_throughput.py [--prompts 8] [--max-tokens 64] [--concurrency 4] [--no-transformers]

Rows (same prompts, greedy, no stop string, so each reply runs to ``--max-tokens`` or EOS):

- ``llama.cpp stream``: one streamed request at a time; time to first token and the decode rate
  (tokens after the first / time after the first), i.e. pure decode speed;
- ``llama.cpp sequential``: ``OpenAICompatibleLLM.complete`` one prompt after another (end to end);
- ``llama.cpp concurrent``: ``complete_batch`` with ``--concurrency`` requests in flight;
- ``transformers sequential`` / ``transformers batched``: ``TransformersLLM`` on the same model
  (converted once from the GGUF), one prompt at a time and ``--concurrency`` prompts per batch.

Tokens are the servers' own ``usage.completion_tokens`` (the transformers backend counts its
non-pad tokens). Prints a table and ratios, saves ``benchmarks/results/llm_throughput.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import print_table, save_json

PROMPTS = [
    "The history of the Roman Empire begins",
    "Here is a recipe for a simple tomato soup:",
    "The three laws of thermodynamics state that",
    "Once upon a time, in a small village by the sea,",
    "A short guide to planting tomatoes in spring:",
    "The main differences between cats and dogs are",
    "In computer science, a hash table is",
    "The weather forecast for tomorrow says",
]


def _usage_run(llm: Any, fn, *args, **kwargs) -> tuple[float, int, int]:
    before = dict(llm.usage)
    start = time.perf_counter()
    fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    return (
        seconds,
        llm.usage["completion_tokens"] - before["completion_tokens"],
        llm.usage["requests"] - before["requests"],
    )


def stream_row(base_url: str, model: str, prompts: list[str], max_tokens: int) -> dict[str, Any]:
    """Time to first token and decode tokens/s from streamed completions, one request at a time."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0, timeout=300)
    ttfts, decode_tokens, decode_seconds = [], 0, 0.0
    for prompt in prompts:
        start = time.perf_counter()
        first = last = None
        chunks = 0
        for chunk in client.completions.create(
            model=model, prompt=prompt, max_tokens=max_tokens, temperature=0, stream=True
        ):
            if chunk.choices and chunk.choices[0].text:
                now = time.perf_counter()
                first = first or now
                last = now
                chunks += 1
        if first is not None:
            ttfts.append(first - start)
            if chunks > 1:
                decode_tokens += chunks - 1
                decode_seconds += last - first
    client.close()
    return {
        "backend": "llama.cpp stream",
        "requests": len(prompts),
        "tokens": decode_tokens,
        "ttft_s": round(sum(ttfts) / max(len(ttfts), 1), 3),
        "tokens_per_s": round(decode_tokens / decode_seconds, 1) if decode_seconds else None,
    }


def llm_rows(name: str, llm: Any, prompts: list[str], max_tokens: int, concurrency: int) -> list[dict[str, Any]]:
    """Sequential and concurrent/batched rows for one backend."""
    rows = []
    seconds, tokens, requests = _usage_run(llm, lambda: [llm.complete(p, max_tokens=max_tokens) for p in prompts])
    rows.append(
        {
            "backend": f"{name} sequential",
            "requests": requests,
            "tokens": tokens,
            "seconds": round(seconds, 2),
            "tokens_per_s": round(tokens / seconds, 1),
        }
    )
    seconds, tokens, requests = _usage_run(llm, llm.complete_batch, prompts, max_tokens=max_tokens)
    label = "concurrent" if name.startswith("llama") else "batched"
    rows.append(
        {
            "backend": f"{name} {label} x{concurrency}",
            "requests": requests,
            "tokens": tokens,
            "seconds": round(seconds, 2),
            "tokens_per_s": round(tokens / seconds, 1),
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=8, help="prompts per row (default: 8)")
    parser.add_argument("--max-tokens", type=int, default=64, help="tokens per reply (default: 64)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight / batch size (default: 4)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="llama.cpp threads")
    parser.add_argument(
        "--no-transformers", dest="transformers", action="store_false", help="skip the transformers rows"
    )
    args = parser.parse_args(argv)
    prompts = [PROMPTS[i % len(PROMPTS)] for i in range(args.prompts)]

    from arm_gym.llm.server import LlamaServer

    rows: list[dict[str, Any]] = []
    with LlamaServer(n_threads=args.threads) as server:
        llm = server.llm(timeout=600, max_concurrency=args.concurrency)
        llm.complete("Warm up:", max_tokens=4)
        rows.append(stream_row(server.base_url, server.model_alias, prompts, args.max_tokens))
        rows += llm_rows("llama.cpp", llm, prompts, args.max_tokens, args.concurrency)
    if args.transformers:
        from arm_gym.llm import TransformersLLM
        from arm_gym.llm.gemma import gemma_hf_dir

        start = time.perf_counter()
        tllm = TransformersLLM(gemma_hf_dir(), batch_size=args.concurrency)
        load_s = time.perf_counter() - start
        tllm.complete("Warm up:", max_tokens=4)
        rows += llm_rows("transformers", tllm, prompts, args.max_tokens, args.concurrency)
        rows[-1]["load_s"] = rows[-2]["load_s"] = round(load_s, 1)

    print_table(rows, ["backend", "requests", "tokens", "seconds", "ttft_s", "tokens_per_s", "load_s"])
    by = {r["backend"]: r["tokens_per_s"] for r in rows}
    ratios = {}
    seq = by.get("llama.cpp sequential")
    conc = by.get(f"llama.cpp concurrent x{args.concurrency}")
    if seq and conc:
        ratios["llama.cpp concurrent / sequential"] = round(conc / seq, 2)
    tseq = by.get("transformers sequential")
    if seq and tseq:
        ratios["llama.cpp / transformers (sequential)"] = round(seq / tseq, 2)
    tbat = by.get(f"transformers batched x{args.concurrency}")
    if tseq and tbat:
        ratios["transformers batched / sequential"] = round(tbat / tseq, 2)
    for k, v in ratios.items():
        print(f"{k}: {v}x")
    path = save_json("llm_throughput", {"args": vars(args), "rows": rows, "ratios": ratios})
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
