"""Generate a corpus for measuring similarity detection on A2 notebooks.

Nine authors solve the A2 code tasks independently, in different styles (loops or
vectorised, einsum, helper functions, ``nn.Sequential`` or attributes, their own names and
their own written answers), inside the same handout template. Copies of some of them are
then made the way copying students make them: renamed variables, reformatting, comments
added or removed, cells and functions reordered, loops rewritten as comprehensions, and
written answers with light edits. ``truth`` says which pairs are copies.

Usage: ``python benchmarks/similarity_corpus.py OUT`` writes ``OUT/template.ipynb`` and
``OUT/submissions/*.ipynb``.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import sys
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import v4

# ----------------------------------------------------------------------------- template
# The handout: task statements and provided code, with a slot where each answer goes.

PROVIDED_PART1 = '''\
import numpy as np
import matplotlib.pyplot as plt
from scipy.io import loadmat

def sigm(x):
    # sigmoid, clamped to avoid overflow warnings
    return np.where(x > -20, 1 / (1 + np.exp(-x)), 0)

def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    H = np.maximum(0, np.dot(X, Wi) + bi)
    Yo = np.dot(H, Wo) + bo
    Po = sigm(Yo)
    loss = np.log(1 + np.exp(-Y * Yo))
    return Po, Yo, loss

def decision_boundary_nnet(X, Y, Wi, bi, Wo, bo):
    xx, yy = np.meshgrid(np.linspace(-2, 4, 200), np.linspace(-5, 3, 200))
    grid = np.c_[xx.ravel(), yy.ravel()]
    Po, Yo, _ = nnet_forward_logloss(grid, np.ones(len(grid)), Wi, bi, Wo, bo)
    plt.contourf(xx, yy, np.sign(Yo).reshape(xx.shape), alpha=0.3)
    plt.scatter(X[:, 0], X[:, 1], c=Y, s=5)
'''

PROVIDED_DATA = '''\
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/double_moon_train1000.mat
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/double_moon_val1000.mat
%matplotlib inline
train = loadmat('double_moon_train1000.mat')
val = loadmat('double_moon_val1000.mat')
Xtr, Ytr = train['X'], train['Y'].ravel()
Xval, Yval = val['X'], val['Y'].ravel()
'''

PROVIDED_NUMERICAL = '''\
def sumelement_matrix(X, i, j, element):
    X_copy = X.copy()
    X_copy[i, j] = X_copy[i, j] + element
    return X_copy

def sumelement_vector(X, i, element):
    X_copy = X.copy()
    X_copy[i] = X_copy[i] + element
    return X_copy

def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-6
    grad_Wi = np.zeros(Wi.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            _, _, lp = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
            _, _, lm = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)
            grad_Wi[i, j] = (lp - lm) / (2 * eps)
    grad_bi = np.zeros(bi.shape)
    for i in range(bi.shape[0]):
        _, _, lp = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)
        _, _, lm = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, -eps), Wo, bo)
        grad_bi[i] = (lp - lm) / (2 * eps)
    grad_Wo = np.zeros(Wo.shape)
    for i in range(Wo.shape[0]):
        _, _, lp = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)
        _, _, lm = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, -eps), bo)
        grad_Wo[i] = (lp - lm) / (2 * eps)
    _, _, lp = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)
    _, _, lm = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo - eps)
    grad_bo = (lp - lm) / (2 * eps)
    return grad_Wi, grad_bi, grad_Wo, grad_bo

def gradcheck():
    for _ in range(1000):
        h = 3
        X, Y = np.random.randn(2), np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, h), np.random.randn(h), np.random.randn(h), np.random.randn(1)
        analytic = gradient_nn(X, Y, Wi, bi, Wo, bo)
        numeric = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        for a, n in zip(analytic, numeric):
            if np.mean(np.abs(a - n)) > 1e-6:
                return False
    return True

print('SUCCESS: Passed gradcheck.' if gradcheck() else 'FAILURE: Fix gradient_nn and/or gradient_nn_numerical.')
'''

PROVIDED_TRAIN = '''\
def train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis='all', nEpochs=100):
    Wi = np.random.randn(2, h)
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.
    nSamples = Xtr.shape[0]
    tr_error = np.zeros(nEpochs * nSamples)
    val_error = np.zeros(nEpochs * nSamples)
    for it in range(nEpochs * nSamples):
        n = np.random.randint(nSamples)
        grad_Wi, grad_bi, grad_Wo, grad_bo = gradient_nn(Xtr[n], Ytr[n], Wi, bi, Wo, bo)
        Wi -= lrate * grad_Wi
        bi -= lrate * grad_bi
        Wo -= lrate * grad_Wo
        bo -= lrate * grad_bo
        _, Yo, _ = nnet_forward_logloss(Xtr, Ytr, Wi, bi, Wo, bo)
        tr_error[it] = 100 * np.mean(np.sign(Yo) != Ytr)
        _, Yo, _ = nnet_forward_logloss(Xval, Yval, Wi, bi, Wo, bo)
        val_error[it] = 100 * np.mean(np.sign(Yo) != Yval)
    if vis in ('all', 'last'):
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    return tr_error, val_error
'''

PROVIDED_PART2 = '''\
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/peppers.png
im = torch.from_numpy(np.array(Image.open('peppers.png'))).permute(2, 0, 1).float()[None] / 255
conv = nn.Conv2d(3, 10, 5)
res = conv(im)
lap = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]).repeat(1, 3, 1, 1)
edges = F.conv2d(im, lap)
pooled = nn.MaxPool2d(15, stride=1)(im)
'''

PROVIDED_PART3 = '''\
import torchvision
import torchvision.transforms as transforms
import torch.optim as optim
batch_size = 64
epochs = 10
lr = 0.01
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
trainset = torchvision.datasets.CIFAR10(root='./data', train=True, download=True, transform=transform)
train_loader = torch.utils.data.DataLoader(trainset, batch_size=batch_size, shuffle=True)
testset = torchvision.datasets.CIFAR10(root='./data', train=False, download=True, transform=transform)
test_loader = torch.utils.data.DataLoader(testset, batch_size=batch_size, shuffle=False)
classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')

def train(epoch, network):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 100 == 0:
            print('Train Epoch: {} [{}/{}]\\tLoss: {:.6f}'.format(epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))

def test(network):
    network.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction='sum').item()
            correct += output.argmax(1).eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))

class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super(Net, self).__init__()
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, input):
        input = input.view(-1, 32 * 32 * 3)
        return self.linear(input)

network = Net(3072, 10).to(device)
optimizer = optim.SGD(network.parameters(), lr=lr)
for epoch in range(1, epochs + 1):
    train(epoch, network)
    test(network)
'''

# (kind, source) for handout cells; ("slot", task id) where a student's answer goes.
TEMPLATE: list[tuple[str, str]] = [
    ("markdown", "# Assignment 2: Neural networks\n\nFill in the cells marked for you. "
                 "Submit the executed notebook as `A2_LASTNAME_Firstname.ipynb`."),
    ("markdown", "## Part 1 - a two-layer network in NumPy\n\nThe network computes "
                 "$H = \\mathrm{ReLU}(X W_i + b_i)$ and $Y_o = H W_o + b_o$ with the logistic loss "
                 "$s(Y, Y_o) = \\log(1 + \\exp(-Y Y_o))$."),
    ("code", PROVIDED_PART1),
    ("code", PROVIDED_DATA),
    ("markdown", "**QUESTION 1.1** Derive the gradients of the loss with respect to the "
                 "parameters of the network using the chain rule."),
    ("slot", "1.1"),
    ("markdown", "**QUESTION 1.2** Implement `gradient_nn(X, Y, Wi, bi, Wo, bo)` that returns "
                 "the gradients of the loss for one example."),
    ("slot", "1.2"),
    ("markdown", "**QUESTION 1.3** Give the formula of the numerical gradient and explain it."),
    ("slot", "1.3"),
    ("code", PROVIDED_NUMERICAL),
    ("code", PROVIDED_TRAIN),
    ("markdown", "**QUESTION 1.5-1.6** Train with h = 7 and lr = 0.02, then run 5 times from "
                 "different initialisations and report the final errors in a table."),
    ("slot", "1.6"),
    ("markdown", "**QUESTION 1.7** Discuss the results for the different learning rates."),
    ("slot", "1.7"),
    ("markdown", "**QUESTION 1.8** Vary the number of hidden units and discuss."),
    ("slot", "1.8"),
    ("markdown", "## Part 2 - CNN building blocks"),
    ("code", PROVIDED_PART2),
    ("markdown", "**QUESTION 2.1** Which filter is this, how are the channels processed and "
                 "which structures are detected?"),
    ("slot", "2.1"),
    ("markdown", "## Part 3 - a CNN on CIFAR-10"),
    ("code", PROVIDED_PART3),
    ("markdown", "**QUESTION 3.2** Implement the ConvNet described in the handout."),
    ("slot", "3.2"),
    ("markdown", "**QUESTION 3.3** Why do we need non-linear activation functions?"),
    ("slot", "3.3"),
    ("slot", "3.4"),
    ("markdown", "**QUESTION 3.6** Give the number of parameters of each layer and the total."),
    ("slot", "3.6"),
    ("markdown", "I, NAME, declare that this notebook is my own work."),
]

from benchmarks.similarity_authors import AUTHORS  # noqa: E402  (long data, kept apart)

Answer = list[tuple[str, str]]  # cells (kind, source) a student puts in a slot


@dataclass(frozen=True)
class Student:
    name: str  # file stem: A2_LASTNAME_Firstname
    answers: dict[str, Answer]
    copied_from: str | None = None  # the author whose work this copies, for the truth table


def template_notebook() -> nbformat.NotebookNode:
    """The handout as given to the students: the base file for similarity."""
    cells = [_cell(kind, src) for kind, src in TEMPLATE if kind != "slot"]
    return v4.new_notebook(cells=cells)


def _cell(kind: str, source: str) -> nbformat.NotebookNode:
    return v4.new_markdown_cell(source) if kind == "markdown" else v4.new_code_cell(source)


def student_notebook(student: Student) -> nbformat.NotebookNode:
    """The template with the student's answers in its slots and their signed statement."""
    cells = []
    for kind, src in TEMPLATE:
        if kind == "slot":
            cells += [_cell(k, s) for k, s in student.answers.get(src, [])]
        else:
            cells.append(_cell(kind, src))
    cells[-1] = v4.new_markdown_cell(f"I, {student.name.split('_')[2]} {student.name.split('_')[1]}, "
                                     "declare that this notebook is my own work.")
    return v4.new_notebook(cells=cells)


