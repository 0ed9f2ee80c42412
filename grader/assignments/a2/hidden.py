"""A2 checks against the reference solution: instructor grading only, never in the student kit."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from grader.api import (
    CheckFailed,
    CheckSet,
    Context,
    Counterexample,
    StudentCallFailed,
    as_array,
    as_tensor,
    expect_close,
    show,
    show_inputs,
)
from grader.assignments.a2 import reference_values, strategies
from grader.assignments.a2.evidence import section
from grader.assignments.a2.public import (
    GRADIENT_ATOL,
    GRADIENT_NAMES,
    HANDOUT_SIGM,
    NUMERICAL_FORMS,
    PART1_HELPERS,
    convnet,
    convnet_parameters,
    expect_rejected,
    follows_the_loss,
    four_gradients,
    gradient_answer,
    handout_call,
    is_true,
    true_gradient,
)

CHECKS = CheckSet()
check = CHECKS.check

# -- provided code (no points, reported) -----------------------------------------------------


def _forward_matches(ctx: Context, example: dict) -> None:
    got = handout_call(ctx, "nnet_forward_logloss", example)
    if not isinstance(got, (list, tuple)) or len(got) != 3:
        raise CheckFailed(
            "`nnet_forward_logloss` should return (Po, Yo, loss)",
            Counterexample(show_inputs(example), "3 values", repr(got)[:200]),
        )
    Po, Yo, loss = ctx.solution.nnet_forward_logloss(**example)
    expect_close(got[0], Po, what="Po", inputs=example)
    expect_close(got[1], Yo, what="Yo", inputs=example)
    loss_got = as_array(got[2], what="loss")
    # the per-example loss or its sum over the batch are both what the handout asks
    if loss_got.size == 1 and np.size(loss) > 1:
        loss = np.sum(loss)
    expect_close(loss_got, loss, what="loss", inputs=example)


@check("provided", "forward.one_example", needs=("nnet_forward_logloss",))
def forward_one_example(ctx: Context) -> None:
    """nnet_forward_logloss gives Po, Yo and the loss of one example."""
    ctx.forall(strategies.network_example(), lambda ex: _forward_matches(ctx, ex), max_examples=15)


@check("provided", "forward.batch", needs=("nnet_forward_logloss",))
def forward_batch(ctx: Context) -> None:
    """nnet_forward_logloss works on a batch of examples (N x 2)."""
    ctx.forall(strategies.batch_example(), lambda ex: _forward_matches(ctx, ex), max_examples=15)


# -- 1.2 gradient_nn, one gradient per check (partial credit per gradient) -------------------


def _gradient_sweep(ctx: Context) -> set[int] | None:
    """Which of the four gradients differ from the reference's on the drawn examples.

    The four checks draw the same examples (one strategy, one seed); drawing them costs more
    than the student's calls, so one sweep draws and compares all four, and a check whose
    gradient agreed everywhere passes without drawing again. None when a call failed
    outright (an error, a hang, not four gradients): each check then reports it itself.
    """
    key = ("gradient_nn.sweep", tuple(ctx._defines))
    if key not in ctx.shared:
        wrong: set[int] = set()

        def prop(example: dict) -> None:
            got = four_gradients(ctx, "gradient_nn", example)
            for k, (g, want) in enumerate(zip(got, ctx.solution.gradient_nn(**example))):
                try:
                    expect_close(g, want, what=GRADIENT_NAMES[k], inputs=example, atol=GRADIENT_ATOL)
                except CheckFailed:
                    wrong.add(k)

        try:
            ctx.forall(strategies.network_example(), prop)
            ctx.shared[key] = wrong
        except (CheckFailed, StudentCallFailed):
            ctx.shared[key] = None
    return ctx.shared[key]


def _gradient_check(k: int):
    name = GRADIENT_NAMES[k]

    def run(ctx: Context) -> None:
        wrong = _gradient_sweep(ctx)
        if wrong is not None and k not in wrong:
            return

        def prop(example: dict) -> None:  # draws again, to find the failure and shrink it
            got = four_gradients(ctx, "gradient_nn", example)[k]
            expected = ctx.solution.gradient_nn(**example)[k]
            expect_close(got, expected, what=name, inputs=example, atol=GRADIENT_ATOL)

        ctx.forall(strategies.network_example(), prop)

    run.__doc__ = f"{name} equals the chain-rule gradient on random networks (h = 1..20, both labels)."
    return run


for _k, _param in enumerate(("Wi", "bi", "Wo", "bo")):
    check("1.2", f"gradient_nn.grad_{_param}", needs=("gradient_nn",), exact=(HANDOUT_SIGM,))(_gradient_check(_k))


# -- 1.4 numerical gradient and gradcheck ----------------------------------------------------


@check(
    "1.4",
    "gradient_nn_numerical.matches_reference",
    needs=("gradient_nn_numerical",),
    isolate=PART1_HELPERS,
    forms=(NUMERICAL_FORMS,),
)
def numerical_matches_reference(ctx: Context) -> None:
    """Central differences agree with the true gradient on random networks."""

    def prop(example: dict) -> None:
        got = four_gradients(ctx, "gradient_nn_numerical", example)
        for name, g, want in zip(GRADIENT_NAMES, got, ctx.solution.gradient_nn(**example)):
            expect_close(g, want, what=name, inputs=example, rtol=1e-4, atol=1e-5)

    ctx.forall(strategies.network_example(kink_margin=1e-3, hidden=(1, 8)), prop, max_examples=15)
    follows_the_loss(ctx)


@check(
    "1.4",
    "gradcheck.accepts_correct",
    needs=("gradcheck",),
    isolate=("gradient_nn_numerical", *PART1_HELPERS),
)
def gradcheck_accepts_correct(ctx: Context) -> None:
    """gradcheck() returns True for a correct gradient_nn.

    The correct gradient_nn is a stub answered by the reference (only values cross), like
    the wrong ones of ``gradcheck.rejects_faulty``: every gradient_nn stub of a grading run
    answers from the same ``true_gradient`` through the same ``gradient_answer``, so a
    gradcheck cannot tell them apart. Re-run with the helpers isolated (the notebook's own
    numerical gradient replaced), that surrounding differs from ``rejects_faulty``'s, so the
    same run must also reject a wrong gradient: a gradcheck that recognises the isolated
    run cannot pass both.
    """
    ctx.stub("gradient_nn", gradient_answer(true_gradient(ctx)), "reference gradient_nn")
    verdict = ctx.call("gradcheck", timeout=30)
    if not is_true(verdict):
        raise CheckFailed(
            "gradcheck() rejected a correct gradient_nn",
            Counterexample("the correct gradient_nn", "True", show(verdict)),
        )
    if ctx.answered_by_grader("gradient_nn_numerical"):
        ctx.fresh(keep_stubs=True)
        expect_rejected(ctx, ctx.seed % len(GRADIENT_NAMES), where="with correct helpers, ")


# -- 3.2 ConvNet -----------------------------------------------------------------------------


def _student_parameters(ctx: Context) -> tuple[object, str, list[tuple[str, tuple[int, ...]]]]:
    """The student's ConvNet, how it was made, and the parameters its forward pass uses
    (``convnet_parameters``: observed, never the module's description of itself)."""
    model, made = convnet(ctx)
    return model, made, convnet_parameters(ctx, model)


def _reference(ctx: Context) -> reference_values.ReferenceValues:
    """The reference ConvNet's and train/test's results for this seed (no torch import when shipped)."""
    return reference_values.values(ctx.reference, ctx.seed)


@check("3.2", "convnet.parameter_count", needs=("ConvNet",))
def convnet_parameter_count(ctx: Context) -> None:
    """ConvNet has as many parameters as the handout's architecture."""
    _, made, params = _student_parameters(ctx)
    got = sum(int(np.prod(shape)) for _, shape in params)
    expected = _reference(ctx).total
    if got != expected:
        raise CheckFailed(
            f"ConvNet has {got:,} parameters",
            Counterexample(made, f"{expected:,} parameters", f"{got:,}"),
        )


@check("3.2", "convnet.layer_shapes", needs=("ConvNet",))
def convnet_layer_shapes(ctx: Context) -> None:
    """ConvNet's weights and biases have the handout's shapes (in any order, under any names)."""
    _, made, params = _student_parameters(ctx)
    got = sorted(shape for _, shape in params)
    expected = sorted(_reference(ctx).shapes)
    if got != expected:
        raise CheckFailed(
            "ConvNet's parameter shapes differ from the architecture asked for",
            Counterexample(made, show([list(s) for s in expected]), show([list(s) for s in got])),
        )


@check("3.2", "convnet.same_function", needs=("ConvNet",))
def convnet_same_function(ctx: Context) -> None:
    """With the reference's weights loaded by shape, ConvNet computes the reference's function."""
    model, _, used = _student_parameters(ctx)
    reference = _reference(ctx)
    by_shape = dict(zip(reference.shapes, reference.weights))
    # loaded in the module's own order; its forward pass must use exactly those shapes
    params = [(name, tuple(shape)) for name, shape in ctx.call("@module_parameters", model)]
    if sorted(s for _, s in used) != sorted(by_shape) or sorted(s for _, s in params) != sorted(by_shape):
        raise CheckFailed("ConvNet's parameter shapes differ from the architecture asked for (see convnet.layer_shapes)")
    ctx.call("@load_parameters", model, [by_shape[shape] for _, shape in params])
    for n in reference_values.BATCH_SIZES:
        batch = strategies.cifar_batch(n, seed=ctx.seed + 100 + n)
        got = as_array(ctx.call("@forward", model, as_tensor(batch)), what="the output")
        expect_close(
            got, reference.outputs[n], what="the output", inputs={"images": f"{n} random CIFAR-shaped images (seeded)"},
            rtol=1e-3, atol=1e-4,
        )


# -- 3.4 the student's train / test on a small synthetic loader ------------------------------

# The globals the handout's train(epoch, network) and test(network) read, built inside the
# runtime from plain arrays, and a one-layer network both sides start from.
_PART3_SOURCE = """
import torch as _grader_torch


class _GraderFlatLinear(_grader_torch.nn.Module):
    def __init__(self, weight, bias):
        super().__init__()
        self.fc = _grader_torch.nn.Linear(weight.shape[1], weight.shape[0])
        with _grader_torch.no_grad():
            self.fc.weight.copy_(weight)
            self.fc.bias.copy_(bias)

    def forward(self, x):
        return self.fc(x.reshape(x.shape[0], -1))


train_loader = _grader_torch.utils.data.DataLoader(
    _grader_torch.utils.data.TensorDataset(_grader_X, _grader_torch.as_tensor(_grader_Y).long()),
    batch_size=16,
    shuffle=False,
)
test_loader = train_loader
device = _grader_torch.device("cpu")
_grader_network = _GraderFlatLinear(_grader_W, _grader_b)
optimizer = _grader_torch.optim.SGD(_grader_network.parameters(), lr=0.01)
batch_size, epochs, lr, log_interval = 16, 1, 0.01, 10


def _grader_train_once():
    train(1, _grader_network)
    return [p.detach().numpy().copy() for p in _grader_network.parameters()]


def _grader_test_once():
    return test(_grader_network)
"""


def _prepare_part3(ctx: Context) -> None:
    data = reference_values.tiny_problem(ctx.seed)
    values = {f"_grader_{k}": (v if k == "Y" else as_tensor(v)) for k, v in data.items()}
    ctx.define(_PART3_SOURCE, values)


@check("3.4", "train_test.train_step", needs=("train",))
def train_matches_given(ctx: Context) -> None:
    """The notebook's train(epoch, network) updates the network as the given one does."""
    _prepare_part3(ctx)
    got = ctx.call("_grader_train_once", timeout=60)
    expected = _reference(ctx).trained
    inputs = {"data": "48 random CIFAR-shaped images, batches of 16, SGD lr 0.01, one epoch"}
    for name, g, want in zip(("weight", "bias"), got, expected):
        expect_close(g, want, what=f"the network's {name} after train(1, network)", inputs=inputs, rtol=1e-4, atol=1e-6)


_ACCURACY = re.compile(r"Accuracy:\s*(\d+)\s*/\s*(\d+)")


@check("3.4", "train_test.test_accuracy", needs=("test",))
def test_reports_accuracy(ctx: Context) -> None:
    """The notebook's test(network) prints the accuracy the given one computes."""
    _prepare_part3(ctx)
    _, printed = ctx.call_with_output("_grader_test_once", timeout=60)
    expected = _reference(ctx).accuracy
    got = _ACCURACY.search(printed)
    inputs = {"data": "48 random CIFAR-shaped images, a fixed linear network"}
    if got is None or got.groups() != expected:
        raise CheckFailed(
            "test(network) does not report the network's accuracy",
            Counterexample(show_inputs(inputs), f"Accuracy: {expected[0]}/{expected[1]}", printed.strip()[-200:] or "nothing printed"),
        )


# -- 3.6 the parameter count answer ----------------------------------------------------------

#: Longer digit runs are no parameter count (and ``int`` refuses strings over 4,300 digits).
MAX_DIGITS = 15

# Thousands groups: 258,058 · 258 058 · 258.058 · 258{,}058 · 258\,058 · 258\;058 · 258~058,
# and the typographers' spaces (no-break, narrow no-break, thin, figure: French text) and
# apostrophes (258'058). A group never starts inside a word: the 1 of "fc1 204,864" names the
# layer. One bounded group repeated, no nested unbounded quantifier: linear on any text.
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:(?:[ ,.~'\u00a0\u2007\u2009\u202f\u2019]|\\[,;: ]|\{,\})\d{3})+(?!\d)|\d+"
)


def numbers_in(text: str) -> set[int]:
    """Integers however a student writes them: 258058, 258,058, 258 058 (any space), 258.058,
    258'058, 258{,}058, 258\\,058, 258~058, \\boxed{258\\,058}."""
    found = set()
    for match in _NUMBER.findall(text):
        digits = re.sub(r"\D", "", match)
        if digits and len(digits) <= MAX_DIGITS:
            found.add(int(digits))
    return found


# Shapes are read from tokens rather than one regex over the text: a regex with ``\d+`` inside
# a repeated group backtracks quadratically on long digit runs; a tokenizer reads any text in
# one pass. A letter x or X counts as a times sign only standing alone (16x3x5x5, not "max");
# an arrow joins a linear layer's sizes as one (3200 → 64, 3200 -> 64, $3200 \to 64$).
_SHAPE_TOKEN = re.compile(
    r"(?P<num>\d+)"
    r"|(?P<times>\\(?:times|cdot|to|rightarrow)(?![A-Za-z])|[×⋅·*✕→⟶]|->|(?<![^\W\d_])[xX](?![^\W\d_]))"
    r"|(?P<comma>,)|(?P<open>[\[(])|(?P<close>[\])])"
    r"|(?P<space>\s+|\\[,;:! ]|~|\\(?:q?quad|left|right)(?![A-Za-z]))"
    r"|(?P<other>[^\W\d_]+|.)",
    re.DOTALL,
)
_MAX_MEMBER = 10**MAX_DIGITS  # a product beyond it is no layer's dimension


def _shape_tokens(text: str) -> list[tuple[str, int]]:
    """(kind, value) tokens, spaces dropped; a number too long to be a dimension is ``other``."""
    tokens = []
    for match in _SHAPE_TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "num" and len(match.group()) > MAX_DIGITS:
            kind = "other"
        if kind != "space":
            tokens.append((kind, int(match.group()) if kind == "num" else 0))
    return tokens


def _factors(tokens: list[tuple[str, int]], k: int) -> tuple[list[int], int]:
    """The numbers of the product that starts at token ``k`` (``a × b × …``, maybe one number)
    and the index after it; no numbers when token ``k`` is not a number."""
    factors: list[int] = []
    while k < len(tokens) and tokens[k][0] == "num":
        factors.append(tokens[k][1])
        if k + 2 < len(tokens) and tokens[k + 1][0] == "times" and tokens[k + 2][0] == "num":
            k += 2
        else:
            k += 1
            break
    return factors, k


def _tuple_at(tokens: list[tuple[str, int]], k: int) -> tuple[tuple[int, ...] | None, int]:
    """The tuple opened at token ``k`` (``(64, 128·5·5)`` is (64, 3200)) and where reading stopped."""
    members = []
    k += 1
    while True:
        factors, k = _factors(tokens, k)
        if not factors:
            return None, k
        value = 1
        for factor in factors:
            value = min(value * factor, _MAX_MEMBER)
        members.append(value)
        kind = tokens[k][0] if k < len(tokens) else ""
        if kind == "close" and len(members) > 1 and _MAX_MEMBER not in members:
            return tuple(members), k + 1
        if kind != "comma":
            return None, k
        k += 1


def shapes_in(text: str) -> set[tuple[int, ...]]:
    """Shapes however a student writes them: 16x3x5x5, 16 × 3 × 5 × 5, 16*3*5*5,
    16 \\times 3 \\times 5 \\times 5, (16, 3, 5, 5), torch.Size([16, 3, 5, 5]), 3200 → 64, and tuples
    whose members are products: (64, 128·5·5) and $(64,128\\cdot 5\\cdot 5)$ are (64, 3200)."""
    tokens = _shape_tokens(text)
    found = set()
    k = 0
    while k < len(tokens):
        factors, after = _factors(tokens, k)
        if len(factors) > 1:
            found.add(tuple(factors))
        k = max(after, k + 1)
    k = 0
    while k < len(tokens):
        if tokens[k][0] != "open":
            k += 1
            continue
        shape, after = _tuple_at(tokens, k)
        if shape:
            found.add(shape)
        k = max(after, k + 1)
    return found


MAX_ANSWER_NUMBERS = 200  # a parameter count answer lists tens of numbers, not every integer
MAX_ANSWER_SHAPES = 40  # ...and a shape per layer (a torchsummary table: one per row), not every tuple


def _answer_3_6(ctx: Context) -> str:
    """Everything task 3.6 holds: the question cell, the answers and the code outputs."""
    return section(ctx, "3.6").text


def answer_numbers(ctx: Context) -> set[int]:
    """The numbers the answer to 3.6 gives: what diagnosis.py compares with the student's own network."""
    return numbers_in(_answer_3_6(ctx))


def _plausible_3_6(ctx: Context) -> None:
    """An answer listing implausibly many numbers or shapes is left to a person, not credited:
    enumerating every candidate (a few numbers combined into thousands of tuples) is no answer."""
    text = _answer_3_6(ctx)
    for what, found, most in (
        ("numbers", len(numbers_in(text)), MAX_ANSWER_NUMBERS),
        ("shapes", len(shapes_in(text)), MAX_ANSWER_SHAPES),
    ):
        if found > most:
            raise CheckFailed(
                f"the answer to 3.6 lists {found:,} different {what}: marked by hand",
                Counterexample("the text and outputs of task 3.6", f"at most {most} {what}", f"{found:,}"),
            )


@check("3.6", "answer_3_6.total", runtime=False)
def answer_total(ctx: Context) -> None:
    """The answer to 3.6 gives the total number of parameters."""
    _plausible_3_6(ctx)
    reference = _reference(ctx)
    numbers = numbers_in(_answer_3_6(ctx))
    if reference.total not in numbers:
        raise CheckFailed(
            "the total number of parameters is not in the answer to 3.6",
            Counterexample("the text and outputs of task 3.6", f"{reference.total:,}", "not found"),
        )
    # in what the student wrote: outputs print what code computes (a torchsummary's sizes, a log)
    others = sorted(other_totals(numbers_in(section(ctx, "3.6").prose), reference.layers))
    if others:
        shown = ", ".join(f"{n:,}" for n in [reference.total, *others])
        raise CheckFailed(
            f"the answer to 3.6 gives more than one total ({shown}): marked by hand",
            Counterexample("the text and outputs of task 3.6", f"one total: {reference.total:,}", shown),
        )


def other_totals(numbers: set[int], layers: Sequence[tuple[tuple[int, ...], int, int]]) -> set[int]:
    """The numbers of an answer that stand as another total: as large as the largest layer, and
    no sum of the network's own parts (its layers' weights and biases, in any grouping: "257,600
    weights and 458 biases", "fc layers: 205,514"). An answer that names the right total among
    others ("258,058, or 348,026 if …") does not say which it gives."""
    parts = [n for _, weights, with_bias in layers for n in (weights, with_bias - weights) if n]
    sums = {0}
    for part in parts:
        sums |= {s + part for s in sums}
    largest = max((with_bias for _, _, with_bias in layers), default=0)
    return {n for n in numbers if n >= largest and n not in sums}


@check("3.6", "answer_3_6.per_layer", runtime=False)
def answer_per_layer(ctx: Context) -> None:
    """The answer to 3.6 gives each layer's weights: their dimensionality (any notation, any
    order of the axes) or their number, with or without the biases."""
    _plausible_3_6(ctx)
    text = _answer_3_6(ctx)
    numbers, shapes = numbers_in(text), {tuple(sorted(s)) for s in shapes_in(text)}
    missing = []
    for weight, count, with_bias in _reference(ctx).layers:
        counts = {count, with_bias}
        if tuple(sorted(weight)) not in shapes and not counts & numbers:
            missing.append("×".join(map(str, weight)))
    if missing:
        raise CheckFailed(
            f"{len(missing)} layer(s) of the network have no weight dimensionality in the answer to 3.6",
            Counterexample("the text and outputs of task 3.6", "each layer's weight shape or count", "missing " + ", ".join(missing)),
        )
