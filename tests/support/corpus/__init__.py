"""The verdict corpus: notebooks made from the reference notebook, and the verdict each must get.

``build_corpus(out_dir)`` writes every notebook and returns the cases. Three kinds:

The reference notebook is in the real form (Colab's nbformat 4.0 without cell ids,
``### :: TASK n ::`` headings, ``#####`` answer frames, the handout's placeholders left in
place), and so is every case made from it; today's older form is one case among them.

- ``correct``: a different but correct way to do it; every automatic check must pass, and
  ``answers`` (task -> text) must appear in the report's answer for that task (a written
  task's answer; a numeric task's text and outputs that its checks read).
- ``bug``: one seeded mistake; ``task`` must lose points and every other task must score
  what the reference notebook scores.
- ``broken``: a broken file or hostile code; the report names the problem (``problems``) or
  the check statuses (``statuses``), the score is no higher than the ``honest`` case's, and
  the grader's environment is left intact (checked by the test).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tests.support.corpus import edits
from tests.support.students import variants as V

ROOT = V.CHECKOUT  # the checkout under test
REFERENCE_NOTEBOOK = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"

GRADIENT_CHECKS = (
    "gradient_nn.shapes", "gradient_nn.known_values", "gradient_nn.inactive_units", "gradient_nn.sgd_converges",
    "gradient_nn.grad_Wi", "gradient_nn.grad_bi", "gradient_nn.grad_Wo", "gradient_nn.grad_bo",
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str  # letters and hyphens: also the notebook's first name, A2_<KIND>_<Name>.ipynb
    kind: str  # correct | bug | broken
    why: str
    task: str | None = None  # bug: the task that must lose points; broken: the only task that may
    failing: tuple[str, ...] = ()  # checks that must not pass
    only_failing: bool = False  # ...and every other check of `task` must pass
    statuses: Mapping[str, str] = field(default_factory=dict)  # check -> exact status
    problems: tuple[str, ...] = ()  # problem codes the report must carry
    honest: str | None = None  # case whose total score this one must not exceed
    same_as_honest: bool = False  # ...and must equal
    others_intact: bool = True  # every task but `task` scores what the reference scores
    filename: str = ""
    answers: Mapping[str, str] = field(default_factory=dict)  # task -> text its answer holds ("" : empty)

    @property
    def file(self) -> str:
        if self.filename:
            return self.filename
        first = "-".join(word.capitalize() for word in self.name.split("-"))
        return f"A2_{self.kind.upper()}_{first}.ipynb"

    @property
    def stem(self) -> str:
        return Path(self.file).stem


Edit = Callable[[nbformat.NotebookNode], None]


def _replace(name: str, source: str) -> Edit:
    return lambda nb: edits.replace_definition(nb, name, source)


def _then(*steps: Edit) -> Edit:
    def run(nb: nbformat.NotebookNode) -> None:
        for step in steps:
            step(nb)

    return run


# ---------------------------------------------------------------- notebook-level edits


def _helper_in_own_cell(nb):
    edits.replace_definition(nb, "gradient_nn", V.GRAD_USES_HELPER)
    edits.insert_code(nb, edits.defining_cell(nb, "gradient_nn"), V.RELU_GRAD_HELPER, count=1)
    edits.renumber(nb)


def _convnet(variant: str, first_conv: str) -> Edit:
    """A ConvNet whose first convolution is not ``conv1``: the student's 3.5 cell follows it."""

    def run(nb):
        edits.replace_definition(nb, "ConvNet", variant)
        edits.replace_in_sources(nb, "convnet.conv1.weight", f"convnet.{first_conv}.weight")

    return run


def _magics(nb):
    edits.insert_code(nb, 1, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2", count=1)
    edits.insert_code(
        nb,
        2,
        "!pip install -q torch torchvision scipy\n!ls -la",
        count=2,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="total 12\n")],
    )
    k = edits.defining_cell(nb, "gradient_nn")
    nb.cells[k].source = "%%time\n" + nb.cells[k].source
    k = edits.defining_cell(nb, "ConvNet")
    nb.cells[k].source = nb.cells[k].source + "\n\nConvNet?\nnet_check = ConvNet()\nnet_check"
    edits.renumber(nb)


def _redefinition(nb):
    k = edits.defining_cell(nb, "gradient_nn")
    edits.insert_code(nb, k, V.GRAD_EARLY_WRONG, count=3)
    edits.insert_markdown(nb, k + 1, "The version above has a sign error; corrected below.")
    edits.renumber(nb)


def _out_of_order(nb):
    """Cells run bottom to top (counts decreasing), as after re-running cells by hand."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    for n, cell in enumerate(reversed(code), start=1):
        cell.execution_count = n
        for o in cell.outputs:
            if o.output_type == "execute_result":
                o.execution_count = n


def _headings(nb):
    edits.rename_heading(nb, "1.1", "## ▼ :: TASK 1.1 ::")  # a Colab export
    edits.rename_heading(nb, "1.2", "**Q1.2** Implement gradient_nn")
    edits.rename_heading(nb, "1.4", "Task 1.4: gradient check")
    edits.rename_heading(nb, "3.4", "#### Exercise 3.4 - 20 epochs")
    edits.rename_heading(nb, "3.6", "**Question 3.6.** How many parameters?")


FRAME_LINE = re.compile(r"^\s*#{3,}\s*$\n?", re.MULTILINE)


def _legacy_form(nb):
    """The form the corpus was first built in: ``### Question n —`` headings (one for 1.5 too),
    answers typed over the frames, cell ids, nbformat 4.5, no Colab metadata."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"^### :: TASK (\S+) ::", r"### Question \1 —", cell.source, flags=re.MULTILINE)
            cell.source = cell.source.replace("### :: SAMPLE TASK ::", "### Sample task — the learning rate")
            cell.source = FRAME_LINE.sub("", cell.source)
    run = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.startswith("# Run training"))
    nb.cells.insert(run, nbformat.v4.new_markdown_cell("### Question 1.5 — training with h = 7, lr = 0.02"))
    nb.nbformat_minor = 5
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k:02d}"


