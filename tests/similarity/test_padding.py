"""Padding a copy with statements that do nothing does not hide it; real code is never dropped."""

from __future__ import annotations

from grader.similarity import DEFAULT_THRESHOLD, run_similarity
from grader.similarity.normalise import without_noops
from tests.support.students import authors as corpus

PADDED = '''\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    """Docstring."""
    z = X @ Wi + bi; _n1 = None
    _n2 = (1, -2.0)
    "a bare string"
    ...
    pass
    z
    np.pi, z[0], z.T[1:]
    tmp = None
    alias = tmp
    if z.any():
        _n3 = None
    return z
_n4 = None
'''

KEPT = '''\
lr = 0.01
plt.show()
(n := 3)
def f(x):
    total = 0
    total += x
    seen = None
    def inner():
        return seen
    return inner
class Net:
    size = None
'''


def test_statements_that_do_nothing_are_blanked_keeping_every_line():
    cleaned = without_noops({0: PADDED})[0].split("\n")
    assert [len(line) for line in cleaned] == [len(line) for line in PADDED.split("\n")]
    assert [line.rstrip() for line in cleaned] == [
        "def gradient_nn(X, Y, Wi, bi, Wo, bo):",
        "",
        "    z = X @ Wi + bi",  # the ``;`` that joined the padding goes with it
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",  # ``alias = tmp``: tmp is read only by a dead store, so both are dead
        "    if z.any():",
        "",
        "    return z",
        "",
        "",
    ]


def test_stores_that_are_read_stay():
    """Read later in the notebook (``lr``), by ``+=``, by a nested function; class attributes."""
    cells = {0: KEPT, 1: "print(lr)"}
    assert without_noops(cells) == cells
    alone = without_noops({0: KEPT})[0]  # no cell reads lr: then it is a dead module store
    assert alone.split("\n")[0].strip() == "" and alone.split("\n")[1:] == KEPT.split("\n")[1:]


def test_dynamic_namespaces_and_unparsable_cells_are_left_alone():
    dynamic = "def f():\n    x = None\n    return locals()\n"
    broken = "def f(:\n    _n1 = None\n"
    padding_named_in_broken = "_n1 = None\n"
    too_deep = "y = " + " + ".join(["1"] * 100_000) + "\n_n2 = None\n"  # the parser gives up
    cells = {0: dynamic, 1: broken, 2: padding_named_in_broken, 3: too_deep}
    assert without_noops(cells) == cells  # the broken cell may read _n1: it stays


def test_a_padded_copy_is_flagged_and_independent_work_is_not(tmp_path, template, people, a2):
    """The attack: ``_nK = None`` after every statement of a copied gradient_nn (0.08 before)."""
    receiver, source = "A2_NGUYEN_Bao", "A2_MARTIN_Alice"
    copier = corpus.take_part(people[receiver], people[source], "1.2", "code", ["rename", "pad"])
    ((_, padded),) = [c for c in copier.answers["1.2"] if c[0] == "code"]
    assert padded.count(" = None") >= 8  # every statement of the copy is padded
    others = [p for name, p in people.items() if name not in (receiver, source)][:4]
    corpus.write([copier, people[source], *others], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], None, base=template, layout=a2)

    pair = next(p for p in report.pairs if {p.a, p.b} == {f"{receiver}.ipynb", f"{source}.ipynb"})
    assert [(t.task, t.kind) for t in pair.flagged_tasks] == [("1.2", "code")]
    assert pair.best("code") >= 0.7  # as high as the unpadded copy (0.76)
    assert [(p.a, p.b) for p in report.flagged] == [(pair.a, pair.b)]
    assert max(p.score for p in report.pairs if p is not pair) < DEFAULT_THRESHOLD
