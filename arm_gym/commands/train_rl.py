"""``arm-gym train-rl ENV --reward env|rm:CKPT --steps N --out DIR``: train MaskablePPO on a text env.

The env's admissible actions become ``Discrete(--max-actions)`` slots with masks, its text is embedded (a stable
hashing encoder by default, MiniLM with --encoder minilm), and ``ArmTextPolicy`` scores every (state, candidate)
pair with one shared scorer. The reward PPO optimises is the env's own (--reward env) or a learned reward model's
(--reward rm:CKPT, --mode shaped or terminal, all sub-envs scored in one batch); the learning curve always
records the env's own success rate vs env steps (DIR/curve.csv, DIR/curve.json). DIR/checkpoints/last.zip is
saved every --checkpoint-every steps; rerunning the same command resumes from it (with fresh env seeds) until
--steps env steps are done. The final policy is DIR/model.zip (``MaskablePPO.load``), the summary DIR/summary.json.

Examples:
    arm-gym train-rl ARM-Game24-v0 --reward env --steps 80000 --out runs/rl-game24-env
    arm-gym train-rl ARM-Game24-v0 --reward rm:runs/rm-game24 --mode shaped --steps 80000 --out runs/rl-game24-rm
    arm-gym train-rl ARM-TextWorld-v0 --env-kwargs '{"challenges": ["tw-coin_collector"]}' --steps 20000 --out runs/tw
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from arm_gym.commands.common import parse_json_object, report_error

ALGOS = ("maskable-ppo",)
# Settings a resumed run must share with the run that wrote the checkpoint (the rest may change, e.g. --steps).
RESUME_KEYS = ("env_id", "algo", "reward", "mode", "shaped_origin", "normalize", "num_envs", "max_actions", "encoder",
               "embed_dim", "hidden_dim", "env_kwargs")


@dataclass
class RLConfig:
    """Everything a ``train-rl`` run depends on (saved as DIR/config.json)."""

    env_id: str
    steps: int
    algo: str = "maskable-ppo"
    reward: str = "env"
    mode: str = "shaped"
    shaped_origin: str = "empty"
    normalize: str = "raw"
    num_envs: int = 8
    vectorization: str = "sync"
    max_actions: int = 64
    encoder: str = "hash"
    embed_dim: int = 256
    backbone: str | None = None
    hidden_dim: int = 128
    n_steps: int = 128
    batch_size: int = 256
    n_epochs: int = 4
    learning_rate: float = 3e-4
    ent_coef: float = 0.01
    gamma: float = 0.99
    seed: int = 0
    window: int = 100
    checkpoint_every: int | None = None
    max_episode_steps: int | None = None
    torch_threads: int | None = 1
    device: str = "auto"
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    ppo_kwargs: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        if self.algo not in ALGOS:
            raise ValueError(f"--algo must be one of {ALGOS}, not {self.algo!r}")
        if self.reward != "env" and not self.reward.startswith("rm:"):
            raise ValueError(f"--reward must be 'env' or 'rm:CHECKPOINT', not {self.reward!r}")
        if self.steps < 1 or self.num_envs < 1 or self.max_actions < 1:
            raise ValueError("--steps, --num-envs and --max-actions must be positive")


def build_env(config: RLConfig) -> Any:
    """The SB3 vector env of a run: text vector env → optional learned reward → :class:`TextVecEnv` → VecMonitor."""
    from stable_baselines3.common.vec_env import VecMonitor

    from arm_gym.wrappers import TextVecEnv, VectorRewardModelWrapper, make_text_vec_env

    kwargs = dict(config.env_kwargs)
    if config.max_episode_steps:
        kwargs["max_episode_steps"] = config.max_episode_steps
    env = make_text_vec_env(config.env_id, config.num_envs, config.vectorization, **kwargs)
    if config.reward.startswith("rm:"):
        from arm_gym.reward.model import RewardModel

        checkpoint = config.reward[3:]
        if not Path(checkpoint).exists():
            raise ValueError(f"--reward rm:{checkpoint}: no such reward-model checkpoint")
        env = VectorRewardModelWrapper(env, RewardModel.from_pretrained(checkpoint), mode=config.mode,
                                       normalize=config.normalize, shaped_origin=config.shaped_origin)
    encoder_kwargs = {"dim": config.embed_dim} if config.encoder == "hash" else {"backbone": config.backbone}
    venv = TextVecEnv(env, config.max_actions, config.encoder, **encoder_kwargs)
    return VecMonitor(venv, info_keywords=("won",))


def train_rl(config: RLConfig, out_dir: str | os.PathLike, *, resume: bool = True, verbose: int = 0) -> dict[str, Any]:
    """Train (or resume) a run into ``out_dir``; return its summary (also DIR/summary.json)."""
    import torch
    from sb3_contrib import MaskablePPO

    from arm_gym.wrappers import ArmTextPolicy
    from arm_gym.wrappers.sb3_curve import SuccessCurve, write_curve

    config.check()
    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    out = Path(out_dir)
    ckpt_dir = out / "checkpoints"
    last, state_path = ckpt_dir / "last.zip", ckpt_dir / "last_state.json"
    resuming = resume and last.exists() and state_path.exists()
    if resuming:
        _check_same_run(config, out / "config.json")
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(asdict(config), indent=1))

    venv = build_env(config)
    try:
        if resuming:
            state = json.loads(state_path.read_text())
            model = MaskablePPO.load(last, env=venv, device=config.device)
            venv.seed(config.seed + 7919 * int(model.num_timesteps))  # fresh episodes, not a replay of the start
        else:
            state = None
            ppo = {"n_steps": config.n_steps, "batch_size": config.batch_size, "n_epochs": config.n_epochs,
                   "learning_rate": config.learning_rate, "ent_coef": config.ent_coef, "gamma": config.gamma,
                   **config.ppo_kwargs}
            model = MaskablePPO(ArmTextPolicy, venv, seed=config.seed, verbose=verbose, device=config.device,
                                policy_kwargs={"hidden_dim": config.hidden_dim}, **ppo)
        every = config.checkpoint_every or max(config.n_steps * config.num_envs, config.steps // 20)
        saved = {"at": int(model.num_timesteps)}

        def on_row(row: dict[str, Any]) -> None:
            if row["env_steps"] - saved["at"] >= every:
                _checkpoint(model, curve, ckpt_dir)
                write_curve(curve.rows, out)
                saved["at"] = row["env_steps"]

        curve = SuccessCurve(config.window, state=state and state["curve"], on_row=on_row)
        start_steps, started = int(model.num_timesteps), time.perf_counter()
        remaining = config.steps - start_steps
        if remaining > 0:
            model.learn(remaining, callback=curve, reset_num_timesteps=not resuming, progress_bar=False)
        seconds = time.perf_counter() - started
        _checkpoint(model, curve, ckpt_dir)
        model.save(out / "model.zip")
        write_curve(curve.rows, out)
    finally:
        venv.close()
    done = int(model.num_timesteps) - start_steps
    final = curve.rows[-1] if curve.rows else {}
    summary = {
        "out": str(out), "env_id": config.env_id, "reward": config.reward,
        "mode": config.mode if config.reward != "env" else None,
        "shaped_origin": config.shaped_origin if config.reward != "env" and config.mode == "shaped" else None,
        "env_steps": int(model.num_timesteps), "episodes": curve.episodes,
        "success_rate": final.get("success_rate", 0.0), "mean_env_return": final.get("mean_env_return", 0.0),
        "wall_s": round(curve.wall_s, 2), "resumed_from": start_steps if resuming else None,
        "env_steps_per_s": round(done / seconds, 1) if done and seconds > 0 else None,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def _checkpoint(model: Any, curve: Any, ckpt_dir: Path) -> None:
    """Save the model and the curve's state side by side (each file replaced atomically)."""
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    model.save(ckpt_dir / "last.tmp.zip")
    os.replace(ckpt_dir / "last.tmp.zip", ckpt_dir / "last.zip")
    state = {"num_timesteps": int(model.num_timesteps), "curve": curve.state()}
    (ckpt_dir / "last_state.tmp.json").write_text(json.dumps(state))
    os.replace(ckpt_dir / "last_state.tmp.json", ckpt_dir / "last_state.json")