def _null_counts(nb):
    """Every execution count cleared, every output kept (a tool's export)."""
    edits.set_counts(nb, iter(lambda: None, 0))


def _counts_from_zero(nb):
    edits.set_counts(nb, range(10_000))


def _counts_all_zero(nb):
    edits.set_counts(nb, [0] * 10_000)


def _answer_forms(nb):
    """Answers as students really place them: after the frames, replacing the cell, inside the
    question cell, over several cells, left blank; in French with LaTeX."""
    frame = "#" * 80

    def answer_cell(task):
        return next(k for k in edits.section_cells(nb, task) if nb.cells[k].cell_type == "markdown")

    k = answer_cell("1.3")  # below the frames
    nb.cells[k].source = f"{frame}\nWRITE YOUR ANSWER HERE\n{frame}\n\nDifférences centrées : $\\frac{{s(\\theta+\\epsilon) - s(\\theta-\\epsilon)}}{{2\\epsilon}}$."
    k = answer_cell("1.7")  # the whole cell replaced, no frames
    nb.cells[k].source = "lr = 2 diverges; lr = 0.2 is fastest; lr = 0.002 is too slow."
    k = answer_cell("2.1")  # typed into the question cell, the answer cell deleted
    head = edits.heading_cell(nb, "2.1")
    nb.cells[head].source += "\n\n**Réponse :** un filtre laplacien, appliqué à chaque canal."
    del nb.cells[k]
    k = answer_cell("3.3")  # placeholder kept, the answer in two cells after it
    nb.cells[k].source = f"{frame}\nWRITE YOUR ANSWER HERE\n{frame}"
    edits.insert_markdown(nb, k + 1, "A composition of linear maps is linear,")
    edits.insert_markdown(nb, k + 2, "so without tanh the network collapses to one linear layer.")
    k = answer_cell("1.1")  # left blank
    nb.cells[k].source = f"{frame}\nWRITE YOUR ANSWER HERE\n{frame}"


def _answer_3_6_as_dimensions(nb):
    """3.6 answered with each layer's weight dimensionality in mixed notations, in French, no printed list."""
    for k in edits.section_cells(nb, "3.6"):
        cell = nb.cells[k]
        if cell.cell_type == "markdown":
            cell.source = V.ANSWER_3_6_DIMENSIONS.strip()
        else:
            cell.outputs = []


def _answer_3_6_torchsummary(nb):
    """3.6 answered by a torchsummary table printed under the task, nothing written."""
    for k in reversed(edits.section_cells(nb, "3.6")):
        cell = nb.cells[k]
        if cell.cell_type == "markdown":
            del nb.cells[k]
        else:
            cell.source = "from torchsummary import summary\nsummary(convnet, (3, 32, 32))"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=V.TORCHSUMMARY_3_6)]


def _convnet_ctor_arg(nb):
    edits.replace_definition(nb, "ConvNet", V.CONVNET_CTOR_ARG)
    edits.replace_in_sources(nb, "ConvNet()", "ConvNet(10)")


def _train_test_own_parameters(nb):
    """train(epoch, network, optimizer) and test(network, loader), called so by the notebook."""
    edits.replace_definition(nb, "train", V.TRAIN_OPTIMIZER_PARAM)
    edits.replace_definition(nb, "test", V.TEST_LOADER_PARAM)
    for network in ("network", "convnet"):
        edits.replace_in_sources(nb, f"    train(epoch, {network})", f"    train(epoch, {network}, optimizer)")
        edits.replace_in_sources(nb, f"    test({network})", f"    test({network}, test_loader)")


def _gradcheck_given_functions(nb):
    """gradcheck(gradient_nn, gradient_nn_numerical), called so by the notebook."""
    edits.replace_in_sources(nb, "def gradcheck(seed=None) -> bool:", "def gradcheck(gradient_nn, gradient_nn_numerical, seed=None) -> bool:")
    edits.replace_in_sources(nb, "if gradcheck():", "if gradcheck(gradient_nn, gradient_nn_numerical):")


def _train_loop_returns_weights(nb):
    """train_loop returns the trained weights after the two curves; the notebook unpacks them."""
    edits.replace_in_sources(nb, "    return tr_error, val_error", "    return tr_error, val_error, Wi, bi, Wo, bo")
    edits.replace_in_sources(nb, "tr_error, val_error = train_loop(", "tr_error, val_error, *_ = train_loop(")


def _typographic_answer_3_6(nb):
    """3.6 with layer names before their counts (no colon) and the total's thousands set apart by a
    thin space, as French typography does; the printed list removed, so the text is what counts."""
    for k in edits.section_cells(nb, "3.6"):
        cell = nb.cells[k]
        if cell.cell_type == "markdown":
            cell.source = (
                "Parameters per layer (weights + biases): conv1 1,216, conv2 51,328, fc1 204,864, fc2 650.\n\n"
                "Total: **258\u2009058** parameters."
            )
        else:
            cell.outputs = []


