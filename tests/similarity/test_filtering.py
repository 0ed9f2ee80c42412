"""What is left out: the handout's provided code and text, and code the whole class shares."""

from __future__ import annotations

import ast
from pathlib import Path

from nbfactory import write_notebook

from benchmarks import similarity_corpus as corpus
from grader.similarity import DEFAULT_THRESHOLD, cli, run_similarity


def _template_only(folder: Path, names: list[str]) -> None:
    for name in names:
        corpus.write([corpus.Student(name, {})], folder)


def test_students_who_only_ran_the_template_score_zero(tmp_path, template):
    _template_only(tmp_path / "s", ["A2_LAZY_One", "A2_LAZY_Two"])
    with_base = run_similarity([tmp_path / "s"], tmp_path / "a", base=template)
    without = run_similarity([tmp_path / "s"], tmp_path / "b", base=None)
    assert with_base.pairs[0].code_score == 0.0
    assert (
        with_base.pairs[0].score < 0.05
    )  # their signed statements share "<last name> declare that this"
    assert with_base.flagged == []
    assert without.pairs[0].score > 0.9  # the same notebooks are identical without a base


def test_base_as_python_file(tmp_path, people):
    provided = "\n\n".join(src for kind, src in corpus.TEMPLATE if kind == "code")
    base = tmp_path / "handout.py"
    base.write_text(provided)
    _template_only(tmp_path / "s", ["A2_LAZY_One", "A2_LAZY_Two"])
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=base)
    assert report.pairs[0].code_score == 0.0
    # the task statements are not in a .py base: the text matches, the code does not count
    assert report.pairs[0].text_score > 0.5


CLASS_SNIPPET = '''\
def show_filters(weights, rows=2):
    """Plot the first layer's filters, as in the lecture's example."""
    weights = weights.detach().cpu()
    weights = (weights - weights.min()) / (weights.max() - weights.min())
    fig, axes = plt.subplots(rows, len(weights) // rows, figsize=(12, 3))
    for ax, w in zip(axes.ravel(), weights):
        ax.imshow(w.permute(1, 2, 0).numpy())
        ax.axis("off")
    return fig
'''

OWN = [
    (
        "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    z = X @ Wi + bi\n    h = np.maximum(z, 0)\n"
        "    d = -Y * sigm(-Y * (h @ Wo + bo))\n    return np.outer(X, d * Wo * (z > 0)), d * Wo * (z > 0), d * h, d\n"
    ),
    (
        "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    pre = np.dot(X, Wi) + bi\n    act = pre.clip(0)\n"
        "    g = -Y / (1 + np.exp(Y * (act.dot(Wo) + bo)))\n    gb = g * Wo * (pre > 0)\n"
        "    return X[:, None] * gb, gb, g * act, g\n"
    ),
    "a = 1\nb = [a] * 3\nprint(b)\n",
    "values = {k: k ** 2 for k in range(10)}\nprint(sorted(values))\n",
    "import math\nprint(math.pi)\n",
]


def test_code_most_of_the_class_shares_is_left_out(tmp_path):
    (tmp_path / "s").mkdir()
    for i, own in enumerate(OWN):
        write_notebook(tmp_path / "s" / f"A2_STUDENT_N{'abcde'[i]}.ipynb", [own, CLASS_SNIPPET])
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=None)
    assert report.common_fingerprints["code"] > 10
    assert report.flagged == []
    assert max(p.code_score for p in report.pairs) < DEFAULT_THRESHOLD / 2


def test_the_same_snippet_shared_by_two_students_only_counts(tmp_path):
    (tmp_path / "s").mkdir()
    for i, own in enumerate(OWN):
        cells = [own, CLASS_SNIPPET] if i < 2 else [own]
        write_notebook(tmp_path / "s" / f"A2_STUDENT_N{'abcde'[i]}.ipynb", cells)
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=None)
    assert report.common_fingerprints["code"] == 0
    assert [(p.a, p.b) for p in report.flagged] == [("A2_STUDENT_Na.ipynb", "A2_STUDENT_Nb.ipynb")]


def test_the_a2_handout_is_the_default_base(tmp_path):
    base = cli.default_base()
    assert base is not None and base.name == "handout.py"
    source = base.read_text(encoding="utf-8")
    lines = source.split("\n")
    blocks = [
        "\n".join(lines[node.lineno - 1 : node.end_lineno]) for node in ast.parse(source).body
    ]
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_LAZY_One.ipynb", blocks)
    write_notebook(tmp_path / "s" / "A2_LAZY_Two.ipynb", blocks[::-1])  # cells in another order
    with_base = run_similarity([tmp_path / "s"], None, base=base)
    without = run_similarity([tmp_path / "s"], None, base=None)
    assert with_base.pairs[0].code_score == 0.0
    assert without.pairs[0].code_score == 1.0
