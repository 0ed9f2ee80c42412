"""Locating tasks by their headings, and reading numbers the way students write them."""

import json
import time

import pytest

from grader.assignments.a2.evidence import SECTION_RULES, TASK_IDS
from grader.assignments.a2.hidden import numbers_in, shapes_in
from grader.notebook import load_submission
from grader.notebook.model import Cell, Output, Submission
from grader.notebook.sections import find_sections, task_pattern
from tests.support import realform


@pytest.mark.parametrize(
    ("task", "line", "opens"),
    [
        ("1.4", "### Question 1.4 — numerical gradient", True),
        ("1.4", "**Q1.4**", True),
        ("1.4", "1.4 Numerical", True),
        ("3.6", "#### QUESTION 3.6: dimensions", True),
        ("1.2", "### Task 1.2:", True),
        ("1.1", "### 1.1.", True),
        ("1.4", "1.45 is not 1.4", False),
        ("1.4", "Question 1.4.1", False),
        ("1.2", "We use lr = 0.02 1.2", False),
        ("1.1", "Part 1 introduction", False),
    ],
)
def test_heading_patterns(task, line, opens):
    assert bool(task_pattern(task).search(line)) is opens


def test_sections_run_to_the_next_heading():
    cells = (
        Cell(1, "markdown", "# A2"),
        Cell(2, "markdown", "### Question 1.4\nAnswer: central differences"),
        Cell(3, "code", "gradcheck()", 1, (Output("stream", "SUCCESS"),)),
        Cell(4, "markdown", "more words"),
        Cell(5, "markdown", "### Question 1.5"),
        Cell(6, "code", "plot()", 2, (Output("display_data", "<Figure>", ("image/png",)),)),
    )
    sections = find_sections(Submission(path=None, identity=None, cells=cells), ["1.4", "1.5"])
    assert sections["1.4"].outputs_text == "SUCCESS"
    assert sections["1.4"].answer == "central differences\n\nmore words"
    assert sections["1.5"].answer == ""
    assert sections["1.5"].images == 1 and sections["1.4"].images == 0


@pytest.mark.parametrize(
    "text",
    [
        "258058", "258,058", "258 058", "258.058", "$258{,}058$", r"$258\,058$", "total: **258 058** params",
        "258\u202f058", "258\u2009058", "258\u00a0058", "258'058", "258\u2019058",
    ],
)
def test_numbers_as_students_write_them(text):
    assert 258058 in numbers_in(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (r"total: $348\,026$", 348026),
        (r"$\boxed{257,914}$", 257914),
        (r"$\boxed{258\,058}$", 258058),
        (r"$258\;058$", 258058),
        ("$258~058$", 258058),
        ("$258{,}058$", 258058),
    ],
)
def test_latex_spaced_and_boxed_totals(text, number):
    assert number in numbers_in(text)


def test_a_digit_run_too_long_for_a_count_is_no_number():
    assert numbers_in("1" * 5000 + " and 650") == {650}


def test_numbers_do_not_merge_unrelated_figures():
    assert numbers_in("1216 + 51328 + 204864 + 650") == {1216, 51328, 204864, 650}
    assert 650 in numbers_in("fc2: 10×64 + 10 = 650")


def test_a_layer_name_does_not_lend_its_digit_to_the_count_after_it():
    text = "conv1 1,216, conv2 51,328, fc1 204,864, fc2 650. Total: 258,058."
    assert numbers_in(text) == {1, 2, 1216, 51328, 204864, 650, 258058}


def test_an_answer_under_the_question_in_the_heading_cell_counts():
    cells = (Cell(1, "markdown", "### Question 3.6 — parameters\nconv1: 1,216 ... total **258,058**"),)
    section = find_sections(Submission(path=None, identity=None, cells=cells), ["3.6"])["3.6"]
    assert 258058 in numbers_in(section.answer)
    assert "Question 3.6" not in section.answer


# -- the real handout's layout ----------------------------------------------------------------


FRAME = "#" * 40


def _real(*cells):
    numbered = tuple(Cell(k, kind, *rest) for k, (kind, *rest) in enumerate(cells, start=1))
    return find_sections(Submission(path=None, identity=None, cells=numbered), TASK_IDS, SECTION_RULES)


