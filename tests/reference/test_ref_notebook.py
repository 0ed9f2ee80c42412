"""The committed reference notebook is what the generator produces, executed, and is laid
out like a submission (checked without re-executing it)."""

import json
import re

import nbformat
import pytest

from reference import notebook

TASK_IDS = ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8",
            "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]


@pytest.fixture(scope="module")
def committed():
    return nbformat.read(notebook.OUTPUT, as_version=4)


def _sources(nb):
    return [(c.get("id"), c.cell_type, c.source) for c in nb.cells]


def test_generator_is_deterministic():
    assert _sources(notebook.build_notebook()) == _sources(notebook.build_notebook())


def test_committed_notebook_matches_the_generator(committed):
    assert _sources(committed) == _sources(notebook.build_notebook()), (
        "stale: run `python -m reference.notebook` and commit the notebook")


def test_committed_notebook_is_executed_and_small(committed):
    assert notebook.OUTPUT.stat().st_size < 2_000_000
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert "SUCCESS: Passed gradcheck." in text
    assert "NOTE: CIFAR-10 is not available offline" in text or "CIFAR-10" not in text
    convnet_cell = next(c for c in code if "ConvNet().to(device)" in c.source)
    log = "".join(o.get("text", "") for o in convnet_cell.outputs)
    assert len(re.findall(r"Test set: Average loss: [\d.]+, Accuracy: \d+/\d+ \(\d+%\)", log)) == 20
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 10


def test_saved_as_colab_saves_it():
    raw = json.loads(notebook.OUTPUT.read_text(encoding="utf-8"))
    assert (raw["nbformat"], raw["nbformat_minor"]) == (4, 0)
    assert not any("id" in cell for cell in raw["cells"])
    assert "colab" in raw["metadata"]
    nbformat.validate(raw)


def test_layout_of_a_real_submission(committed):
    markdown = "\n".join(c.source for c in committed.cells if c.cell_type == "markdown")
    for task in TASK_IDS:
        assert (re.search(rf"^### :: TASK {re.escape(task)} ::$", markdown, re.MULTILINE) is None) == (task == "1.5"), task
    assert "## Training the network using backpropagation and experimenting with different parameters" in markdown
    pooling = next(c.source for c in committed.cells if c.source.startswith("## Pooling"))
    assert "### :: TASK 2.2 ::" in pooling
    assert re.search(r"^### :: SAMPLE TASK ::$", markdown, re.MULTILINE)
    assert committed.cells[1].source.startswith("**STUDENT**:")
    assert markdown.count("#" * 80) >= 2 * 9  # every written answer framed as handed out
    assert "258,058" in markdown
    last = committed.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## AUTHORSHIP STATEMENT")
    assert "sole result of my own effort" in last.source
    code = "\n".join(c.source for c in committed.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import) reference\b", code, re.MULTILINE)
    for name in ("sigm", "nnet_forward_logloss", "decision_boundary_nnet", "gradient_nn",
                 "sumelement_matrix", "sumelement_vector", "gradient_nn_numerical",
                 "gradcheck", "train_loop", "train", "test"):
        assert re.search(rf"^def {name}\(", code, re.MULTILINE), name
    assert re.search(r"^class ConvNet\(nn\.Module\):", code, re.MULTILINE)
    assert re.search(r"^class Net\(nn\.Module\):", code, re.MULTILINE)
    for name in ("train_loader", "test_loader", "optimizer", "device"):
        assert re.search(rf"^{name} = ", code, re.MULTILINE), name
    assert "loadmat('double_moon_train1000.mat')" in code
