"""``arm-gym plan ENV``: plan the tasks of a split with a policy and a scorer, and record each answer.

Planners: sampling and greedy (baselines), best-of-n (ARMAP-B), reflexion (ARMAP-R), mcts (ARMAP-M).
Scorers: rm:CKPT (a reward model from `arm-gym train-rm`), env (the env's own return: the oracle), judge (an
LLM-as-judge through --llm-*), baseline:NAME (length, brevity, instruction_overlap, outcome_claim). Reflexion's threshold
is calibrated on CKPT/val_triplets.jsonl unless --threshold is given. --target steps=0.1 (or price=0.05 on
WebShop) trades the score against a term of the trajectory. The output is resumable like `collect`.

With --backend ray the tasks are planned on --num-workers Ray actors, each with its own env, policy and scorer
(rm:CKPT is loaded by each actor on --device; an LLM client is built in each actor, its API key read from the
actor's environment); this process writes --out, the same records as the local backend for the same seeds.

Examples:
    arm-gym plan ARM-Game24-v0 --planner best-of-n --n 100 --scorer rm:runs/rm-game24 --tasks 20 --out plans.jsonl
    arm-gym plan ARM-WebShop-v0 --planner mcts --iterations 10 --scorer env --out oracle.jsonl
    arm-gym plan ARM-Game24-v0 --scorer rm:runs/rm-game24 --tasks 200 --out plans.jsonl --backend ray --num-workers 8
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from arm_gym.commands.common import (
    add_backend_arguments,
    add_llm_arguments,
    build_backend,
    build_llm,
    parse_json_object,
    report_error,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="plan tasks with Best-of-N, Reflexion or MCTS guided by a reward model (resumable)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("env_id", metavar="ENV", help="a registered id or an entry point module:Class")
    parser.add_argument("--out", "-o", required=True, help="planned trajectories (JSON lines; appended to)")
    parser.add_argument("--planner", choices=("sampling", "greedy", "best-of-n", "reflexion", "mcts"),
                        default="best-of-n", help="default: best-of-n")
    parser.add_argument("--policy", choices=("random", "llm"), default="random", help="the acting policy")
    parser.add_argument("--scorer", default="env", help="rm:CKPT | env | judge | baseline:NAME (default: env)")
    parser.add_argument("--split", default="test", help="task split (default: test)")
    parser.add_argument("--tasks", type=int, default=20, help="the first N tasks of the split (default: 20)")
    parser.add_argument("--seed", type=int, default=0, help="task i is reset with seed SEED+i")
    parser.add_argument("--n", type=int, default=10, help="best-of-n candidates (ARMAP: 10; 100 on Game of 24)")
    parser.add_argument("--trials", type=int, default=10, help="reflexion attempts (default: 10)")
    parser.add_argument("--threshold", type=float, default=None, help="reflexion threshold (default: calibrated)")
    parser.add_argument("--iterations", type=int, default=10, help="mcts rollouts (ARMAP: 10; 100 on Game of 24)")
    parser.add_argument("--width", type=int, default=10, help="mcts proposals per node (default: 10)")
    parser.add_argument("--horizon", type=int, default=10, help="mcts tree depth (default: 10)")
    parser.add_argument("--target", action="append", default=[], metavar="TERM=WEIGHT",
                        help="customized target, e.g. steps=0.1 or price=0.05 (repeatable)")
    parser.add_argument("--temperature", type=float, default=0.7, help="LLM policy sampling temperature")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs")
    parser.add_argument("--device", default="auto", help="reward-model device: auto, cpu, cuda ...")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    add_llm_arguments(parser)
    add_backend_arguments(parser)
    parser.set_defaults(func=run)


def parse_target(items: list[str]) -> dict[str, float]:
    """``["steps=0.1", "price=0.05"]`` as weights; ``ValueError`` naming a malformed item."""
    weights = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise ValueError(f"--target takes TERM=WEIGHT, e.g. steps=0.1, not {item!r}")
    return weights


class ProcessLLM:
    """The ``--llm-*`` backend, built on first use in each process that uses it: a Ray actor builds its own
    client, and neither the client nor an API key travels in a pickle (the key is read in the actor's
    environment). Any attribute is the built backend's."""

    def __init__(self, args: argparse.Namespace):
        self.options = argparse.Namespace(**{k: v for k, v in vars(args).items() if k.startswith("llm_")})
        self._llm: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self.__dict__.get("_llm") is None:
            self.__dict__["_llm"] = build_llm(self.options)
        return getattr(self.__dict__["_llm"], name)

    def __getstate__(self) -> dict[str, Any]:
        return {"options": self.options, "_llm": None}


