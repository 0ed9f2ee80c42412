"""Every seeded-bug notebook gets its own diagnosis, and every correct style gets none.

Notebooks are in Colab's form (``tests.support.realform.write_tasks``) and graded through the grading path
(``grade_notebook``) with the tasks they hold: 1.2, 1.4, 3.2 and 3.6.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.grading.pipeline import grade_notebook
from grader.model.results import Report
from tests.support import realform
from tests.support.students import variants as V

TASKS = ("1.2", "1.4", "3.2", "3.6")


@dataclass(frozen=True)
class Case:
    name: str
    code: dict[str, str]
    diagnoses: tuple[str, ...]  # exactly the diagnosis codes the report must carry
    answer_3_6: str | None = None


PART1 = {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL + V.STYLE_GRADCHECK}

CORRECT = (
    Case(
        "correct-vectorised",
        {**PART1, "3.2": V.CONVNET},
        (),
        "258,058 parameters. Per layer: conv1: 1216, conv2: 51328, fc1: 204864, fc2: 650.",
    ),
    Case(
        "correct-loops-sequential",
        {"1.2": V.STYLE_GRADIENT_LOOPS, "1.4": V.STYLE_NUMERICAL + V.STYLE_GRADCHECK, "3.2": V.STYLE_CONVNET_SEQUENTIAL},
        (),
        "Total = 258 058 (1 216 + 51 328 + 204 864 + 650)",
    ),
    Case(
        "correct-ctor-names",
        {**PART1, "3.2": V.CONVNET_INPUTS_OUTPUTS},
        (),
        "258,058 parameters. Per layer: conv1: 1216, conv2: 51328, fc1: 204864, fc2: 650.",
    ),
)

BUGS = (
    Case(
        "sign-flipped", {"1.2": V.gradient(dYo="Y * sigm(-Y * Yo)")}, ("gradient_nn.sign_flipped",)
    ),
    Case("no-relu-mask", {"1.2": V.gradient(bi="dYo * Wo")}, ("gradient_nn.no_relu_mask",)),
    Case(
        "wi-transposed",
        {"1.2": V.gradient(wi="np.outer(grad_s_bi, X)")},
        ("gradient_nn.wi_transposed",),
    ),
    Case("squared-loss", {"1.2": V.gradient(dYo="Yo - Y")}, ("gradient_nn.squared_loss",)),
    Case(
        "sigmoid-argument",
        {"1.2": V.gradient(dYo="-Y * sigm(-Yo)")},
        ("gradient_nn.sigmoid_argument",),
    ),
    Case(
        "both-signs",
        {"1.2": V.gradient(dYo="Y * sigm(Y * Yo)")},
        ("gradient_nn.sign_inside_and_outside",),
    ),
    Case(
        "sign-inside-sigmoid",
        {"1.2": V.gradient(dYo="-Y * sigm(Y * Yo)")},
        ("gradient_nn.sign_inside_sigmoid",),
    ),
    Case("wo-without-relu", {"1.2": V.gradient(wo="dYo * Z")}, ("gradient_nn.wo_without_relu",)),
    Case("bi-without-wo", {"1.2": V.gradient(bi="dYo * (Z > 0)")}, ("gradient_nn.bi_without_wo",)),
    Case(
        "forward-difference",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL_FORWARD + V.STYLE_GRADCHECK},
        ("numerical.one_sided",),
    ),
    Case(
        "no-half",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL_NO_HALF + V.STYLE_GRADCHECK},
        ("numerical.missing_half",),
    ),
    Case(
        "one-side-only",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL_ONE_SIDE + V.STYLE_GRADCHECK},
        ("numerical.one_side_only",),
    ),
    Case(
        "gradcheck-always-true",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL + V.STYLE_GRADCHECK_ALWAYS_TRUE},
        ("gradcheck.never_fails",),
    ),
    Case(
        "gradcheck-only-wi",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL + V.STYLE_GRADCHECK_ONLY_WI},
        ("gradcheck.only_wi",),
    ),
    Case(
        "gradcheck-inverted",
        {"1.2": V.STYLE_GRADIENT, "1.4": V.STYLE_NUMERICAL + V.STYLE_GRADCHECK_INVERTED},
        ("gradcheck.inverted",),
    ),
    Case(
        "pool-stride-1",
        {"3.2": V.convnet(pool="nn.MaxPool2d(2, stride=1)", flat=128 * 22 * 22)},
        ("convnet.pool_stride_1",),
    ),
    Case(
        "conv-padding",
        {
            "3.2": V.convnet(
                conv1="nn.Conv2d(3, 16, 5, padding=2)",
                conv2="nn.Conv2d(16, 128, 5, padding=2)",
                flat=128 * 8 * 8,
            )
        },
        ("convnet.conv_padding",),
    ),
    Case(
        "conv-no-bias",
        {
            "3.2": V.convnet(
                conv1="nn.Conv2d(3, 16, 5, bias=False)", conv2="nn.Conv2d(16, 128, 5, bias=False)"
            )
        },
        ("convnet.conv_no_bias",),
    ),
    Case("relu", {"3.2": V.convnet(act="F.relu")}, ("convnet.relu_for_tanh",)),
    Case(
        "average-pooling", {"3.2": V.convnet(pool="nn.AvgPool2d(2)")}, ("convnet.average_pooling",)
    ),
    Case("missing-activation", {"3.2": V.CONVNET_NO_CONV2_TANH}, ("convnet.missing_activation",)),
    Case(
        "lazy-missing-activation",
        {"3.2": V.CONVNET_LAZY.replace("torch.tanh(self.fc1(", "(self.fc1(")},
        ("convnet.missing_activation",),
    ),
    Case(
        "own-network-total",
        {
            "3.2": V.STYLE_CONVNET_SEQUENTIAL.replace(
                "nn.Linear(64, 10)", "nn.Linear(64, 10, bias=False)"
            ).replace("nn.Linear(3200, 64)", "nn.Linear(3200, 64, bias=False)")
        },
        ("convnet.fc_no_bias", "answer_3_6.own_network"),
        "My network has 257,984 parameters.",
    ),
    Case(
        "own-network-per-layer",
        {"3.2": V.convnet(pool="nn.MaxPool2d(2, stride=1)", flat=128 * 22 * 22)},
        ("convnet.pool_stride_1", "answer_3_6.own_network"),
        "conv1: 1216\nconv2: 51328\nfc1: 3964992\nfc2: 650\ntotal: 4018186",
    ),
)


@pytest.fixture(scope="module")
def assignment():
    full = load_assignment("a2")
    rubric = replace(full.rubric, tasks=tuple(t for t in full.rubric.tasks if t.id in TASKS))
    return replace(full, rubric=rubric)


def grade(case: Case, folder: Path, assignment) -> Report:
    path = realform.write_tasks(
        folder / f"A2_DOE_{case.name.replace('-', '')}.ipynb", case.code, case.answer_3_6
    )
    return grade_notebook(path, assignment, seed=0)


def diagnosis_codes(report: Report) -> set[str]:
    return {d.code for t in report.tasks for c in t.checks for d in c.diagnoses}


@pytest.mark.parametrize("case", BUGS, ids=lambda c: c.name)
def test_a_seeded_bug_gets_its_own_diagnosis(case, tmp_path, assignment):
    report = grade(case, tmp_path, assignment)
    assert diagnosis_codes(report) == set(case.diagnoses)
    diagnosed = [c for t in report.tasks for c in t.checks if c.diagnoses]
    assert all(c.status != "passed" for c in diagnosed)  # only a failure is explained


@pytest.mark.parametrize("case", CORRECT, ids=lambda c: c.name)
def test_a_correct_style_gets_no_diagnosis(case, tmp_path, assignment):
    report = grade(case, tmp_path, assignment)
    # the notebook was never run, so only the saved-output evidence may fail
    failed = [
        c.name for t in report.tasks for c in t.checks if c.status not in ("passed", "manual")
    ]
    assert [name for name in failed if not name.startswith("evidence.")] == []
    assert diagnosis_codes(report) == set()


def with_credit(assignment, rules: dict[str, tuple[str, float]]):
    """The assignment with a credit rule on some checks: check -> (diagnosis code, points)."""
    tasks = tuple(
        replace(
            t,
            checks=tuple(
                replace(c, credit=(rules[c.name],)) if c.name in rules else c for c in t.checks
            ),
        )
        for t in assignment.rubric.tasks
    )
    return replace(assignment, rubric=replace(assignment.rubric, tasks=tasks))


def test_credit_by_rule_for_a_diagnosed_network_and_a_consistent_answer(tmp_path, assignment):
    rules = {
        "convnet.same_function": ("convnet.fc_no_bias", 4.0),
        "answer_3_6.total": ("answer_3_6.own_network", 2.0),
    }
    (case,) = [c for c in BUGS if c.name == "own-network-total"]
    plain = grade(case, tmp_path, assignment)
    credited = grade(case, tmp_path, with_credit(assignment, rules))
    scores = {c.name: (c.status, c.score) for t in credited.tasks for c in t.checks}
    assert scores["convnet.same_function"] == ("partial", 4.0)
    assert scores["answer_3_6.total"] == ("partial", 2.0)
    assert credited.score == plain.score + 6.0


def test_an_answer_with_the_own_networks_layers_is_diagnosed_on_both_3_6_checks(
    tmp_path, assignment
):
    (case,) = [c for c in BUGS if c.name == "own-network-per-layer"]
    report = grade(case, tmp_path, assignment)
    (task,) = [t for t in report.tasks if t.id == "3.6"]
    said = {c.name: [d.message for d in c.diagnoses] for c in task.checks}
    assert said == {
        "answer_3_6.total": [
            "the answer counts your own ConvNet (4,018,186 parameters in all), which differs from the handout's network"
        ],
        "answer_3_6.per_layer": [
            "the answer counts your own ConvNet (per layer 1,216, 51,328, 3,964,992, 650), which differs from the handout's network"
        ],
    }


def test_a_network_missing_one_activation_is_told_which_stage(tmp_path, assignment):
    (case,) = [c for c in BUGS if c.name == "missing-activation"]
    report = grade(case, tmp_path, assignment)
    (task,) = [t for t in report.tasks if t.id == "3.2"]
    said = {c.name: [d.message for d in c.diagnoses] for c in task.checks if c.status != "passed"}
    assert said == {
        "convnet.same_function": [
            (
                "forward applies no tanh after conv2: the handout's network is conv1 → tanh → pool, "
                "conv2 → tanh → pool, fc1 → tanh, fc2 (tanh before or after the pooling is the same)"
            )
        ]
    }
