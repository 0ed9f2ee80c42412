"""Reports built by hand: one of every status, hostile text, hidden checks, problems."""

from __future__ import annotations

from html.parser import HTMLParser

from grader.model.results import CheckResult, Counterexample, Report, Status, TaskResult
from grader.notebook.problems import Problem

HOSTILE = '<script>alert("x")</script>'
JANE = {"last_name": "DOE", "first_name": "Jane"}
#: Every string of the hidden failing check: none may reach a student.
HIDDEN_NAME = "bo keeps its shape (secret)"
HIDDEN_MESSAGE = "hidden message about bo"
HIDDEN_INPUT = "bo = secret-input"
HIDDEN_GOT = "secret-got-value"
HIDDEN_STRINGS = (HIDDEN_NAME, HIDDEN_MESSAGE, HIDDEN_INPUT, HIDDEN_GOT)
EXPECTED_ANSWER = "reference answer: ds/dYo = -Y sigma(-Y Yo)"
COUNTEREXAMPLE = Counterexample(
    input="X = [[1.0, -2.0]]\nY = [1]",
    expected="[[0.25, 0.0], [-0.5, 0.0]]",
    got="[[0.5, 0.5], [0.5, 0.5]]",
)


def make_report(
    student: dict[str, str] | None = JANE,
    submission: str = "A2_DOE_Jane.ipynb",
    counterexample: Counterexample = COUNTEREXAMPLE,
    extra_failing_check: str | None = None,
) -> Report:
    """Tasks passed, partial, failed, error, timeout, missing and manual; 2 problems.

    Checks: 3 passed (one hidden), 2 failed (one hidden), 1 error, plus
    ``extra_failing_check`` as one more failure of task 1.5 when given.
    """
    train_checks = [
        CheckResult("decision boundary figure", Status.FAILED, 0.0, 1.0, f"no figure {HOSTILE}")
    ]
    if extra_failing_check:
        train_checks.append(CheckResult(extra_failing_check, Status.FAILED, 0.0, 0.0, "also failed"))
    tasks = (
        TaskResult(
            "1.1",
            "Gradients by the chain rule",
            "written",
            Status.MANUAL,
            0.0,
            2.0,
            answer=f"ds/dWo = H * dYo {HOSTILE}",
            expected_answer=EXPECTED_ANSWER,
        ),
        TaskResult(
            "1.2",
            "gradient_nn",
            "code",
            Status.PARTIAL,
            1.5,
            3.0,
            checks=(
                CheckResult("returns four arrays of the right shapes", Status.PASSED, 1.0, 1.0),
                CheckResult(
                    "matches the reference",
                    Status.FAILED,
                    0.0,
                    1.0,
                    "gradient of Wi is wrong",
                    counterexample,
                ),
                CheckResult(
                    HIDDEN_NAME,
                    Status.FAILED,
                    0.5,
                    1.0,
                    HIDDEN_MESSAGE,
                    Counterexample(HIDDEN_INPUT, "0.1", HIDDEN_GOT),
                    "hidden",
                ),
            ),
        ),
        TaskResult(
            "1.4",
            "gradcheck",
            "code",
            Status.PASSED,
            2.0,
            2.0,
            checks=(
                CheckResult("numerical gradient", Status.PASSED, 1.0, 1.0),
                CheckResult("agrees on 1000 draws", Status.PASSED, 1.0, 1.0, visibility="hidden"),
            ),
        ),
        TaskResult("1.5", "Train h=7", "output", Status.FAILED, 0.0, 1.0, checks=tuple(train_checks)),
        TaskResult(
            "3.2",
            "ConvNet",
            "code",
            Status.ERROR,
            0.0,
            3.0,
            checks=(
                CheckResult(
                    "output shape N×10", Status.ERROR, 0.0, 3.0, "RuntimeError: \x1b[31mmat1\x00"
                ),
            ),
        ),
        TaskResult("3.4", "Train the ConvNet", "output", Status.TIMEOUT, 0.0, 1.0),
        TaskResult("3.6", "Number of parameters", "written", Status.MISSING, 0.0, 1.0),
    )
    return Report(
        submission=submission,
        student=student,
        score=sum(t.score for t in tasks),
        max_score=sum(t.max_score for t in tasks),
        tasks=tasks,
        problems=(
            Problem("bad-filename", "The file should be named A2_LASTNAME_Firstname.ipynb."),
            Problem("saved-error", f"a saved error {HOSTILE}", cell=7, line=3),  # a note: graded all the same
        ),
        meta={"seed": 0, "grader_version": "0.1.0"},
    )


class Tags(HTMLParser):
    """Every start tag of an HTML page with its attributes, to assert on structure."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    def urls(self) -> list[str]:
        return [v for _, attrs in self.tags for k, v in attrs.items() if k in ("src", "href") and v]


def only_the_summarys_script(page: str) -> str:
    """The one script of a class summary (its table sorter), checked to be the template's: inline,
    alone (no student text added one), and asking for nothing over the network; its text."""
    assert Tags(page).named("script") == [{}]  # one, with no src
    assert page.count("<script") == 1
    script = page[page.index("<script>") + len("<script>") : page.index("</script>")]
    assert not any(word in script for word in ("http", "fetch", "XMLHttpRequest", "import", "src"))
    return script