def _labelled_success(nb):
    """The gradcheck's verdict printed after a label of the student's: ``gradcheck: SUCCESS: …``."""
    edits.map_outputs(nb, "1.4", lambda outs: edits.edit_stream_text(outs, lambda t: t.replace("SUCCESS:", "gradcheck: SUCCESS:")))


def _convnet_n_channels(nb):
    """``n_channels = 3`` in a cell of its own above ConvNet, which the 3.x cells call with that name."""
    edits.replace_definition(nb, "ConvNet", V.CONVNET_N_CHANNELS)
    edits.insert_code(nb, edits.defining_cell(nb, "ConvNet"), "n_channels = 3  # RGB images", count=1)
    edits.replace_in_sources(nb, "ConvNet()", "ConvNet(n_channels)")
    edits.renumber(nb)


def _colab_imports(nb):
    k = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    edits.insert_code(nb, k + 1, V.COLAB_IMPORTS, count=1)
    edits.insert_code(nb, k + 1, "!pip install torchsummary", count=1,
                      outputs=[nbformat.v4.new_output("stream", name="stdout", text="Successfully installed torchsummary\n")])
    edits.renumber(nb)


def _without_banners(nb):
    """No recognisable task heading at all: the banners reworded into plain text."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"^### :: TASK (\S+) ::", r"Now the next exercise (\1 in the handout).", cell.source, flags=re.MULTILINE)
            cell.source = cell.source.replace("## Training the network using backpropagation", "Provided:")


def _without_3_5_banner(nb):
    k = edits.heading_cell(nb, "3.5")
    nb.cells[k].source = "Plot the 16 filters of the first convolutional layer as images."


def _answer_in_heading(nb):
    """The 3.6 table in the heading's own cell; no printed parameter list."""
    head = edits.heading_cell(nb, "3.6")
    section = list(edits.section_cells(nb, "3.6"))
    table = next(nb.cells[k] for k in section if nb.cells[k].cell_type == "markdown")
    nb.cells[head].source = nb.cells[head].source + "\n\n" + table.source
    for k in reversed(section):
        if nb.cells[k].cell_type == "code" or nb.cells[k] is table:
            del nb.cells[k]


def _wrong_total(nb):
    """Per-layer counts right, the total mis-added, and no printed parameter list to rescue it."""
    for k in edits.section_cells(nb, "3.6"):
        cell = nb.cells[k]
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("258,058", "258,085")
        else:
            cell.outputs = []


def _answer_3_6_tuple_products(total: str) -> Edit:
    """3.6 in products-inside-tuples notation with a boxed ``total``; no printed list to rescue it."""

    def edit(nb):
        for k in edits.section_cells(nb, "3.6"):
            cell = nb.cells[k]
            if cell.cell_type == "markdown":
                cell.source = V.ANSWER_3_6_TUPLE_PRODUCTS.strip().replace(r"\boxed{258\,058}", total)
            else:
                cell.outputs = []

    return edit


FRAME_HEADING = "### ::###::"


def _answers_under_frame_headings(nb):
    """The answers of 1.7 and 3.6 typed under their frame turned into a heading, ``### ::###::``;
    3.6's printed list removed, so that its marks rest on the text under that line."""
    for task in ("1.7", "3.6"):
        for k in edits.section_cells(nb, task):
            cell = nb.cells[k]
            if cell.cell_type == "markdown":
                cell.source = re.sub(r"^#{3,}$", FRAME_HEADING, cell.source, flags=re.MULTILINE)
            else:
                cell.outputs = []


def _gradcheck_failure(nb):
    fix = lambda text: text.replace(
        "SUCCESS: Passed gradcheck.",
        "FAILURE: Fix gradient_nn and/or gradient_nn_numerical functions.",
    )
    edits.map_outputs(nb, "1.4", lambda outs: edits.edit_stream_text(outs, fix))


def _warnings_before_success(nb):
    """NumPy's deprecation warnings printed by the handout's numerical gradient (stderr) and a
    warning line in the same stream, before the SUCCESS line, as real outputs show them."""
    warning = (
        "/tmp/ipykernel_42/1234.py:12: DeprecationWarning: Conversion of an array with ndim > 0 to a scalar "
        "is deprecated, and will error in future. (Deprecated NumPy 1.25.)\n"
        "  grad_s_Wi_numerical[i, j] = (loss_plus - loss_minus) / (2 * eps)\n"
    )

    def change(outputs: list) -> list:
        if not any(o.output_type == "stream" and "SUCCESS" in o.text for o in outputs):
            return outputs
        stamped = edits.edit_stream_text(outputs, lambda text: text.replace("SUCCESS", warning + "SUCCESS"))
        return [nbformat.v4.new_output("stream", name="stderr", text=warning), *stamped]

    edits.map_outputs(nb, "1.4", change)


def _ten_epochs(nb):
    """The 3.4 run stopped after 10 epochs: the log ends at the 10th test evaluation."""
    for cell in edits.section_code_cells(nb, "3.4"):
        text = "".join(o.text for o in cell.outputs if o.output_type == "stream")
        if text.count("Test set:") < 20:
            continue
        cut = 0
        for _ in range(10):
            cut = text.index("Test set:", cut) + 1
        cut = text.index("\n", cut)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text[: cut + 1])]
        cell.source = cell.source.replace("range(1, 20 + 1)", "range(1, 10 + 1)")