def test_banner_headings_framed_answers_and_the_placeholder_removed():
    sections = _real(
        ("markdown", "### :: TASK 1.1 ::\n\nDerive the gradients of s."),
        ("markdown", f"{FRAME}\nWRITE YOUR ANSWER HERE\n{FRAME}"),
        ("markdown", "### :: TASK 1.3 ::\nWhich formula?"),
        ("markdown", f"{FRAME}\nThe central difference $(s(w+e)-s(w-e))/2e$.\n{FRAME}"),
        ("markdown", "More on it."),
    )
    assert sections["1.1"].answer == ""  # the placeholder left as handed out
    assert sections["1.3"].answer == "The central difference $(s(w+e)-s(w-e))/2e$.\n\nMore on it."


def test_a_banner_in_the_middle_of_a_cell_opens_its_task_there():
    sections = _real(
        ("markdown", "### :: TASK 2.1 ::\nWhich filter?"),
        ("markdown", "A Laplacian."),
        ("markdown", "## Pooling\nPooling keeps the maximum.\n### :: TASK 2.2 ::\nWhat does MaxPool2d(15) do?"),
        ("code", "pool = nn.MaxPool2d(15, stride=1)", 3),
        ("markdown", "It dilates bright areas."),
    )
    assert sections["2.1"].answer == "A Laplacian."  # "## Pooling" ends 2.1
    assert sections["2.2"].answer == "It dilates bright areas."
    assert "Pooling keeps" not in sections["2.2"].prose


def test_sample_task_and_closing_headings_end_a_section():
    sections = _real(
        ("markdown", "### :: TASK 1.6 ::\nFive runs."),
        ("code", "print(table)", 1, (Output("stream", "1 0.0 1.2"),)),
        ("markdown", f"{FRAME}\nWRITE YOUR ANSWER HERE\n{FRAME}"),
        ("markdown", "### :: SAMPLE TASK ::\nLearning rates."),
        ("markdown", "The sample's own text."),
        ("markdown", "### :: TASK 3.6 ::\nHow many parameters?"),
        ("markdown", "258,058"),
        ("markdown", "## Useful resources\n- a link"),
        ("markdown", "## AUTHORSHIP STATEMENT\nI declare..."),
    )
    assert sections["1.6"].answer == "" and "1.2" in sections["1.6"].outputs_text
    assert sections["3.6"].answer == "258,058"


def test_an_answer_typed_inside_the_question_cell():
    with_marker = _real(("markdown", "### :: TASK 3.3 ::\nWhy non-linear?\n\n**Answer:** linear maps compose."))
    assert with_marker["3.3"].answer == "linear maps compose."
    in_frame = _real(("markdown", f"### :: TASK 3.3 ::\nWhy non-linear?\n{FRAME}\nlinear maps compose\n{FRAME}"))
    assert in_frame["3.3"].answer == "linear maps compose"
    alone = _real(("markdown", "### :: TASK 3.3 ::\nWhy non-linear? Because linear maps compose."))
    assert "linear maps compose" in alone["3.3"].answer  # nothing else answers: the cell is shown whole


def test_task_1_5_is_its_section_or_its_train_loop_run():
    by_heading = _real(
        ("markdown", "## Training the network using backpropagation and experimenting with different parameters"),
        ("code", "def train_loop(Xtr, Ytr, Xval, Yval, h, lrate, vis='all', nEpochs=100):\n    pass", 1),
        ("code", "# Run training\nh = 7\nlrate = .02\ntrain_loop(Xtr, Ytr, Xval, Yval, h, lrate)", 2, (Output("display_data", "<Figure>", ("image/png",)),)),
        ("markdown", "### :: TASK 1.6 ::"),
    )
    assert by_heading["1.5"].images == 1
    by_anchor = _real(
        ("markdown", "### :: TASK 1.4 ::"),
        ("code", "def train_loop(Xtr, Ytr, Xval, Yval, h, lrate):\n    pass", 1),
        ("code", "tr, val = train_loop(Xtr, Ytr, Xval, Yval, 7, .02)", 2, (Output("display_data", "<Figure>", ("image/png",)),)),
        ("markdown", "### :: TASK 1.6 ::"),
    )
    assert by_anchor["1.5"].images == 1 and by_anchor["1.4"].images == 0


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("conv1: 16x3x5x5", (16, 3, 5, 5)),
        ("16 × 3 × 5 × 5 weights", (16, 3, 5, 5)),
        ("$16 \\times 3 \\times 5 \\times 5$", (16, 3, 5, 5)),
        ("16*3*5*5 = 1200", (16, 3, 5, 5)),
        ("torch.Size([128, 16, 5, 5])", (128, 16, 5, 5)),
        ("fc1 : (64, 3200)", (64, 3200)),
        ("la couche fc2 a des poids de taille 10 x 64", (10, 64)),
        (r"Dimensionality: $(64,128\cdot 5\cdot 5)$", (64, 3200)),
        ("(64, 128 × 5 × 5)", (64, 3200)),
        ("(64, 128*5*5)", (64, 3200)),
        ("[64, 128·5·5]", (64, 3200)),
        (r"$\left(64,\,128 \times 25\right)$", (64, 3200)),
        ("(16, 3, 5, 5)", (16, 3, 5, 5)),
        # a linear layer's sizes joined by an arrow
        ("fc1: 3200 → 64, plus 64 biases", (3200, 64)),
        ("fc2: 64 -> 10", (64, 10)),
        (r"$3200 \to 64$", (3200, 64)),
        (r"$64 \rightarrow 10$", (64, 10)),
    ],
)
def test_shapes_as_students_write_them(text, shape):
    assert shape in shapes_in(text)


