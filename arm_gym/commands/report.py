"""``arm-gym report FILE``: one self-contained HTML page of trajectories, triplets or planner answers.

Per record: the instruction, each step's action and observation (WebShop's [SEP] pages one field a line), the
env reward and return; with --rm CKPT the reward model's score after each step as a small chart, and the records
where the model disagrees with the env first. Triplets show chosen and rejected side by side with the step where
they diverge marked; planner answers their candidates' scores and returns. --eval EVAL.json (from
`arm-gym eval-rm --json`) adds the score-vs-return scatter of the model and the best baseline. Filters (task,
outcome, disagreement) and pages live in the page's URL fragment; nothing is fetched when the page is viewed.

Examples:
    arm-gym report runs/game24_triplets.jsonl --rm runs/rm-game24 --out triplets.html
    arm-gym report plans.jsonl --out plans.html
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from arm_gym.commands.common import report_error


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="an HTML report of trajectories, triplets or planner outputs (with a reward model's scores)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="a trajectories, triplets or plans JSONL file")
    parser.add_argument("--out", "-o", default=None, help="the HTML file (default: FILE with .html)")
    parser.add_argument("--rm", default=None, metavar="CKPT", help="score every step with this reward model")
    parser.add_argument("--eval", dest="eval_json", default=None, metavar="EVAL_JSON",
                        help="an `arm-gym eval-rm --json` file: adds the score-vs-return scatter")
    parser.add_argument("--title", default=None, help="page title (default: the file name)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--device", default="auto", help="reward-model device: auto, cpu, cuda ...")
    parser.set_defaults(func=run)


def scatter_points(eval_json: str) -> list[dict[str, float]]:
    """``{"return", "model", "baseline"}`` points from an ``eval-rm --json`` file: its ``per_trajectory`` columns,
    the model's scores and those of the best baseline by Spearman (see its ``margin``)."""
    results = json.loads(Path(eval_json).read_text(encoding="utf-8"))
    columns = results.get("per_trajectory") or {}
    scores = columns.get("scores") or {}
    best = ((results.get("margin") or {}).get("spearman") or {}).get("baseline")
    model, baseline = scores.get("reward_model") or [], scores.get(best) or []
    returns = columns.get("env_return") or []
    return [
        {"return": float(r), "model": model[i] if i < len(model) else None,
         "baseline": baseline[i] if i < len(baseline) else None}
        for i, r in enumerate(returns)
    ]


def run(args: argparse.Namespace) -> int:
    from arm_gym.report import build_items, load_records, render_report

    try:
        start = time.perf_counter()
        records = load_records(args.file)[: args.limit]
        model = None
        if args.rm:
            from arm_gym.reward.model import RewardModel

            model = RewardModel.from_pretrained(args.rm, device=args.device)
        items = build_items(records, model=model)
        scatter = scatter_points(args.eval_json) if args.eval_json else None
        html = render_report(items, title=args.title or Path(args.file).name, scatter=scatter)
        out = Path(args.out or Path(args.file).with_suffix(".html"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("report", exc)
    print(f"{out}: {len(items)} records, {out.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - start:.1f} s")
    return 0