# ----------------------------------------------------------------------------- transformations
# Each takes a student's answers and returns the answers a copying student hands in.

Transform = Callable[[dict[str, Answer]], dict[str, Answer]]


def _map_code(answers: dict[str, Answer], fn: Callable[[str], str]) -> dict[str, Answer]:
    return {slot: [(k, fn(s) if k == "code" else s) for k, s in cells] for slot, cells in answers.items()}


def _map_text(answers: dict[str, Answer], fn: Callable[[str], str]) -> dict[str, Answer]:
    return {slot: [(k, fn(s) if k == "markdown" else s) for k, s in cells] for slot, cells in answers.items()}


KEEP = {"gradient_nn", "ConvNet", "forward", "__init__", "self", "np", "plt", "torch", "nn", "F",
        "optim", "train", "test", "lrate", "train_loop", "decision_boundary_nnet", "device", "optimizer",
        "Xtr", "Ytr", "Xval", "Yval", "sigm", "nnet_forward_logloss", "epochs", "lr"}


def _bound_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names - KEEP


def rename(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Every variable, parameter and helper the student named gets another name."""
    bound = set().union(*(_bound_names(s) for cells in answers.values() for k, s in cells if k == "code"))
    mapping = {name: f"{name[0]}{'x' if len(name) < 3 else name[-1]}_{i}" for i, name in enumerate(sorted(bound))}

    def in_braces(match: re.Match) -> str:
        return re.sub(r"[A-Za-z_]\w*", lambda m: mapping.get(m.group(0), m.group(0)), match.group(0))

    def apply(source: str) -> str:
        out, depth, previous, in_def = [], 0, None, False
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        for i, tok in enumerate(tokens):
            string = tok.string
            if tok.type == tokenize.OP:
                depth += string in "([{"
                depth -= string in ")]}"
                in_def = in_def and not (string == ":" and depth == 0)
            in_def = in_def or string == "def"
            following = tokens[i + 1].string if i + 1 < len(tokens) else ""
            keyword_arg = depth > 0 and following == "=" and not in_def
            if tok.type == tokenize.NAME and string in mapping and previous != "." and not keyword_arg:
                tok = tok._replace(string=mapping[string])
            elif tok.type == tokenize.STRING and string[:1] in "fF":
                tok = tok._replace(string=re.sub(r"\{[^{}:!]*", in_braces, string))
            out.append(tok)
            previous = string
        return tokenize.untokenize(out)

    return _map_code(answers, apply)


def reformat(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Different spacing everywhere and blank lines between statements (comments kept)."""

    def apply(source: str) -> str:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        text = tokenize.untokenize((t.type, t.string) for t in tokens)
        return re.sub(r"\n(?=\S)", "\n\n", text)

    return _map_code(answers, apply)


def recomment(answers: dict[str, Answer]) -> dict[str, Answer]:
    """The student's comments removed, others added."""

    def apply(source: str) -> str:
        lines = []
        for i, line in enumerate(source.split("\n")):
            code = re.sub(r"\s*#.*$", "", line) if "'" not in line and '"' not in line else line
            if code.strip() == "" and line.strip().startswith("#"):
                continue
            indent = code[: len(code) - len(code.lstrip())]
            if i % 3 == 0 and code.strip():
                lines.append(f"{indent}# step {i // 3 + 1}: see the lecture notes")
            lines.append(code)
        return "\n".join(lines)

    return _map_code(answers, apply)


def reorder(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Code answers moved to other cells of the notebook, functions of a cell reversed."""

    def reverse_top_level(source: str) -> str:
        tree = ast.parse(source)
        lines = source.split("\n")
        blocks = [
            "\n".join(lines[n.lineno - 1 - len(n.decorator_list) if hasattr(n, "decorator_list") else n.lineno - 1 : n.end_lineno])
            for n in tree.body
        ]
        defs = [b for b, n in zip(blocks, tree.body) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        rest = [b for b, n in zip(blocks, tree.body) if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        return "\n\n".join(defs[::-1] + rest)

    moved = _map_code(answers, reverse_top_level)
    code_slots = [s for s in moved if any(k == "code" for k, _ in moved[s])]
    rotated = code_slots[1:] + code_slots[:1]
    result = dict(moved)
    for slot, new_slot in zip(code_slots, rotated):
        # the code of one task goes where the next task's code was; prose stays in place
        result[slot] = [c for c in moved[slot] if c[0] != "code"] + [c for c in moved[new_slot] if c[0] == "code"]
    return result


class _LoopToComprehension(ast.NodeTransformer):
    """``xs = []`` then ``for t in it: xs.append(e)`` becomes ``xs = [e for t in it]``."""

    def __init__(self) -> None:
        self.replaced: list[tuple[int, int, str]] = []

    def generic_visit(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for first, second in itertools.pairwise(body):
                target = _append_target(first, second)
                if target is not None:
                    loop, element = second, second.body[0].value.args[0]
                    comp = ast.ListComp(element, [ast.comprehension(loop.target, loop.iter, [], 0)])
                    text = f"{target} = {ast.unparse(comp)}"
                    self.replaced.append((first.lineno, loop.end_lineno, text))
        return super().generic_visit(node)


def _append_target(first: ast.stmt, second: ast.stmt) -> str | None:
    if not (isinstance(first, ast.Assign) and len(first.targets) == 1 and isinstance(first.targets[0], ast.Name)
            and isinstance(first.value, ast.List) and not first.value.elts and isinstance(second, ast.For)
            and len(second.body) == 1 and isinstance(second.body[0], ast.Expr)):
        return None
    call = second.body[0].value
    name = first.targets[0].id
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == name and len(call.args) == 1):
        return name
    return None


def comprehension(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Append loops rewritten as list comprehensions; every other line untouched."""

    def apply(source: str) -> str:
        finder = _LoopToComprehension()
        finder.visit(ast.parse(source))
        lines = source.split("\n")
        for first, last, text in sorted(finder.replaced, reverse=True):
            indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
            lines[first - 1 : last] = [indent + text]
        return "\n".join(lines)

    return _map_code(answers, apply)


SYNONYMS = {"because": "since", "the": "the", "we": "one", "is": "is", "gradient": "derivative",
            "network": "model", "error": "errors", "very": "really", "learning rate": "step size",
            "small": "tiny", "large": "big", "function": "map", "can": "could"}


def edit_prose(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Written answers copied with light edits: a few words swapped, one sentence dropped."""

    def apply(text: str) -> str:
        for old, new in SYNONYMS.items():
            text = re.sub(rf"\b{old}\b", new, text, count=1)
        sentences = re.split(r"(?<=\.) ", text)
        return " ".join(sentences[:-1] if len(sentences) > 3 else sentences)

    return _map_text(answers, apply)


TRANSFORMS: dict[str, Transform] = {
    "rename": rename,
    "reformat": reformat,
    "comments": recomment,
    "reorder": reorder,
    "comprehension": comprehension,
}


def copy_of(author: Student, name: str, transforms: list[str], prose: bool = True) -> Student:
    answers = author.answers
    for t in transforms:
        answers = TRANSFORMS[t](answers)
    if prose:
        answers = edit_prose(answers)
    return Student(name=name, answers=answers, copied_from=author.copied_from or author.name)


def authors() -> list[Student]:
    return [Student(name=name, answers=answers) for name, answers in AUTHORS.items()]


def corpus() -> list[Student]:
    """Independent authors, and copies: one per transformation, all of them, a chain of three,
    and a student who wrote their own code but copied someone's written answers."""
    people = authors()
    by = {p.name: p for p in people}
    names = list(by)
    copies = [
        copy_of(by[names[0]], "A2_RENAMED_Rosa", ["rename"]),
        copy_of(by[names[1]], "A2_REFORMATTED_Remi", ["reformat"]),
        copy_of(by[names[2]], "A2_COMMENTED_Carla", ["comments"]),
        copy_of(by[names[3]], "A2_REORDERED_Oscar", ["reorder"]),
        copy_of(by[names[4]], "A2_LOOPLESS_Lea", ["comprehension"]),
        copy_of(by[names[5]], "A2_EVERYTHING_Eva", ["rename", "reformat", "comments", "reorder", "comprehension"]),
    ]
    first = copy_of(by[names[6]], "A2_CHAIN_One", ["rename"])
    second = copy_of(first, "A2_CHAIN_Two", ["reformat", "comments"])
    own_code = dict(by[names[8]].answers)
    prose_from = edit_prose(by[names[7]].answers)
    prose_only = Student(
        name="A2_PROSE_Paul",
        answers={slot: [c for c in own_code.get(slot, []) if c[0] == "code"]
                 + [c for c in prose_from.get(slot, []) if c[0] == "markdown"]
                 for slot in set(own_code) | set(prose_from)},
        copied_from=names[7],
    )
    return people[:8] + copies + [first, second, prose_only]


def is_copy_pair(a: Student, b: Student) -> bool:
    """Whether two students' work comes from the same author (the benchmark's truth)."""
    return (a.copied_from or a.name) == (b.copied_from or b.name)


def write(students: list[Student], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in students:
        path = folder / f"{s.name}.ipynb"
        nbformat.write(student_notebook(s), path)
        paths.append(path)
    return paths


def write_corpus(out: Path) -> tuple[Path, list[Student]]:
    """Write the template and the corpus; return the template's path and the students."""
    out.mkdir(parents=True, exist_ok=True)
    template = out / "template.ipynb"
    nbformat.write(template_notebook(), template)
    students = corpus()
    write(students, out / "submissions")
    return template, students


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "similarity-corpus")
    write_corpus(target)
    print(f"corpus written to {target}")
