import pytest

from arm_gym.trajectory import Step, Trajectory
from arm_gym.reward.render import MIN_TOKENS, RenderConfig, render_trajectory


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from arm_gym.reward.model import default_backbone_path

    return AutoTokenizer.from_pretrained(str(default_backbone_path()), local_files_only=True)


def n_tokens(tokenizer, text):
    return len(tokenizer(text)["input_ids"])


def long_trajectory(n=30, obs_words=12):
    steps = [Step(f"act{i}", " ".join([f"obs{i}"] * obs_words), 0.0) for i in range(n)]
    return Trajectory("E", "t", "reach the goal", initial_observation="you are at the start", steps=steps)


def test_without_budget_the_format_is_unchanged():
    traj = Trajectory("E", "t", "x", initial_observation="first", steps=[Step("a", "b", 0.0), Step("c", "d", 1.0)])
    expected = "Instruction: do it\nObservation: first\nAction: a\nObservation: b\nAction: c\nObservation: d"
    assert render_trajectory("do it", traj) == expected
    assert render_trajectory("do it", traj.steps, initial_observation="first") == expected
    assert render_trajectory("do it", []) == "Instruction: do it"


def test_a_short_trajectory_is_not_touched_by_the_budget(tokenizer):
    traj = long_trajectory(2, 2)
    assert render_trajectory("go", traj, tokenizer=tokenizer, max_tokens=256) == render_trajectory("go", traj)


@pytest.mark.parametrize("budget", [MIN_TOKENS, 64, 100, 256])
@pytest.mark.parametrize("side", ["left", "right"])
def test_long_trajectories_fit_the_budget_and_keep_the_instruction(tokenizer, budget, side):
    traj = long_trajectory()
    text = render_trajectory("reach the goal", traj, tokenizer=tokenizer, max_tokens=budget, truncation_side=side)
    assert n_tokens(tokenizer, text) <= budget
    assert text.startswith("Instruction: reach the goal")


def test_left_keeps_the_most_recent_steps_and_right_the_earliest(tokenizer):
    traj = long_trajectory()
    left = render_trajectory("reach the goal", traj, tokenizer=tokenizer, max_tokens=128, truncation_side="left")
    right = render_trajectory("reach the goal", traj, tokenizer=tokenizer, max_tokens=128, truncation_side="right")
    assert "Action: act29" in left and "Action: act0\n" not in left
    assert "Action: act0\n" in right and "Action: act29" not in right
    kept_left = left.count("Action: ")
    assert f"[{30 - kept_left} earlier steps omitted]" in left
    kept_right = right.count("Action: ")
    assert f"[{30 - kept_right} later steps omitted]" in right
    assert kept_left >= 2 and kept_right >= 2


def test_a_single_huge_step_is_cut_inside_its_text(tokenizer):
    steps = [Step("small", "ok", 0.0), Step("buy", "word " * 2000, 1.0)]
    text = render_trajectory("shop", steps, tokenizer=tokenizer, max_tokens=64)
    assert n_tokens(tokenizer, text) <= 64
    assert "Action: buy" in text and text.endswith("...")


def test_a_huge_instruction_leaves_room_for_steps(tokenizer):
    text = render_trajectory("please " * 500, long_trajectory(3, 3), tokenizer=tokenizer, max_tokens=96)
    assert n_tokens(tokenizer, text) <= 96
    assert text.startswith("Instruction: please please")
    assert "Action: act2" in text


def test_template_2_marks_the_instruction_an_observation_repeats_and_template_1_keeps_it(tokenizer):
    instruction = "find red shoes under 50 dollars"
    page = f"Instruction: [SEP] {instruction} [SEP] Search"
    traj = Trajectory("E", "t", instruction, initial_observation=page, steps=[Step("search[red shoes]", page, 0.0)])
    marked = render_trajectory(instruction, traj, template=2)
    assert marked.count(instruction) == 1 and marked.count("[instruction]") == 2  # the header keeps it
    assert render_trajectory(instruction, traj, template=1).count(instruction) == 3
    assert RenderConfig(template=1).render(instruction, traj, tokenizer).count(instruction) == 3
    assert render_trajectory("go", [Step("a", "go north, go", 0.0)]) == "Instruction: go\nAction: a\nObservation: go north, go"


def test_template_3_marks_an_observation_identical_to_the_one_before(tokenizer):
    page = "Item page [SEP] color [SEP] red [SEP] blue [SEP] Buy Now"
    traj = Trajectory("E", "t", "buy shoes", initial_observation="Search", steps=[
        Step("click[item]", page, 0.0), Step("click[red]", page, 0.0), Step("click[blue]", page, 0.0),
        Step("click[Buy Now]", "Thank you", 1.0)])
    text = render_trajectory("buy shoes", traj)
    assert text.count(page) == 1 and text.count("[unchanged]") == 2
    assert "Action: click[blue]\nObservation: [unchanged]" in text
    assert render_trajectory("buy shoes", traj, template=2).count(page) == 3  # older checkpoints keep their text
    # the first step is compared with the initial observation; an empty observation is never "unchanged"
    assert render_trajectory("x", [Step("look", "Search", 0.0)], initial_observation="Search").endswith("[unchanged]")
    assert render_trajectory("x", [Step("a", "", 0.0), Step("b", "", 0.0)]).endswith("Observation: ")


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="tokenizer"):
        render_trajectory("x", [], max_tokens=100)
    with pytest.raises(ValueError, match="truncation_side"):
        render_trajectory("x", [], truncation_side="middle")
    with pytest.raises(ValueError, match="at least"):
        RenderConfig(max_tokens=4)
    with pytest.raises(ValueError, match="truncation_side"):
        RenderConfig(truncation_side="up")
    with pytest.raises(ValueError, match="template"):
        RenderConfig(template=99)
    with pytest.raises(ValueError, match="template"):
        render_trajectory("x", [], template=0)


def test_render_config_round_trip_and_encode(tokenizer):
    config = RenderConfig(max_tokens=48, truncation_side="right")
    assert RenderConfig.from_dict(config.to_dict()) == config
    texts = [config.render("reach the goal", long_trajectory(), tokenizer), config.render("empty", [], tokenizer)]
    ids = config.encode(texts, tokenizer)
    assert all(len(x) <= 48 for x in ids)
    assert ids[1][0] == tokenizer.cls_token_id and ids[1][-1] == tokenizer.sep_token_id