def llm_for(args: argparse.Namespace) -> Any:
    """The LLM of ``--llm-*``: built now for the local backend, in each worker for Ray."""
    return ProcessLLM(args) if args.backend == "ray" else build_llm(args)


def build_scorer(spec: str, env_id: str, args: argparse.Namespace) -> tuple[Any, Path | None]:
    """The scorer named by ``--scorer`` and, for a reward model, its checkpoint folder. A reward model is a
    :class:`~arm_gym.planning.run.CheckpointScorer`: loaded now for the local backend, by each worker for Ray."""
    from arm_gym.planning import EnvReturnScorer

    kind, _, value = spec.partition(":")
    if kind == "env":
        return EnvReturnScorer(), None
    if kind == "rm" and value:
        from arm_gym.planning.run import CheckpointScorer

        scorer = CheckpointScorer(value, device=args.device)
        if args.backend == "local":
            scorer.load()  # now: a broken checkpoint fails before any planning
        return scorer, Path(value)
    if kind == "judge":
        from arm_gym.reward.baselines import LLMJudgeScorer

        return LLMJudgeScorer(llm_for(args), mode=args.llm_mode), None
    if kind == "baseline" and value:
        from arm_gym.reward.baselines import default_baselines

        found = {b.name: b for b in default_baselines(env_id)}
        if value not in found:
            raise ValueError(f"unknown baseline {value!r}; choose one of {sorted(found)}")
        return found[value], None
    raise ValueError(f"--scorer takes rm:CKPT, env, judge or baseline:NAME, not {spec!r}")


def run(args: argparse.Namespace) -> int:
    from arm_gym.planning.reflexion import LLMReflector, calibrate_threshold
    from arm_gym.planning.run import PlanConfig, run_plans
    from arm_gym.policies import LLMPolicy, RandomPolicy

    try:
        env_kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        scorer, checkpoint = build_scorer(args.scorer, args.env_id, args)
        threshold = args.threshold
        if args.planner == "reflexion" and threshold is None:
            from arm_gym.data.dataset import load_triplets
            from arm_gym.reward.train import VAL_FILE

            if checkpoint is None or not (checkpoint / VAL_FILE).exists():
                raise ValueError("reflexion needs --threshold, or --scorer rm:CKPT with CKPT/val_triplets.jsonl")
            threshold = calibrate_threshold(scorer, load_triplets(checkpoint / VAL_FILE))
            print(f"reflexion threshold calibrated on {checkpoint / VAL_FILE}: {threshold:.4f}")
        config = PlanConfig(planner=args.planner, n=args.n, trials=args.trials, threshold=threshold,
                            iterations=args.iterations, width=args.width, horizon=args.horizon,
                            target=parse_target(args.target))
        reflector = None
        if args.policy == "llm":
            llm = llm_for(args)
            name = f"llm:{args.llm_model}" if args.llm_model else "llm"
            policy = LLMPolicy(llm, mode=args.llm_mode, temperature=args.temperature, name=name)
            reflector = LLMReflector(llm, mode=args.llm_mode)
        else:
            policy = RandomPolicy(fallback_action="")
        stats = run_plans(args.env_id, args.out, policy=policy, scorer=scorer, scorer_name=args.scorer, config=config,
                          split=args.split, tasks=args.tasks, seed=args.seed, env_kwargs=env_kwargs,
                          reflector=reflector, progress=args.progress, backend=build_backend(args))
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("plan", exc)
    print(f"{args.out}: {stats.summary()}")
    return 0