@pytest.mark.parametrize(
    "text",
    ["max 5 players", "(64, 128 x)", "(64 128)", "(3)", "f(x) = 5", "x -> y", r"$\tomato 5$"],
)
def test_what_is_no_shape(text):
    assert shapes_in(text) == set()


def test_a_tuple_member_too_large_for_a_dimension_is_no_shape():
    factors = (2,) + (9,) * 40
    assert shapes_in("(" + "*".join(map(str, factors)) + ", 3)") == {factors}  # the product alone


def test_a_words_x_is_no_times_sign_but_a_lone_x_is():
    assert shapes_in("box 5, 10 x 64") == {(10, 64)}


def _seconds(parse, text: str) -> float:
    """The fastest of three runs: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("parse", [numbers_in, shapes_in])
@pytest.mark.parametrize("unit", ["1 ", "1", "\n", "1x", "(1,", "1\\cdot ", "1,000 ", "([", "1 ×\n"])
def test_reading_time_grows_linearly_on_adversarial_text(parse, unit):
    """Ten times the text takes about ten times as long (a quadratic reader: a hundred)."""
    small, large = unit * (10_000 // len(unit)), unit * (100_000 // len(unit))
    assert _seconds(parse, large) < 30 * max(_seconds(parse, small), 1e-4)


def test_a_task_with_a_banner_is_opened_by_its_banner_only():
    sections = _real(
        ("markdown", "### :: TASK 2.1 ::\nWhich filter?"),
        ("markdown", "A Laplacian.\n**2.2** is answered below, and 1.4 was done above."),
        ("markdown", "## Pooling\n### :: TASK 2.2 ::\nWhat does MaxPool2d(15) do?"),
        ("markdown", "It dilates."),
        ("markdown", "### Question 3.3\nWhy?"),  # a task without a banner: its heading opens it
        ("markdown", "Linear maps compose."),
    )
    assert "**2.2** is answered below" in sections["2.1"].answer
    assert sections["2.2"].answer == "It dilates."
    assert sections["3.3"].answer == "Linear maps compose."


# -- headings that name nothing, in a notebook as Colab saves it -------------------------------


def _colab_sections(tmp_path, *cells: dict) -> dict:
    path = tmp_path / "A2_DOE_Jane.ipynb"
    path.write_text(json.dumps(realform.notebook(0, realform.COLAB_METADATA, list(cells))), encoding="utf-8")
    return find_sections(load_submission(path), TASK_IDS, SECTION_RULES)


@pytest.mark.parametrize("decoration", ["### ::###::", "## ::  ::", "# ######", "##  :: ##### ::"])
def test_a_heading_that_names_no_task_does_not_end_the_answer(tmp_path, decoration):
    code, lines, markdown, stream = realform.code, realform.lines, realform.markdown, realform.stream
    sections = _colab_sections(
        tmp_path,
        markdown(lines("### :: TASK 3.6 ::\nWhat is the dimensionality of the weights at each layer?")),
        markdown(lines(f"{decoration}\nconv1: 16x3x5x5, fc1: $(64,128\\cdot 5\\cdot 5)$\n\nTotal: $\\boxed{{258\\,058}}$")),
        code(lines("print(sum(p.numel() for p in net.parameters()))"), None, [stream("258058\n")]),
        markdown(lines(f"{realform.FRAME}\nOne more word on the biases.\n{realform.FRAME}")),
        markdown(lines("## Useful resources\n- a link")),
    )
    answer = sections["3.6"].answer
    assert "Total: $\\boxed{258\\,058}$" in answer and "One more word on the biases." in answer
    assert decoration not in answer  # the decoration goes with the frames
    assert sections["3.6"].outputs_text == "258058\n"
    assert "a link" not in sections["3.6"].prose  # a heading that names something still ends it


def test_a_banner_that_names_something_still_ends_the_answer(tmp_path):
    lines, markdown = realform.lines, realform.markdown
    sections = _colab_sections(
        tmp_path,
        markdown(lines("### :: TASK 1.6 ::\nFive runs.")),
        markdown(lines("### ::###::\nAlways 0% training error.")),
        markdown(lines("### :: SAMPLE TASK ::\nLearning rates.")),
    )
    assert sections["1.6"].answer == "Always 0% training error."


@pytest.mark.parametrize(
    ("printed", "shown"),
    [
        ("SUCCESS: Passed gradcheck.", True),
        ("gradcheck: SUCCESS: Passed gradcheck.", True),  # the student's label before it
        ("  success : passed the gradient check", True),
        ("UNSUCCESS: Passed gradcheck.", False),
        ("FAILURE: Fix gradient_nn", False),
    ],
)
def test_the_gradcheck_success_line_as_printed(printed, shown):
    from grader.assignments.a2.evidence import SUCCESS_LINE

    assert bool(SUCCESS_LINE.search(f"warming up\n{printed}\n")) is shown


class _Notebook:
    """What an evidence check reads of a Context: the submission."""

    def __init__(self, *cells: Cell) -> None:
        self.submission = Submission(path=None, identity=None, cells=(Cell(0, "markdown", "### :: TASK 1.6 ::"), *cells))


RUNS = [(0.0, 0.1), (0.0, 0.2), (0.1, 0.1), (0.0, 0.3), (0.0, 0.1)]


@pytest.mark.parametrize(
    ("cells", "shown"),
    [
        ((Cell(1, "code", "run()", 1, (Output("stream", "".join(f"run {k}: {t} {v}\n" for k, (t, v) in enumerate(RUNS))),)),), True),
        # the runs as columns: a transposed markdown table, with decimal commas
        ((Cell(1, "markdown", "| | run 1 | run 2 | run 3 | run 4 | run 5 |\n|---|---|---|---|---|---|\n"
               f"| training (%) | {' | '.join(str(t).replace('.', ',') for t, _ in RUNS)} |\n"
               f"| validation (%) | {' | '.join(str(v).replace('.', ',') for _, v in RUNS)} |"),), True),
        # ...two printed lists, a DataFrame with the runs as columns
        ((Cell(1, "code", "print(tr)\nprint(val)", 1, (Output("stream", f"{[t for t, _ in RUNS]}\n{[v for _, v in RUNS]}\n"),)),), True),
        ((Cell(1, "code", "df", 1, (Output("execute_result", "        0    1    2    3    4\ntrain 0.0  0.0  0.1  0.0  0.0\nval   0.1  0.2  0.1  0.3  0.1"),)),), True),
        ((Cell(1, "markdown", "The errors were 0.0 and 0.1 in every run."),), False),
        ((Cell(1, "code", "run()", 1, (Output("stream", "run 0: 0.0 0.1\nrun 1: 0.0 0.2\n"),)),), False),
    ],
)
def test_a_table_of_five_runs_as_students_lay_it_out(cells, shown):
    from grader.assignments.a2.evidence import runs_table
    from grader.checks.context import CheckFailed

    try:
        runs_table(_Notebook(*cells))
    except CheckFailed:
        assert not shown
    else:
        assert shown


def test_a_banner_repeated_in_the_answer_goes_on_with_the_task():
    cells = (
        Cell(1, "markdown", "### :: TASK 1.8 ::\nTrain with h in {1, 2, 5, 7, 10, 100}."),
        Cell(2, "code", "sweep()", 1, (Output("display_data", "<Figure>", ("image/png",)),)),
        Cell(3, "markdown", "### :: TASK 1.8 :: my answer\nSmall h underfits."),
        Cell(4, "markdown", "### :: TASK 2.1 ::"),
    )
    section = find_sections(Submission(path=None, identity=None, cells=cells), ["1.8", "2.1"])["1.8"]
    assert section.images == 1
    assert "Small h underfits." in section.answer