def _missing_figure(nb):
    edits.map_outputs(nb, "1.5", edits.without_images)


def _insert_module_code(source: str) -> Edit:
    """A cell of module-level code right after the imports cell."""

    def run(nb):
        k = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        edits.insert_code(nb, k + 1, source, count=1)
        edits.renumber(nb)

    return run


# ---------------------------------------------------------------- the cases

CASES: list[tuple[Case, Edit | None]] = [
    # -- correct styles -------------------------------------------------------------------
    (Case("reference", "correct", "the reference notebook itself", filename="A2_REFERENCE_Solution.ipynb"), None),
    (Case("grad-loops", "correct", "gradient_nn with explicit loops over units"), _replace("gradient_nn", V.GRAD_LOOPS)),
    (Case("grad-outer", "correct", "vectorised with np.outer, exp written out"), _replace("gradient_nn", V.GRAD_OUTER)),
    (Case("grad-einsum", "correct", "gradient_nn with einsum"), _replace("gradient_nn", V.GRAD_EINSUM)),
    (Case("grad-list", "correct", "returns a list, Wi gradient by broadcasting"), _replace("gradient_nn", V.GRAD_LIST)),
    (Case("grad-bo-float", "correct", "grad_s_bo always a float"), _replace("gradient_nn", V.GRAD_BO_FLOAT)),
    (Case("grad-bo-array", "correct", "grad_s_bo always shape (1,)"), _replace("gradient_nn", V.GRAD_BO_ARRAY)),
    (Case("grad-cross-entropy", "correct", "sigma(Yo) - (Y+1)/2 equals -Y sigma(-Y Yo)"), _replace("gradient_nn", V.GRAD_CROSS_ENTROPY)),
    (Case("grad-stable-sigmoid", "correct", "an own overflow-free sigmoid in the same cell"), _replace("gradient_nn", V.GRAD_STABLE_SIGMOID)),
    (Case("grad-helper-cell", "correct", "relu / relu_grad helpers defined in an earlier cell"), _helper_in_own_cell),
    (Case("numerical-eps-coarser", "correct", "central differences, eps = 1e-4, own copies"), _replace("gradient_nn_numerical", V.NUMERICAL_EPS_1E4)),
    (Case("numerical-generic", "correct", "eps = 1e-5, one np.ndindex loop over every parameter"), _replace("gradient_nn_numerical", V.NUMERICAL_EPS_1E5_GENERIC)),
    (Case("convnet-sequential", "correct", "nn.Sequential blocks with nn.Flatten"), _convnet(V.CONVNET_SEQUENTIAL, "features[0]")),
    (Case("convnet-pool-first", "correct", "pool before tanh (they commute), x.view(x.size(0), -1)"), _replace("ConvNet", V.CONVNET_POOL_FIRST_VIEW)),
    (Case("convnet-modules", "correct", "nn.MaxPool2d / nn.Tanh modules, torch.flatten(x, 1)"), _replace("ConvNet", V.CONVNET_MODULES_FLATTEN)),
    (Case("convnet-fc-first", "correct", "fc layers declared before conv layers, own attribute names"), _convnet(V.CONVNET_FC_FIRST_NAMES, "first_conv")),
    (Case("train-loop-lrate", "correct", "the handed-out train_loop, which reads the global lrate"), _replace("train_loop", V.TRAIN_LOOP_GLOBAL_LRATE)),
    (Case("magics", "correct", "%matplotlib, !pip, %%time on the gradient cell, ConvNet? help"), _magics),
    (Case("redefinition", "correct", "a wrong gradient_nn first, the right one later: the last wins", problems=()), _redefinition),
    (Case("out-of-order", "correct", "cells executed bottom to top", problems=("out-of-order",)), _out_of_order),
    (Case("headings", "correct", "headings written ## ▼ :: TASK 1.1 ::, **Q1.2**, Task 1.4:, Exercise 3.4, **Question 3.6.**"), _headings),
    (Case("answer-in-heading", "correct", "the 3.6 answer in the heading's own markdown cell"), _answer_in_heading),
    (Case("legacy-form", "correct", "today's older form: ### Question n — headings, cell ids, nbformat 4.5",
          answers={"1.1": "chain rule gives", "1.7": "too large: each SGD step overshoots"}), _legacy_form),
    (Case("null-counts", "correct", "every execution count null, every output kept"), _null_counts),
    (Case("counts-from-zero", "correct", "execution counts starting at 0"), _counts_from_zero),
    (Case("answer-forms", "correct", "answers after the frames, replacing the cell, in the question cell, over two cells, blank; French, LaTeX",
          answers={"1.3": "Différences centrées", "1.7": "lr = 0.2 is fastest", "2.1": "un filtre laplacien", "3.3": "collapses to one linear layer", "1.1": ""}), _answer_forms),
    (Case("dimensions-answer", "correct", "3.6 as each layer's weight dimensionality in mixed notations, in French"),
     _answer_3_6_as_dimensions),
    (Case("torchsummary-answer", "correct", "3.6 answered by a printed torchsummary table only"), _answer_3_6_torchsummary),
    (Case("convnet-ctor-arg", "correct", "ConvNet(num_outputs), used as ConvNet(10)"), _convnet_ctor_arg),
    (Case("convnet-cuda", "correct", ".cuda() in ConvNet's __init__ and forward"), _replace("ConvNet", V.CONVNET_CUDA)),
    (Case("train-extra-param", "correct", "train(epoch, network, device='cpu')"), _replace("train", V.TRAIN_EXTRA_PARAM)),
    (Case("handout-sigm", "correct", "the handout's sigm, 0 below -20: gradients exactly 0 where the true ones are below 1e-7"), _replace("sigm", V.HANDOUT_SIGM)),
    (Case("grad-squeezed", "correct", "np.squeeze everywhere: a 0-d grad_s_bi when h = 1"), _replace("gradient_nn", V.GRAD_SQUEEZED)),
    (Case("bi-row", "correct", "grad_s_bi of shape (1, h), values right: only axes of length 1 differ"), _replace("gradient_nn", V.GRAD_BI_ROW)),
    (Case("colab-imports", "correct", "!pip install, pandas, tqdm, torchsummary, and modules this machine lacks", problems=("stand-in-module",)), _colab_imports),
    (Case("no-banners", "correct", "no recognisable task heading: outputs searched in the whole notebook", problems=("no-task-headings",)), _without_banners),
    (Case("copy-name", "correct", "Colab's copy of a downloaded copy", problems=("filename-copy",), filename="Copie de A2_CORRECT_Copy-Name (2).ipynb"), None),
    (Case("multi-word-name", "correct", "a multi-word name joined by underscores", problems=("filename-form",), filename="A2_DE_LA_FONTAINE_Jean_Pierre.ipynb"), None),
    (Case("student-cell-name", "correct", "named HW2.ipynb: the name comes from the STUDENT cell", problems=("bad-filename", "identity-from-cell"), filename="HW2.ipynb"), None),
    (Case("grad-exp-times-sigm", "correct", "-Y exp(-Y Yo) sigm(Y Yo) with the handout's clamped sigm: right in exact arithmetic"),
     _then(_replace("sigm", V.HANDOUT_SIGM), _replace("gradient_nn", V.GRAD_EXP_TIMES_SIGM))),
    (Case("numerical-indexed-loss", "correct", "the handout's numerical gradient with (loss_plus - loss_minus)[0]: right for its gradcheck's bo of shape (1,)"),
     _replace("gradient_nn_numerical", V.NUMERICAL_INDEXED_LOSS)),
    (Case("counts-all-zero", "correct", "every execution count 0, every output kept"), _counts_all_zero),
    (Case("warnings-before-success", "correct", "NumPy warnings printed before the gradcheck's SUCCESS line"), _warnings_before_success),
    (Case("grad-renamed-parameters", "correct", "gradient_nn(x, y, W1, b1, W2, b2): called positionally, as the notebook does"),
     _replace("gradient_nn", V.GRAD_RENAMED_PARAMETERS)),
    (Case("tuple-products-answer", "correct", r"3.6 as $(64,128\cdot 5\cdot 5)$ and $\boxed{258\,058}$, no printed list",
          answers={"3.6": r"$(64,128\cdot 5\cdot 5)$"}), _answer_3_6_tuple_products(r"\boxed{258\,058}")),
    (Case("frame-heading-answers", "correct", "the 1.7 and 3.6 answers under ### ::###:: lines (frames made headings), 3.6 not printed",
          answers={"1.7": "lr = 0.2** converges fastest", "3.6": "| **total** | | | **258,058** |"}), _answers_under_frame_headings),
    (Case("train-test-own-parameters", "correct", "train(epoch, network, optimizer) and test(network, loader), so called by the notebook"),
     _train_test_own_parameters),
    (Case("gradcheck-given-functions", "correct", "gradcheck(gradient_nn, gradient_nn_numerical), so called by the notebook"),
     _gradcheck_given_functions),
    (Case("train-loop-returns-weights", "correct", "train_loop returns the trained weights after the curves"), _train_loop_returns_weights),
    (Case("typographic-answer", "correct", "3.6 as 'conv1 1,216 … fc2 650' and a total with a thin space, no printed list"),
     _typographic_answer_3_6),
    (Case("labelled-success", "correct", "the gradcheck's SUCCESS line printed after a label"), _labelled_success),
    (Case("convnet-lazy", "correct", "nn.LazyLinear for fc1: no parameter shapes before a forward pass"), _replace("ConvNet", V.CONVNET_LAZY)),
    (Case("convnet-print", "correct", "a print in ConvNet.forward"), _replace("ConvNet", V.CONVNET_PRINTS)),
    (Case("convnet-n-channels", "correct", "ConvNet(n_channels) without a default, called with n_channels = 3"), _convnet_n_channels),
    # -- one seeded bug each --------------------------------------------------------------
    (Case("numerical-as-analytic", "bug", "gradient_nn returns gradient_nn_numerical(...): the right values, no chain rule", task="1.2",
          failing=("gradient_nn.chain_rule", *GRADIENT_CHECKS)),
     _replace("gradient_nn", "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)\n")),
    (Case("bo-sign", "bug", "grad_s_bo with its sign flipped", task="1.2", failing=("gradient_nn.grad_bo", "gradient_nn.known_values")), _replace("gradient_nn", V.BUG_BO_SIGN)),
    (Case("no-relu-mask", "bug", "ReLU derivative forgotten", task="1.2", failing=("gradient_nn.inactive_units", "gradient_nn.grad_bi", "gradient_nn.grad_Wi")), _replace("gradient_nn", V.BUG_NO_RELU_MASK)),
    (Case("wi-transposed", "bug", "grad_s_Wi is h x d", task="1.2", failing=("gradient_nn.shapes", "gradient_nn.grad_Wi")), _replace("gradient_nn", V.BUG_WI_TRANSPOSED)),
    (Case("wo-uses-z", "bug", "grad_s_Wo from the pre-activation Z instead of H", task="1.2", failing=("gradient_nn.grad_Wo",)), _replace("gradient_nn", V.BUG_WO_USES_Z)),
    (Case("sigmoid-argument", "bug", "-Y sigma(-Yo): right for Y = +1 only", task="1.2", failing=("gradient_nn.grad_bo", "gradient_nn.grad_Wo")), _replace("gradient_nn", V.BUG_SIGMOID_ARGUMENT)),
    (Case("ascent", "bug", "every gradient with the wrong sign", task="1.2", failing=GRADIENT_CHECKS[1:2] + GRADIENT_CHECKS[3:]), _replace("gradient_nn", V.BUG_ASCENT)),
    (Case("stub", "bug", "gradient_nn left as handed out (raises NotImplementedError)", task="1.2", failing=GRADIENT_CHECKS), _replace("gradient_nn", V.GRAD_STUB)),
    (Case("zeros", "bug", "gradient_nn returns zeros", task="1.2", failing=GRADIENT_CHECKS[1:2] + GRADIENT_CHECKS[3:]), _replace("gradient_nn", V.GRAD_ZEROS)),
    (Case("numerical-forward", "bug", "forward difference with eps = 1e-2", task="1.4", failing=("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")), _replace("gradient_nn_numerical", V.NUMERICAL_FORWARD_COARSE)),
    (Case("numerical-denominator", "bug", "central difference divided by eps, not 2 eps", task="1.4", failing=("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")), _replace("gradient_nn_numerical", V.NUMERICAL_WRONG_DENOMINATOR)),
    (Case("gradcheck-true", "bug", "gradcheck always returns True", task="1.4", failing=("gradcheck.rejects_faulty",), only_failing=True), _replace("gradcheck", V.GRADCHECK_ALWAYS_TRUE)),
    (Case("gradcheck-only-wi", "bug", "gradcheck compares grad_s_Wi only", task="1.4", failing=("gradcheck.rejects_faulty",), only_failing=True), _replace("gradcheck", V.GRADCHECK_ONLY_WI)),
    (Case("gradcheck-failure", "bug", "the saved 1.4 output says FAILURE", task="1.4", failing=("evidence.gradcheck_success",), only_failing=True), _gradcheck_failure),
    (Case("forward-helper", "bug", "the PROVIDED forward pass broken (loss sign): only the 0-point provided task may show it", task="provided", failing=("forward.one_example", "forward.batch")), _replace("nnet_forward_logloss", V.FORWARD_WRONG_LOSS)),
    (Case("missing-figure", "bug", "the 1.5 figure's outputs removed", task="1.5", failing=("evidence.training_figure",), only_failing=True), _missing_figure),
    (Case("convnet-relu", "bug", "ReLU instead of tanh", task="3.2", failing=("convnet.same_function",), only_failing=True), _replace("ConvNet", V.CONVNET_RELU)),
    (Case("convnet-avgpool", "bug", "average pooling", task="3.2", failing=("convnet.same_function",), only_failing=True), _replace("ConvNet", V.CONVNET_AVGPOOL)),
    (Case("convnet-no-fc-tanh", "bug", "no tanh after fc1", task="3.2", failing=("convnet.same_function",), only_failing=True), _replace("ConvNet", V.CONVNET_NO_FC1_TANH)),
    (Case("convnet-narrow", "bug", "conv2 with 64 maps", task="3.2", failing=("convnet.parameter_count", "convnet.layer_shapes", "convnet.same_function"), only_failing=True), _replace("ConvNet", V.CONVNET_64_MAPS)),
    (Case("train-no-zero-grad", "bug", "train() never calls optimizer.zero_grad()", task="3.4", failing=("train_test.train_step",), only_failing=True), _replace("train", V.TRAIN_NO_ZERO_GRAD)),
    (Case("test-broadcast", "bug", "test() compares N x 1 predictions with N targets (broadcast)", task="3.4", failing=("train_test.test_accuracy",), only_failing=True), _replace("test", V.TEST_BROADCAST_ACCURACY)),
    (Case("ten-epochs", "bug", "the 3.4 log shows 10 epochs", task="3.4", failing=("evidence.training_log",), only_failing=True), _ten_epochs),
    (Case("wrong-total", "bug", "3.6 per-layer counts right, total mis-added", task="3.6", failing=("answer_3_6.total",), only_failing=True), _wrong_total),
    (Case("missing-3-5-heading", "bug", "the 3.5 banner deleted: its figure cannot be located", task="3.5", failing=("evidence.filters_figure",), only_failing=True),
     _without_3_5_banner),
    (Case("exp-times-sigm-no-mask", "bug", "the exp * clamped-sigm form with the ReLU mask forgotten: wrong with any sigmoid", task="1.2",
          failing=("gradient_nn.inactive_units", "gradient_nn.grad_bi", "gradient_nn.grad_Wi")),
     _then(_replace("sigm", V.HANDOUT_SIGM), _replace("gradient_nn", V.BUG_EXP_TIMES_SIGM_NO_MASK))),
    (Case("numerical-indexed-by-eps", "bug", "the indexed-loss numerical gradient divided by eps: wrong in the notebook's own form too", task="1.4",
          failing=("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")),
     _replace("gradient_nn_numerical", V.BUG_NUMERICAL_INDEXED_BY_EPS)),
    (Case("numerical-indexed-own-float-bo", "bug", "the indexed-loss numerical gradient, and a gradcheck of its own that passes a float bo: it fails in the notebook's own form",
          task="1.4", failing=("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")),
     _then(_replace("gradient_nn_numerical", V.NUMERICAL_INDEXED_LOSS), _replace("gradcheck", V.GRADCHECK_FLOAT_BO))),
    (Case("tuple-products-slip", "bug", r"3.6 in tuple-of-products notation, the total slipped to $\boxed{257\,914}$", task="3.6",
          failing=("answer_3_6.total",), only_failing=True), _answer_3_6_tuple_products(r"\boxed{257\,914}")),
    (Case("convnet-no-conv2-tanh", "bug", "no tanh after conv2: the handout's parameters, another function", task="3.2", failing=("convnet.same_function",), only_failing=True),
     _replace("ConvNet", V.CONVNET_NO_CONV2_TANH)),
    (Case("both-signs", "bug", "Y sigma(Y Yo): the sign flipped inside sigma and outside it", task="1.2", failing=GRADIENT_CHECKS[1:2] + GRADIENT_CHECKS[4:]),
     _replace("gradient_nn", V.BUG_BOTH_SIGNS)),
    # -- broken and hostile: code ---------------------------------------------------------
    (Case("syntax-error", "broken", "a syntax error in the gradient cell costs gradient_nn only", task="1.2",
          problems=("syntax-error",), statuses={c: "missing" for c in GRADIENT_CHECKS}, honest="reference"), _replace("gradient_nn", V.GRAD_SYNTAX_ERROR)),
    (Case("sys-exit", "broken", "sys.exit() inside gradient_nn", task="1.2",
          statuses={c: "error" for c in GRADIENT_CHECKS}, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_SYS_EXIT)),
    (Case("os-exit", "broken", "os._exit(0) inside gradient_nn", task="1.2",
          statuses={c: "error" for c in GRADIENT_CHECKS}, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_OS_EXIT)),
    (Case("infinite-loop", "broken", "a while loop that never ends in gradient_nn", task="1.2",
          statuses={c: "timeout" for c in GRADIENT_CHECKS}, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_INFINITE_LOOP)),
    (Case("module-memory", "broken", "50 GB allocated at module level", problems=("statement-memory",), honest="reference", same_as_honest=True),
     _insert_module_code(V.MODULE_HUGE_ALLOCATION)),
    (Case("function-memory", "broken", "50 GB allocated inside gradient_nn", task="1.2",
          statuses={c: "error" for c in GRADIENT_CHECKS}, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_HUGE_ALLOCATION)),
    (Case("fork-bomb", "broken", "while True: os.fork() inside gradient_nn", task="1.2",
          failing=GRADIENT_CHECKS, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_FORK_BOMB)),
    (Case("rmtree-function", "broken", "gradient_nn deletes HOME, cwd, /tmp and the repo, then computes the right gradient",
          honest="reference"), _replace("gradient_nn", V.GRAD_RMTREE)),
    (Case("rmtree-module", "broken", "module-level shutil.rmtree of the repo", honest="reference", same_as_honest=True),
     _insert_module_code(V.MODULE_RMTREE)),
    (Case("patch-allclose", "broken", "np.allclose patched to True, with the grad_bo sign bug", task="1.2",
          failing=("gradient_nn.grad_bo",), honest="bo-sign"), _then(_insert_module_code(V.MODULE_PATCH_ALLCLOSE), _replace("gradient_nn", V.BUG_BO_SIGN))),
    # others_intact=False: the patch also breaks the student's own gradcheck (np.mean(...) > 1e-6
    # is never true), which rightly costs gradcheck.rejects_faulty in 1.4, as it would in their kernel
    (Case("patch-mean", "broken", "np.mean patched to 0, with every gradient's sign wrong", task="1.2",
          failing=GRADIENT_CHECKS[1:2] + GRADIENT_CHECKS[3:] + ("gradcheck.rejects_faulty",), honest="ascent", others_intact=False), _then(_insert_module_code(V.MODULE_PATCH_MEAN), _replace("gradient_nn", V.BUG_ASCENT))),
    (Case("eq-subclass", "broken", "ndarray subclass whose == is always True, holding zeros", task="1.2",
          failing=GRADIENT_CHECKS[1:2] + GRADIENT_CHECKS[3:], honest="zeros"), _replace("gradient_nn", V.GRAD_EQ_SUBCLASS)),
    (Case("eq-object", "broken", "objects whose == is always True", task="1.2", failing=GRADIENT_CHECKS, honest="stub"),
     _replace("gradient_nn", V.GRAD_EQ_OBJECT)),
    (Case("print-flood", "broken", "gradient_nn prints 100 MB per call", task="1.2", honest="reference"), _replace("gradient_nn", V.GRAD_PRINTS_100MB)),
    (Case("reads-reference", "broken", "gradient_nn execs the grader's reference/part1.py", task="1.2",
          failing=GRADIENT_CHECKS, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_READS_REFERENCE)),
    (Case("imports-reference", "broken", "gradient_nn imports the grader's reference package", task="1.2",
          failing=GRADIENT_CHECKS, honest="stub", same_as_honest=True), _replace("gradient_nn", V.GRAD_IMPORTS_REFERENCE)),
    # -- broken: the file itself (written by _write_file_cases) ---------------------------
    (Case("truncated", "broken", "the JSON cut off half-way", problems=("invalid-json",), honest="empty", same_as_honest=True, others_intact=False), None),
    (Case("not-notebook", "broken", "valid JSON, not a notebook", problems=("not-a-notebook",), honest="empty", same_as_honest=True, others_intact=False), None),
    (Case("latin", "broken", "saved as latin-1 (an accented name in the markdown)", problems=("not-utf8",), honest="empty", same_as_honest=True, others_intact=False), None),
    (Case("empty", "broken", "an empty file", problems=("empty-file",), others_intact=False), None),
    (Case("bad-name", "broken", "a correct notebook named my_homework.ipynb", problems=("bad-filename",), honest="reference", same_as_honest=True,
          filename="my_homework.ipynb"), None),
    (Case("never-run", "broken", "a correct notebook never run: no counts, no outputs", problems=("not-run",), honest="reference", others_intact=False,
          statuses={
              "evidence.gradcheck_success": "failed", "evidence.training_figure": "failed", "evidence.runs_table": "failed",
              "evidence.hidden_units_figures": "failed", "evidence.training_images": "failed", "evidence.training_log": "failed",
              "evidence.filters_figure": "failed", **{c: "passed" for c in GRADIENT_CHECKS},
              "convnet.same_function": "passed", "train_loop.converges": "passed", "gradcheck.rejects_faulty": "passed",
          }), edits.strip_run),
]  # fmt: skip