def _check_same_run(config: RLConfig, path: Path) -> None:
    if not path.exists():
        return
    before = {"shaped_origin": "zero", **json.loads(path.read_text())}  # runs from before the option started at 0
    changed = [k for k in RESUME_KEYS if before.get(k) != asdict(config).get(k)]
    if changed:
        raise ValueError(f"{path.parent} holds a run with other settings ({', '.join(changed)}); "
                         "use another --out or --no-resume")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    d = RLConfig(env_id="", steps=0)
    parser = subparsers.add_parser(
        "train-rl", help="train MaskablePPO on a text env with the env's or a learned reward (resumable)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("env_id", metavar="ENV", help="a registered id (see `arm-gym list`) or module:Class")
    parser.add_argument("--algo", choices=ALGOS, default=d.algo, help="RL algorithm (default: maskable-ppo)")
    parser.add_argument("--reward", default=d.reward, metavar="env|rm:CKPT",
                        help="the env's own reward, or a reward-model checkpoint's (default: env)")
    parser.add_argument("--mode", choices=("shaped", "terminal"), default=d.mode,
                        help="learned reward per step (score difference) or at the end (default: shaped)")
    parser.add_argument("--shaped-origin", choices=("empty", "zero"), default=d.shaped_origin,
                        help="shaped mode's v(0): the score of the empty trajectory (default) or 0")
    parser.add_argument("--normalize", choices=("raw", "sigmoid", "zscore"), default=d.normalize,
                        help="learned score normalisation (default: raw)")
    parser.add_argument("--steps", type=int, required=True, help="env steps to train for (in total, across resumes)")
    parser.add_argument("--out", "-o", required=True, metavar="DIR", help="run folder (created; resumed if it has a checkpoint)")
    parser.add_argument("--num-envs", type=int, default=d.num_envs, help=f"parallel envs (default: {d.num_envs})")
    parser.add_argument("--async", dest="vectorization", action="store_const", const="async", default="sync",
                        help="one process per env (gymnasium AsyncVectorEnv)")
    parser.add_argument("--max-actions", type=int, default=d.max_actions,
                        help=f"action slots K; extra admissible actions are subsampled (default: {d.max_actions})")
    parser.add_argument("--encoder", choices=("hash", "minilm"), default=d.encoder, help="text encoder (default: hash)")
    parser.add_argument("--embed-dim", type=int, default=d.embed_dim, help="hashing encoder size (default: 256)")
    parser.add_argument("--backbone", default=None, help="MiniLM encoder: HF id or path (default: packaged MiniLM)")
    parser.add_argument("--hidden-dim", type=int, default=d.hidden_dim, help="policy width (default: 128)")
    parser.add_argument("--n-steps", type=int, default=d.n_steps, help="PPO rollout steps per env (default: 128)")
    parser.add_argument("--batch-size", type=int, default=d.batch_size, help="PPO minibatch (default: 256)")
    parser.add_argument("--n-epochs", type=int, default=d.n_epochs, help="PPO epochs per rollout (default: 4)")
    parser.add_argument("--lr", type=float, default=d.learning_rate, help="learning rate (default: 3e-4)")
    parser.add_argument("--ent-coef", type=float, default=d.ent_coef, help="entropy bonus (default: 0.01)")
    parser.add_argument("--gamma", type=float, default=d.gamma, help="discount (default: 0.99)")
    parser.add_argument("--seed", type=int, default=d.seed, help="seed of the policy and of the env episodes")
    parser.add_argument("--window", type=int, default=d.window, help="episodes per success-rate point (default: 100)")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="env steps between checkpoints")
    parser.add_argument("--max-steps", type=int, default=None, help="episode step limit (default: the env's)")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict of gym.make kwargs")
    parser.add_argument("--ppo-kwargs", default="{}", help='JSON dict of other MaskablePPO kwargs, e.g. \'{"clip_range": 0.1}\'')
    parser.add_argument("--torch-threads", type=int, default=d.torch_threads,
                        help="torch CPU threads (default: 1, the fastest for this small network; 0 leaves torch's)")
    parser.add_argument("--device", default=d.device, help="torch device for the policy (default: auto)")
    parser.add_argument("--no-resume", dest="resume", action="store_false", help="start over even if DIR has a checkpoint")
    parser.add_argument("--verbose", type=int, default=0, help="SB3 verbosity (default: 0)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = RLConfig(
            env_id=args.env_id, steps=args.steps, algo=args.algo, reward=args.reward, mode=args.mode,
            shaped_origin=args.shaped_origin, normalize=args.normalize, num_envs=args.num_envs, vectorization=args.vectorization,
            max_actions=args.max_actions, encoder=args.encoder, embed_dim=args.embed_dim, backbone=args.backbone,
            hidden_dim=args.hidden_dim, n_steps=args.n_steps, batch_size=args.batch_size, n_epochs=args.n_epochs,
            learning_rate=args.lr, ent_coef=args.ent_coef, gamma=args.gamma, seed=args.seed, window=args.window,
            checkpoint_every=args.checkpoint_every, max_episode_steps=args.max_steps,
            torch_threads=args.torch_threads or None, device=args.device,
            env_kwargs=parse_json_object(args.env_kwargs, "--env-kwargs"),
            ppo_kwargs=parse_json_object(args.ppo_kwargs, "--ppo-kwargs"),
        )
        summary = train_rl(config, args.out, resume=args.resume, verbose=args.verbose)
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("train-rl", exc)
    print(json.dumps(summary))
    return 0
