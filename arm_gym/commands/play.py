"""``arm-gym play ENV_ID``: play an environment in the terminal.

Each turn shows the instruction, the observation and the admissible actions, numbered. Type an action, or the
number of an admissible one; a template action such as WebShop's ``search[...]`` asks for its text. Commands:
``:undo`` takes the last action back, ``:save FILE`` appends the episode so far to a trajectories file,
``:reset`` starts a new episode, ``:help`` lists these, ``:quit`` (or end of input) leaves. With ``--rm CKPT``
the learned reward model's score of the episode so far is shown after every step.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from arm_gym.commands.common import parse_json_object, report_error

MAX_LISTED = 40
HELP = ":undo  take the last action back\n:save FILE  append this episode to FILE\n:reset  new episode\n:quit  leave\n"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "play",
        help="play an environment in the terminal",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("env_id", help="a registered id, e.g. ARM-Game24-v0 (see `arm-gym list`)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first reset")
    parser.add_argument("--task-id", default=None, help="play this task (see the env's docs for ids)")
    parser.add_argument("--split", default=None, help="task split to draw from (e.g. train, test)")
    parser.add_argument("--env-kwargs", default="{}", help='JSON dict of gym.make kwargs, e.g. \'{"reveal_outcome": true}\'')
    parser.add_argument("--rm", default=None, metavar="CKPT", help="show this reward model's score after each step")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from arm_gym.envs import make_env

    try:
        kwargs = parse_json_object(args.env_kwargs, "--env-kwargs")
        env = make_env(args.env_id, **kwargs)
    except Exception as exc:  # noqa: BLE001 - report_error re-raises what is not a user-facing error
        return report_error("play", exc)
    options = {k: v for k, v in (("task_id", args.task_id), ("split", args.split)) if v is not None}
    try:
        model = None
        if args.rm:
            from arm_gym.reward.model import RewardModel

            model = RewardModel.from_pretrained(args.rm)
        return play(env, seed=args.seed, options=options, stdin=sys.stdin, stdout=sys.stdout, model=model)
    except Exception as exc:  # noqa: BLE001
        return report_error("play", exc)
    finally:
        env.close()


@dataclass
class _Turn:
    """What :func:`play` keeps to undo a step: the env's snapshot and what was on screen."""

    state: Any
    observation: str
    info: dict[str, Any]
    episode_return: float


@dataclass
class _Episode:
    recorder: Any
    history: list[_Turn] = field(default_factory=list)
    episode_return: float = 0.0


def play(
    env: Any, *, seed: int | None, options: dict, stdin: TextIO, stdout: TextIO, model: Any = None
) -> int:
    """Run the interactive loop on ``env`` until the player quits or input ends."""
    from arm_gym.trajectory import EpisodeRecorder, env_id_of

    def new_episode(reset_seed: int | None) -> tuple[str, dict, _Episode]:
        obs, info = env.reset(seed=reset_seed, options=options)
        return obs, info, _Episode(EpisodeRecorder(env_id_of(env), obs, info, seed=reset_seed))

    obs, info, episode = new_episode(seed)
    while True:
        _show(stdout, obs, info)
        line = _ask(stdout, stdin, "> ")
        if line is None or line.strip() in (":quit", ":q"):
            stdout.write("\nbye\n")
            return 0
        command = line.strip()
        if command in (":help", ":h", "?"):
            stdout.write(HELP)
            continue
        if command == ":reset":
            obs, info, episode = new_episode(None)
            continue
        if command == ":undo":
            obs, info = _undo(env, episode, obs, info, stdout)
            continue
        if command.startswith(":save"):
            _save(command[5:].strip(), episode, stdout)
            continue
        if command.startswith(":"):
            stdout.write(f"unknown command {command!r}\n{HELP}")
            continue
        action = _resolve(command, list(info.get("admissible_actions", [])), stdin, stdout)
        if action is None:
            continue
        episode.history.append(_Turn(env.unwrapped.get_state(), obs, info, episode.episode_return))
        obs, reward, terminated, truncated, info = env.step(action)
        episode.recorder.step(action, obs, reward, terminated, truncated, info)
        episode.episode_return += float(reward)
        stdout.write(f"[action: {action}]  reward {reward:g}  return {episode.episode_return:g}")
        if info.get("invalid_action"):
            stdout.write(f"  ({info['invalid_action']})")
        if model is not None:
            t = episode.recorder.trajectory
            stdout.write(f"  learned score {float(model.score([(t.instruction, t)])[0]):.3f}")
        stdout.write("\n")
        if terminated or truncated:
            outcome = "won" if info.get("won") else ("truncated" if truncated else "ended")
            stdout.write(f"\n{obs}\n\nEpisode {outcome} with return {episode.episode_return:g}. New episode.\n")
            obs, info, episode = new_episode(None)


def _ask(stdout: TextIO, stdin: TextIO, prompt: str) -> str | None:
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    return line.rstrip("\n") if line else None


def _resolve(command: str, actions: list[str], stdin: TextIO, stdout: TextIO) -> str | None:
    """The action a typed line means: a listed number (out of range: a message, no step), a template action's
    text asked for, or the line as typed."""
    if command.isdigit():
        number, listed = int(command), min(len(actions), MAX_LISTED)
        if not 1 <= number <= listed:
            stdout.write(f"there is no action {number}: type 1-{listed}, or an action\n" if listed else
                         f"there is no action {number}: this env lists none, type an action\n")
            return None
        command = actions[number - 1]
    if command.endswith("[...]"):
        head = command[:-5]
        text = _ask(stdout, stdin, f"{'keywords' if head == 'search' else head + ' text'}: ")
        if not text or not text.strip():
            stdout.write("nothing typed: no action taken\n")
            return None
        command = f"{head}[{text.strip()}]"
    return command


def _undo(env: Any, episode: _Episode, obs: str, info: dict, stdout: TextIO) -> tuple[str, dict]:
    if not episode.history:
        stdout.write("nothing to undo\n")
        return obs, info
    turn = episode.history.pop()
    env.unwrapped.set_state(turn.state)
    _rewind_time_limit(env, len(episode.history))
    episode.recorder.trajectory.steps.pop()
    episode.recorder.trajectory.env_return = turn.episode_return
    episode.episode_return = turn.episode_return
    stdout.write("undone\n")
    return turn.observation, turn.info


def _rewind_time_limit(env: Any, steps: int) -> None:
    """Set Gymnasium's ``TimeLimit`` step count (if the env has one) to the steps the episode now holds."""
    while env is not None and hasattr(env, "env"):
        if hasattr(env, "_elapsed_steps"):
            env._elapsed_steps = steps
        env = env.env


def _save(path: str, episode: _Episode, stdout: TextIO) -> None:
    from arm_gym.jsonl import append_jsonl

    if not path:
        stdout.write("usage: :save FILE\n")
        return
    trajectory = episode.recorder.finish(complete=episode.recorder.done)
    append_jsonl(path, [trajectory.to_dict()])
    stdout.write(f"saved {len(trajectory.steps)} steps to {path}\n")


def _show(stdout: TextIO, obs: str, info: dict) -> None:
    stdout.write(f"\n=== {info.get('task_id', '')}\nInstruction: {info.get('instruction', '')}\n\n{obs}\n")
    actions = list(info.get("admissible_actions", []))
    if actions:
        stdout.write("\nAdmissible actions:\n")
        stdout.writelines(f"  {i:>2}. {action}\n" for i, action in enumerate(actions[:MAX_LISTED], 1))
        if len(actions) > MAX_LISTED:
            stdout.write(f"  ... and {len(actions) - MAX_LISTED} more\n")