def load_reference() -> nbformat.NotebookNode:
    return nbformat.read(REFERENCE_NOTEBOOK, as_version=4)


def _write_file_cases(out_dir: Path, reference: nbformat.NotebookNode) -> dict[str, Path]:
    text = nbformat.writes(reference)
    paths = {
        "truncated": (text[: len(text) // 2], "utf-8"),
        "not-notebook": (
            '{"name": "A2", "cells": "see the attached PDF", "version": 2}\n',
            "utf-8",
        ),
        "empty": ("", "utf-8"),
    }
    written = {}
    for case, _ in CASES:
        if case.name in paths:
            body, encoding = paths[case.name]
            written[case.name] = out_dir / case.file
            written[case.name].write_text(body, encoding=encoding)
    latin = copy.deepcopy(reference)
    latin.cells[0].source += "\n\nÉtudiant : Hélène Lefèvre"
    case = next(c for c, _ in CASES if c.name == "latin")
    (out_dir / case.file).write_bytes(nbformat.writes(latin).encode("latin-1", errors="replace"))
    written["latin"] = out_dir / case.file
    return written


def build_corpus(out_dir: Path, reference: nbformat.NotebookNode | None = None) -> list[Case]:
    """Write every corpus notebook into ``out_dir``; return the cases in corpus order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reference = reference if reference is not None else load_reference()
    file_cases = _write_file_cases(out_dir, reference)
    cases = []
    for case, edit in CASES:
        if case.name not in file_cases:
            nb = copy.deepcopy(reference)
            if edit is not None:
                edit(nb)
            nbformat.write(nb, out_dir / case.file)
        cases.append(case)
    names = [c.file for c in cases]
    assert len(set(names)) == len(names), "two cases write the same notebook"
    return cases


# ---------------------------------------------------------------- the sample class in submissions/

#: submissions/<file> <- corpus case (and the name the student typed in the STUDENT cell).
SAMPLES = {
    "A2_MARTIN_Claire.ipynb": ("grad-einsum", "Claire MARTIN"),
    "A2_DUBOIS_Hugo.ipynb": ("no-relu-mask", "Hugo DUBOIS"),
    "A2_NGUYEN_Linh.ipynb": ("convnet-avgpool", "Linh NGUYEN"),
    "A2_ROSSI_Marco.ipynb": ("infinite-loop", "Marco ROSSI"),
    "A2_SMITH_John.ipynb": ("truncated", "John SMITH"),
    "A2_GARCIA_Sofia.ipynb": ("convnet-ctor-arg", "Sofia GARCIA"),
    "Copie de A2_LEFEVRE_Hélène (2).ipynb": ("colab-imports", "Hélène LEFEVRE"),
    "HW2.ipynb": ("null-counts", "Léa PETIT"),
}


def write_samples(out_dir: Path = ROOT / "submissions") -> list[Path]:
    """The sample class: corpus cases under students' names (``python -m tests.support.corpus``)."""
    reference = load_reference()
    edits_by_name = {case.name: edit for case, edit in CASES}
    written = []
    for filename, (name, student) in SAMPLES.items():
        nb = copy.deepcopy(reference)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = cell.source.replace("Reference SOLUTION", student)
        path = out_dir / filename
        if name == "truncated":
            text = nbformat.writes(nb)
            path.write_text(text[: len(text) // 2], encoding="utf-8")
        else:
            edit = edits_by_name[name]
            if edit is not None:
                edit(nb)
            nbformat.write(nb, path)
        written.append(path)
    return written
