"""A2 checks that need no reference solution: the ones a student's self-check runs.

Their oracles reveal no solution: shapes the handout states, gradients at a few fixed inputs,
the student's own numerical gradient, convergence of SGD on the double moon, and the
evidence the notebook's saved outputs show.
"""

from __future__ import annotations

import inspect
import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader.api import (
    CallForms,
    CheckFailed,
    CheckSet,
    Context,
    Counterexample,
    ExactHelper,
    StudentCallFailed,
    as_array,
    as_tensor,
    expect_close,
    show,
    show_inputs,
)
from grader.assignments.a2 import known_values, strategies
from grader.assignments.a2.data import double_moon_arrays

CHECKS = CheckSet()
check = CHECKS.check

GRADIENT_NAMES = ("grad_s_Wi", "grad_s_bi", "grad_s_Wo", "grad_s_bo")
#: The handout's parameters of gradient_nn, gradient_nn_numerical and nnet_forward_logloss, in
#: its order: checks call positionally, as the notebook does (a student may rename them).
PARAMETER_NAMES = ("X", "Y", "Wi", "bi", "Wo", "bo")


def handout_call(ctx: Context, name: str, example: dict, **options: Any) -> Any:
    """Call a Part 1 function on ``example`` (keyword arguments by the handout's names) the
    way the notebook's own code calls it: positionally, in the handout's order."""
    return ctx.call(name, *(example[p] for p in PARAMETER_NAMES), **options)


#: The handout's ``sigm`` without its clamp: public mathematics, defined in the student's process
#: for the re-run. It returns what the handout's returns (``np.where``'s array, 0-d for a number),
#: without overflow, and without underflow to 0 before float64 must.
EXACT_SIGM = """
def sigm(x):
    import numpy
    x = numpy.asarray(x, dtype=float)
    e = numpy.exp(-numpy.abs(x))
    return numpy.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""


#: The handout's ``sigm`` is 0 below −20 ("to avoid overflow warnings"): a gradient written
#: as exp(−Y·Yo)·sigm(Y·Yo) is then 0·∞ = 0 where the true ∂s/∂Yo is about −Y. Right in exact
#: arithmetic, so it passes with an exact sigm and says why it would not with the handout's.
HANDOUT_SIGM = ExactHelper(
    name="sigm",
    source=EXACT_SIGM,
    code="handout.sigm_clamp",
    label="the handout's sigm clamps to 0",
    weakness=(
        "your gradient is right in exact arithmetic, but the handout's `sigm` returns 0 below −20, "
        "so a form that multiplies it by a large exponential (exp(−Y·Yo)·sigm(Y·Yo) is 0·∞ where "
        "Y·Yo < −20) gives 0 where ∂s/∂Yo is about −Y; −Y·sigm(−Y·Yo) stays exact there"
    ),
)

#: The handout's provided ``sigm`` is 0 below -20, so a student who uses it gets exactly 0 where
#: the true ∂s/∂Yo is below e^-20 ≈ 2e-9; times |H| ≤ 21 (or |X|·|Wo| ≤ 9) on the properties'
#: domain that is under 5e-8. Any real mistake differs by orders of magnitude more.
GRADIENT_ATOL = 1e-7


def four_gradients(ctx: Context, name: str, example: dict) -> list:
    """Call a gradient function and insist on four results, whatever container holds them."""
    got = handout_call(ctx, name, example)
    if not isinstance(got, (list, tuple)) or len(got) != 4:
        raise CheckFailed(
            f"`{name}` should return 4 gradients (Wi, bi, Wo, bo)",
            Counterexample(show_inputs(example), "a tuple of 4 arrays", repr(got)[:200]),
        )
    return list(got)


def probe_gradient(ctx: Context) -> None:
    """One direct call of gradient_nn before a loop of thousands: a gradient that hung or
    crashed earlier fails here at once (see Context._call) instead of costing a long timeout."""
    example, _ = known_values.load()[0]
    handout_call(ctx, "gradient_nn", example)


def is_false(value: object) -> bool:
    """False as a student may return it: False, numpy's False (decoded to bool) or 0."""
    return isinstance(value, (bool, int, float)) and not value


def is_true(value: object) -> bool:
    return isinstance(value, (bool, int, float)) and bool(value)


# -- 1.2 gradient_nn -------------------------------------------------------------------------


@check("1.2", "gradient_nn.shapes", needs=("gradient_nn",), uses_reference=False)
def gradient_shapes(ctx: Context) -> None:
    """Each gradient has the shape of its parameter (Wi d x h, bi and Wo (h,), bo one number).

    A shape that differs only by axes of length 1 (a 0-d ``grad_s_bi`` when h = 1, ``(1, h)``
    for ``(h,)``) passes with a note: the handout's own training code broadcasts it.
    """
    noted: set[str] = set()

    def prop(example: dict) -> None:
        grads = four_gradients(ctx, "gradient_nn", example)
        h = example["Wi"].shape[1]
        wanted = {"grad_s_Wi": (2, h), "grad_s_bi": (h,), "grad_s_Wo": (h,), "grad_s_bo": (1,)}
        for name, got in zip(GRADIENT_NAMES, grads):
            arr = as_array(got, what=name)
            if arr.shape == wanted[name] or (name == "grad_s_bo" and arr.size == 1):
                continue
            if arr.size == np.prod(wanted[name]) and np.squeeze(arr).shape == np.squeeze(np.empty(wanted[name])).shape:
                if name not in noted:
                    noted.add(name)
                    ctx.note(f"{name} has shape {arr.shape} where {wanted[name]} is expected (accepted: only axes of length 1 differ)")
                continue
            expected = "a single number" if name == "grad_s_bo" else f"shape {wanted[name]}"
            raise CheckFailed(
                f"{name} has shape {arr.shape}",
                Counterexample(show_inputs(example), expected, f"shape {arr.shape}"),
            )

    ctx.forall(strategies.network_example(), prop, max_examples=10)


@check("1.2", "gradient_nn.known_values", needs=("gradient_nn",), uses_reference=False, exact=(HANDOUT_SIGM,))
def gradient_known_values(ctx: Context) -> None:
    """The four gradients at a few fixed inputs equal the known values."""
    for example, expected in known_values_here(ctx):
        grads = four_gradients(ctx, "gradient_nn", example)
        for name, got, want in zip(GRADIENT_NAMES, grads, expected):
            expect_close(got, want, what=name, inputs=example, atol=GRADIENT_ATOL)


def known_values_here(ctx: Context) -> list[tuple[dict, list]]:
    """The public known values, and where the reference is at hand (the instructor's grading)
    the same inputs moved by a seeded 1e-3, each ReLU unit kept on its side: values a
    self-check shows can be tabulated in front of a wrong function, inputs next to them cannot
    (the gradients move by more than the checks' tolerances)."""
    examples = list(known_values.load())
    if ctx.reference is None:
        return examples
    rng = np.random.default_rng(ctx.seed + 1729)
    for example, _ in list(examples):
        moved = {k: v if k == "Y" else _moved(v, rng) for k, v in example.items()}
        before, after = (np.dot(e["X"], e["Wi"]) + e["bi"] for e in (example, moved))
        if np.array_equal(before > 0, after > 0):
            examples.append((moved, list(ctx.reference.gradient_nn(**moved))))
    return examples


@check("1.2", "gradient_nn.chain_rule", needs=("gradient_nn",), uses_reference=False)
def gradient_chain_rule(ctx: Context) -> None:
    """gradient_nn is the chain rule's, not a difference quotient of the loss: with the loss's
    slope changed and gradient_nn_numerical wrong, its gradients at a known input stay.

    The task's gate (``gate = true`` in the rubric): when it fails no check of 1.2 counts, as
    the handout's numerical gradient called (or copied) in gradient_nn is no answer to 1.2 yet
    passes every comparison of values. ``nnet_forward_logloss`` keeps the notebook's own
    values at the input and gains a slope of one in every parameter (``tilted_loss``): a chain
    rule reads the forward pass there and sees nothing, a difference quotient moves by one.
    Only a change seen between two answers fails it; a call that fails leaves the verdict to
    the other checks.
    """
    example, _ = known_values.load()[0]
    try:
        before = four_gradients(ctx, "gradient_nn", example)
        if ctx.has("nnet_forward_logloss"):
            ctx.stub("nnet_forward_logloss", tilted_loss(example), "the notebook's, its loss tilted", inner="nnet_forward_logloss")
        if ctx.has("gradient_nn_numerical"):
            ctx.stub("gradient_nn_numerical", gradient_answer(true_gradient(ctx), lambda args, correct: [g + 1.0 for g in correct]), "every gradient off by 1")
        after = four_gradients(ctx, "gradient_nn", example)
        pairs = [(as_array(b, what=name), as_array(a, what=name)) for name, b, a in zip(GRADIENT_NAMES, before, after)]
    except (CheckFailed, StudentCallFailed):
        return
    for name, (b, a) in zip(GRADIENT_NAMES, pairs):
        if b.shape != a.shape or not np.allclose(b, a, rtol=CHAIN_RULE_TOLERANCE, atol=CHAIN_RULE_TOLERANCE, equal_nan=True):
            raise CheckFailed(
                f"gradient_nn follows the loss, not the chain rule: with the slope of nnet_forward_logloss "
                f"changed (its values at this input kept) and gradient_nn_numerical wrong, its {name} changed; "
                "task 1.2 asks for the analytical gradient",
                Counterexample(show_inputs(example), f"{name} unchanged: {show(b)}", show(a)),
            )


#: How far gradient_nn may move under ``gradient_chain_rule``'s changes: they move a difference
#: quotient by one; a chain rule only by what a round trip of its forward pass's types can do.
CHAIN_RULE_TOLERANCE = 1e-3


def tilted_loss(example: dict) -> Callable[[tuple, dict, object], object]:
    """A ``nnet_forward_logloss`` stub's answer: the notebook's own (``local``), its loss plus
    Σ(θ − θ₀) over the parameters θ it is given, θ₀ the example's. At the example the value is
    the notebook's, bit for bit; its slope is off by one in every parameter."""
    start = np.concatenate([np.ravel(np.asarray(example[k], dtype=float)) for k in PARAMETER_NAMES[2:]])

    def answer(args: tuple, kwargs: dict, local: object) -> object:
        try:
            bound = _HANDOUT_SIGNATURE.bind(*args, **kwargs).args
            theta = np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in bound[2:]])
        except (TypeError, ValueError):
            return local
        if theta.shape != start.shape or not isinstance(local, (tuple, list)) or len(local) != 3:
            return local
        tilt = float(np.sum(theta - start))
        if tilt == 0.0:
            return local
        po, yo, loss = local
        tilted = (po, yo, (loss if isinstance(loss, (float, np.ndarray)) else np.asarray(loss, dtype=float)) + tilt)
        return tilted if isinstance(local, tuple) else list(tilted)

    return answer


@check("1.2", "gradient_nn.inactive_units", needs=("gradient_nn",), uses_reference=False, exact=(HANDOUT_SIGM,))
def gradient_inactive_units(ctx: Context) -> None:
    """Through a ReLU unit that is off, nothing flows back to Wi, bi and Wo (the other units on)."""
    for seed in range(3):
        example, off = strategies.inactive_example(seed)
        grads = four_gradients(ctx, "gradient_nn", example)
        for name, got, param in zip(GRADIENT_NAMES[:3], grads, ("Wi", "bi", "Wo")):
            values = as_array(got, what=name)
            if values.size != np.size(example[param]):
                raise CheckFailed(
                    f"{name} has {values.size} values, expected {np.size(example[param])}",
                    Counterexample(show_inputs(example), f"the shape of {param}", f"shape {values.shape}"),
                )
            units = values.reshape(np.shape(example[param]))[..., off]  # the off units' entries (Wi's columns)
            expect_close(units, np.zeros_like(units), what=f"{name} of the units that are off", inputs=example)


SGD_EPOCHS = 5
SGD_MAX_ERROR = 10.0  # percent; the reference ends near 0, a wrong gradient near 50
SGD_SECONDS = 20  # for all the epochs together

_SGD_SOURCE = '''
def _grader_sgd(X, Y, h, lr, epochs, seed, epoch, params):
    """One epoch of plain SGD as the handout's train_loop does it, driven by the student's
    gradient_nn: epoch ``epoch`` of ``epochs``, from ``params`` (the previous epoch's; None:
    the seeded start). The steps are those of one run of every epoch, so the grader can stop
    after any epoch with the parameters that run would have had.

    Returns the parameters only: the grader measures the error itself, so a notebook that
    patches numpy cannot change the verdict.
    """
    import numpy
    rng = numpy.random.default_rng(int(seed))
    Wi = rng.standard_normal((X.shape[1], int(h)))
    bi = numpy.zeros(int(h)); Wo = numpy.zeros(int(h)); bo = 0.0
    steps = rng.integers(len(X), size=int(epochs) * len(X))
    if params is not None:
        Wi, bi, Wo, bo = params
    for i in steps[int(epoch) * len(X):(int(epoch) + 1) * len(X)]:
        gWi, gbi, gWo, gbo = gradient_nn(X[i], Y[i], Wi, bi, Wo, bo)
        Wi = Wi - lr * numpy.asarray(gWi, dtype=float).reshape(Wi.shape)
        bi = bi - lr * numpy.asarray(gbi, dtype=float).reshape(bi.shape)
        Wo = Wo - lr * numpy.asarray(gWo, dtype=float).reshape(Wo.shape)
        bo = bo - lr * float(numpy.ravel(gbo)[0])
    return [Wi, bi, Wo, bo]
'''


def training_error(X: np.ndarray, Y: np.ndarray, params: list) -> float:
    """Percentage of misclassified points, computed here in the grader from plain arrays."""
    Wi, bi, Wo, bo = (as_array(p, what="a parameter") for p in params)
    Yo = np.maximum(X @ Wi.reshape(X.shape[1], -1) + bi.ravel(), 0) @ Wo.ravel() + float(np.ravel(bo)[0])
    return 100.0 * float(np.mean(np.sign(Yo) != Y))


@check("1.2", "gradient_nn.sgd_converges", needs=("gradient_nn",), uses_reference=False, exact=(HANDOUT_SIGM,))
def gradient_drives_sgd(ctx: Context) -> None:
    """SGD with the student's gradient (h = 7, lr = 0.02) fits the double moon.

    The error is measured after each epoch, and the check passes as soon as it is under the
    bar (the reference is after the first); it fails once all the epochs have run and it
    never was, or as soon as a parameter is NaN: SGD's updates keep it NaN, and a NaN
    parameter makes every output NaN, so the error would end at 100 %.
    """
    X, Y, _, _ = double_moon_arrays()
    probe_gradient(ctx)
    ctx.define(_SGD_SOURCE)
    deadline = time.monotonic() + SGD_SECONDS
    params = None
    for epoch in range(SGD_EPOCHS):
        timeout = max(deadline - time.monotonic(), 0.1)
        params = ctx.call("_grader_sgd", X, Y, 7, 0.02, SGD_EPOCHS, ctx.seed, epoch, params, timeout=timeout)
        error = training_error(X, Y, params)
        if error <= SGD_MAX_ERROR:
            return
        if any(np.isnan(as_array(p, what="a parameter")).any() for p in params):
            break
    raise CheckFailed(
        f"after {SGD_EPOCHS} epochs of SGD with your gradient, the training error is {error:.1f}%",
        Counterexample(
            f"double moon (1000 points), h = 7, lr = 0.02, {SGD_EPOCHS} epochs",
            f"training error <= {SGD_MAX_ERROR:g}%",
            f"{error:.1f}%",
        ),
    )


# -- 1.4 numerical gradient and gradcheck ----------------------------------------------------


# The provided helpers a numerical gradient calls: when the instructor grades, a failure is
# re-checked with the reference's helpers, so a broken provided helper costs only its own task.
PART1_HELPERS = ("sigm", "nnet_forward_logloss", "sumelement_matrix", "sumelement_vector")


#: How the notebook calls its numerical gradient: its gradcheck passes ``bo`` of shape (1,), as
#: the handout's does, and a student may rely on it (``(pos_loss - neg_loss)[0]``).
NUMERICAL_FORMS = CallForms(
    "gradient_nn_numerical",
    PARAMETER_NAMES,
    callers=(lambda ctx: ctx.call("gradcheck", timeout=30),),
    handout=({"Y": "number", "bo": "shape (1,)"},),
    label="its gradcheck",
)


@check("1.4", "gradient_nn_numerical.differences", needs=("gradient_nn_numerical",), uses_reference=False)
def numerical_differences(ctx: Context) -> None:
    """gradient_nn_numerical is a difference quotient: it carries one's error somewhere.

    The task's gate (``gate = true`` in the rubric). Central differences of the loss differ
    from the true gradient by their truncation and rounding error, 1e-11 at the very least
    for the best ε in float64, and more on some of a few dozen components; a copy of the
    chain rule (or any exact derivative) agrees with the known values to the last digits, and
    would pass every check of 1.4 that compares values. Only that agreement on every
    component of every known input fails it; a call that fails leaves the verdict to the
    other checks.
    """
    agree = []
    for example, expected in known_values.load():
        try:
            got = four_gradients(ctx, "gradient_nn_numerical", example)
            arrays = [as_array(g, what=name).ravel() for name, g in zip(GRADIENT_NAMES, got)]
        except (CheckFailed, StudentCallFailed):
            return
        for g, want in zip(arrays, expected):
            want = np.ravel(np.asarray(want, dtype=float))
            if g.shape != want.shape:
                return
            agree.append(bool(np.all(np.abs(g - want) <= EXACT_DERIVATIVE * (1 + np.abs(want)))))
    if agree and all(agree):
        raise CheckFailed(
            "gradient_nn_numerical gives the exact derivative to the last digits, as no difference "
            "quotient can: task 1.4 asks for central differences of the loss",
            Counterexample("the known inputs", f"differences from the true gradient of at least {EXACT_DERIVATIVE:g}", "none"),
        )


#: Closer to the true gradient than this (relative), everywhere, is no difference quotient:
#: 1,000 times below the least error of central differences in float64, 10 times below a
#: five-point stencil's; two chain rules written differently agree to a few ulps.
EXACT_DERIVATIVE = 1e-14


@check(
    "1.4",
    "gradient_nn_numerical.known_values",
    needs=("gradient_nn_numerical",),
    isolate=PART1_HELPERS,
    uses_reference=False,
    forms=(NUMERICAL_FORMS,),
)
def numerical_known_values(ctx: Context) -> None:
    """Central differences at a few fixed inputs agree with the known gradients, and come from
    the loss alone (see ``follows_the_loss``)."""
    for example, expected in known_values_here(ctx):
        grads = four_gradients(ctx, "gradient_nn_numerical", example)
        for name, got, want in zip(GRADIENT_NAMES, grads, expected):
            expect_close(got, want, what=name, inputs=example, rtol=1e-4, atol=1e-5)
    follows_the_loss(ctx)


def _moved(value: Any, rng: np.random.Generator) -> Any:
    """``value`` moved by up to 1e-3, in the same form (an array stays one, a number a float)."""
    moved = np.asarray(value, dtype=float) + rng.uniform(-1e-3, 1e-3, np.shape(value))
    return moved if isinstance(value, np.ndarray) else float(moved)


def follows_the_loss(ctx: Context) -> None:
    """A numerical gradient differentiates the loss: with gradient_nn bound to a wrong function
    it must not move. One that returns ``gradient_nn(...)`` gives the true gradient as long as
    gradient_nn is right, so only this tells it from central differences."""
    if not ctx.has("gradient_nn"):
        return
    example, expected = known_values.load()[0]
    ctx.stub("gradient_nn", gradient_answer(true_gradient(ctx), lambda args, correct: [g + 1.0 for g in correct]), "every gradient off by 1")
    grads = four_gradients(ctx, "gradient_nn_numerical", example)
    for name, got, want in zip(GRADIENT_NAMES, grads, expected):
        try:
            expect_close(got, want, what=name, inputs=example, rtol=1e-4, atol=1e-5)
        except CheckFailed as failure:
            raise CheckFailed(
                f"gradient_nn_numerical follows gradient_nn, not the loss: with gradient_nn wrong, its {name} changed",
                failure.counterexample,
            ) from None


# What one numerical gradient of a stub may cost, in multiply-adds, and hold at once, in
# floats. Inputs come from the student's process (up to protocol.MAX_CALLBACK_BYTES of
# arrays): unbounded, the central differences of a 100x300 network filled the grader's
# memory. The bound is one the student's own gradient_nn_numerical cannot beat either (it does
# the same forward passes, one parameter at a time): past it, every stub fails alike.
NUMERICAL_WORK = 200_000_000
NUMERICAL_CHUNK_FLOATS = 1 << 20


def handout_numerical_gradient(X, Y, Wi, bi, Wo, bo) -> tuple[np.ndarray, ...]:
    """The handout's provided central differences (ε = 1e-6) of the logistic loss summed over
    the examples, computed here in the grader: the four gradients, each of its parameter's shape.

    Public, as the handout gives it to students: it reveals nothing of task 1.2's chain rule.
    The shifted networks are evaluated a chunk at a time (memory bounded whatever the sizes);
    a network too large for :data:`NUMERICAL_WORK` is refused with ``ValueError``.
    """
    X = np.asarray(X, dtype=float).reshape(-1, np.shape(Wi)[0])
    Y = np.asarray(Y, dtype=float).reshape(-1)
    params = [np.asarray(p, dtype=float) for p in (Wi, bi, Wo, bo)]
    flat = np.concatenate([p.ravel() for p in params])
    d, h = params[0].shape
    n, size = len(X), flat.size
    if 2 * size * n * (d * h + h) > NUMERICAL_WORK:
        raise ValueError("network too large for a numerical gradient")
    eps = 1e-6
    spans = [slice(a, b) for a, b in zip((0, d * h, d * h + h, d * h + 2 * h), (d * h, d * h + h, d * h + 2 * h, size))]
    rows = 2 * size  # one network per shifted parameter, +eps then -eps
    chunk = max(1, NUMERICAL_CHUNK_FLOATS // max(size, n * h))
    loss = np.empty(rows)
    for start in range(0, rows, chunk):
        row = np.arange(start, min(start + chunk, rows))
        shifted = np.repeat(flat[None, :], len(row), axis=0)
        shifted[np.arange(len(row)), row % size] += np.where(row < size, eps, -eps)
        Wi_, bi_, Wo_, bo_ = (shifted[:, span] for span in spans)  # np.split's parts, without its cost
        H = np.maximum(np.matmul(X, Wi_.reshape(-1, d, h)) + bi_[:, None, :], 0)
        Yo = np.matmul(H, Wo_[:, :, None])[:, :, 0] + bo_
        loss[row] = np.logaddexp(0.0, -Y * Yo).sum(axis=1)
    grad = (loss[:size] - loss[size:]) / (2 * eps)
    return tuple(grad[span].reshape(p.shape) for span, p in zip(spans, params))


_HANDOUT_SIGNATURE = inspect.Signature(
    [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in PARAMETER_NAMES]
)


#: The most examples one call of a gradient stub is answered for when the grader has the
#: reference: the reference's gradient is of one example, so a batch is answered row by row.
MAX_BATCH_ROWS = 10_000


def summed(gradient_nn: Callable[..., Sequence[Any]]) -> Callable[..., tuple]:
    """``gradient_nn`` of one example (the handout's form) made the gradient of the loss summed
    over the examples it is given, as the handout's central differences are: one example is
    ``gradient_nn``'s own answer, a batch the sum of its answers row by row (Y broadcast to
    the rows). A batch over :data:`MAX_BATCH_ROWS` is refused with ``ValueError``."""

    def gradient(X, Y, Wi, bi, Wo, bo) -> tuple:
        if np.ndim(X) <= 1:
            return tuple(gradient_nn(X, Y, Wi, bi, Wo, bo))
        rows = np.asarray(X, dtype=float).reshape(-1, np.shape(Wi)[0])
        if len(rows) > MAX_BATCH_ROWS:
            raise ValueError("too many examples")
        labels = np.broadcast_to(np.asarray(Y, dtype=float).reshape(-1), len(rows))
        total = [np.zeros(np.shape(p)) for p in (Wi, bi, Wo, bo)]
        for x, y in zip(rows, labels):
            for t, g in zip(total, gradient_nn(x, y, Wi, bi, Wo, bo)):
                t += np.reshape(g, t.shape)
        return tuple(total)

    return gradient


def true_gradient(ctx: Context) -> Callable[..., tuple]:
    """The correct gradient every gradient_nn stub of this run answers from, right or wrong:
    the reference's when the grader has it, else (the self-check, which has no correct stub)
    the handout's numerical gradient. One function for all of a run's stubs, so that they
    accept and refuse the same arguments, take the same time and return the same types:
    nothing a gradcheck can call, inspect or time tells them apart."""
    return summed(ctx.solution.gradient_nn) if ctx.reference is not None else handout_numerical_gradient


def gradient_answer(
    truth: Callable[..., Sequence[Any]],
    gradient: Callable[[tuple, Sequence[Any]], Sequence[Any]] = lambda args, correct: correct,
) -> Callable[[tuple, dict, object], tuple]:
    """A gradient_nn stub's answer: ``gradient(arguments, correct)`` given the arguments bound
    as the handout's gradient_nn binds them and ``truth`` there (see :func:`true_gradient`);
    the four gradients come back as float arrays shaped like their parameters. Every
    gradient_nn stub answers through this one function: one argument binding, one refusal
    (the runtime then raises one fixed error), one return type."""

    def answer(args: tuple, kwargs: dict, local: object) -> tuple:
        bound = _HANDOUT_SIGNATURE.bind(*args, **kwargs).args
        grads = gradient(bound, truth(*bound))
        return tuple(np.asarray(g, dtype=float).reshape(np.shape(p)) for g, p in zip(grads, bound[2:]))

    return answer


def pushed_off(truth: Callable[..., Sequence[Any]], k: int) -> Callable[[tuple, dict, object], tuple]:
    """A stub's answer: the correct gradient at the arguments it is given, the k-th of the
    four off by 0.1."""

    def wrong(args: tuple, correct: Sequence[Any]) -> list:
        grads = list(correct)
        grads[k] = grads[k] + 0.1
        return grads

    return gradient_answer(truth, wrong)


@check(
    "1.4",
    "gradcheck.rejects_faulty",
    needs=("gradcheck", "gradient_nn_numerical"),
    uses_reference=False,
)
def gradcheck_rejects_faulty(ctx: Context) -> None:
    """gradcheck() returns False when any one of the four gradients is wrong.

    The wrong gradient_nn is a stub like the correct one the instructor's grading gives
    gradcheck (both are answered by the grader, neither runs anything in the student's
    process), so nothing in the namespace or in what it runs tells the two apart.
    """
    for k in range(len(GRADIENT_NAMES)):
        ctx.fresh()  # each wrong gradient in a namespace as built, like the correct one
        expect_rejected(ctx, k)


def expect_rejected(ctx: Context, k: int, where: str = "") -> None:
    """gradcheck() given a gradient_nn whose k-th gradient is off by 0.1 must return False."""
    name = GRADIENT_NAMES[k]
    ctx.stub("gradient_nn", pushed_off(true_gradient(ctx), k), f"{name} off by 0.1")
    verdict = ctx.call("gradcheck", timeout=30)
    if not is_false(verdict):
        raise CheckFailed(
            f"{where}gradcheck() accepted a gradient_nn whose {name} is off by 0.1",
            Counterexample(f"gradient_nn with a wrong {name}", "False", show(verdict)),
        )


# -- 1.5 train_loop --------------------------------------------------------------------------

TRAIN_LOOP_EPOCHS = 5
TRAIN_LOOP_MAX_ERROR = 10.0  # percent, final training error with h = 7, lr = 0.02



class TrajectoryRecorder:
    """What a tracing gradient_nn stub reports (the student's gradient answers each call):
    every call's numbers, kept here in the grader (see ``judge_trajectory``). A train_loop that
    does not call the global gradient_nn (a default argument bound at definition time, a saved
    copy) leaves nothing to follow, and fails."""

    def __init__(self) -> None:
        self.called = False
        self.trace: np.ndarray | None = None

    def __call__(self, args: tuple, kwargs: dict, trace: object) -> None:
        self.called = True
        self.trace = trace if isinstance(trace, np.ndarray) and trace.ndim == 2 else None


def judge_trajectory(
    trace: np.ndarray | None,
    h: int,
    lr: float,
    X: np.ndarray,
    Y: np.ndarray,
    setting: str,
    truth: Callable[..., Sequence[Any]],
    seed: int,
) -> list:
    """The network a train_loop trained, from its gradient_nn calls; CheckFailed unless it trained.

    Each row is one call: X (2), Y, Wi, bi, Wo, bo, then the four gradients it got back. A
    loop that trains hands gradient_nn, at each call, the previous call's parameters less
    ``lr`` times the gradient that call returned, from a first network that does not fit yet.
    The network judged is the last call's after its own update: parameters the loop chose
    freely (trained offline, say) are no training, whatever gradient_nn is then asked.

    The rows are written in the student's process, whose numpy the notebook may have patched:
    the gradients of the steps that moved most, of a seeded sample and of the first and last
    steps must also be the true gradient there (``truth``, computed here). A row forged to jump
    to a network trained offline is a step no true gradient takes.
    """
    sizes = [2, 1, 2 * h, h, h, 1, 2 * h, h, h, 1]
    if trace is None or trace.shape[1] != sum(sizes):
        raise CheckFailed(
            "train_loop's calls of gradient_nn could not be followed",
            Counterexample(setting, "gradient_nn(X, Y, Wi, bi, Wo, bo) with the handout's shapes at each step", "other calls"),
        )
    cuts = np.cumsum(sizes)[:-1]
    parts = np.split(trace, cuts, axis=1)
    params, grads = np.hstack(parts[2:6]), np.hstack(parts[6:10])
    expected = params[:-1] - lr * grads[:-1]
    off = np.abs(params[1:] - expected) > 1e-9 * (1.0 + np.abs(expected))
    if off.any():
        step = int(np.argmax(off.any(axis=1))) + 1
        raise CheckFailed(
            f"train_loop's step {step:,} is not an SGD step with the gradient gradient_nn returned",
            Counterexample(setting, f"each call's parameters = the previous ones - {lr:g} x its gradient", f"call {step + 1:,} differs"),
        )

    def network(flat: np.ndarray) -> list:
        Wi, bi, Wo, bo = np.split(flat, np.cumsum([2 * h, h, h]))
        return [Wi.reshape(2, h), bi, Wo, bo]

    for row in _rows_to_verify(grads, seed):
        want = np.concatenate([np.ravel(g) for g in truth(parts[0][row], float(parts[1][row][0]), *network(params[row]))])
        if not np.allclose(grads[row], want, rtol=TRACE_RTOL, atol=TRACE_ATOL):
            raise CheckFailed(
                f"train_loop's step {row + 1:,} used a gradient that is not the true gradient at its network "
                "(if gradient_nn is wrong, task 1.2 says so; train_loop is then judged with a correct one)",
                Counterexample(setting, "each step's gradient the true one at the parameters it was asked at", f"call {row + 1:,} differs"),
            )

    start = training_error(X, Y, network(params[0]))
    if start <= TRAIN_LOOP_MAX_ERROR:
        raise CheckFailed(
            f"train_loop's first network already has {start:.1f}% training error: it was not trained by the loop",
            Counterexample(setting, f"a first network above {TRAIN_LOOP_MAX_ERROR:g}% error, brought down by SGD", f"{start:.1f}%"),
        )
    return network(params[-1] - lr * grads[-1])


#: How many steps of a trajectory are checked against the true gradient: the ones that moved
#: the network most, and as many drawn at random (a forged jump is large, or forged rows many).
TRACE_SAMPLE = 100
TRACE_RTOL, TRACE_ATOL = 1e-5, 1e-6  # the numerical gradient of the isolated run is within 1e-9


def _rows_to_verify(grads: np.ndarray, seed: int) -> list[int]:
    n = len(grads)
    if not n:
        return []
    largest = np.argsort(-np.linalg.norm(grads, axis=1), kind="stable")[:TRACE_SAMPLE]
    drawn = np.random.default_rng(seed).choice(n, size=min(TRACE_SAMPLE, n), replace=False)
    return sorted({0, n - 1, *map(int, largest), *map(int, drawn)})


def numerical_gradient_source() -> str:
    """The isolated run's gradient_nn, to define in the student's process: the handout's central
    differences (public: the handout gives them to students), so each of the loop's 5,000 steps
    is answered there instead of by a round trip to the grader (2.5 s a run, 0.3 s here).
    Built when that run needs it: only the instructor's grading isolates."""
    return (
        "def _grader_numerical_gradient_factory():\n"
        "    import numpy as np\n\n"
        f"    NUMERICAL_WORK = {NUMERICAL_WORK}\n"
        f"    NUMERICAL_CHUNK_FLOATS = {NUMERICAL_CHUNK_FLOATS}\n\n"
        + textwrap.indent(inspect.getsource(handout_numerical_gradient), "    ")
        + "\n    return handout_numerical_gradient\n\n\n"
        "_grader_numerical_gradient = _grader_numerical_gradient_factory()\n"
    )


@check("1.5", "train_loop.converges", needs=("train_loop",), isolate=("gradient_nn",), uses_reference=False)
def train_loop_converges(ctx: Context) -> None:
    """train_loop with h = 7, lr = 0.02 brings the training error on the double moon down.

    The grader follows every call train_loop makes to gradient_nn (``judge_trajectory``): the
    loop must take SGD steps with the gradients it got, from a network that does not fit yet,
    and the grader measures the network they reach; the error curves the student's code
    computes are never trusted. Run again with a correct gradient (the submitted one failed
    it), that gradient is the handout's numerical one, computed in the student's process,
    followed like the student's own.
    """
    Xtr, Ytr, Xval, Yval = double_moon_arrays()
    if ctx.has("gradient_nn"):
        probe_gradient(ctx)
    ctx.define("lrate = 0.02")  # the handed-out train_loop reads the global, not its argument
    isolated = ctx.answered_by_grader("gradient_nn")
    if isolated:
        ctx.define(numerical_gradient_source())
    recorder = TrajectoryRecorder()
    inner = "_grader_numerical_gradient" if isolated else "gradient_nn"
    ctx.stub("gradient_nn", recorder, f"{inner}, calls followed", inner=inner, observe=True, trace=True)
    setting = f"double moon, h = 7, lr = 0.02, nEpochs = {TRAIN_LOOP_EPOCHS}, vis = 'never'"
    timeout = 60 if isolated else 20  # the numerical gradient costs each step more
    curves = ctx.call("train_loop", Xtr, Ytr, Xval, Yval, 7, 0.02, vis="never", nEpochs=TRAIN_LOOP_EPOCHS, timeout=timeout)
    # (tr_error, val_error), maybe followed by more (the trained weights: the student's calls unpack them)
    if not isinstance(curves, (list, tuple)) or len(curves) < 2:
        raise CheckFailed(
            "train_loop should return (tr_error, val_error)",
            Counterexample(setting, "2 error curves", show(curves)),
        )
    if not recorder.called:
        raise CheckFailed(
            "train_loop never called the notebook's gradient_nn, so the network it trained could not be measured",
            Counterexample(setting, "gradient_nn(X, Y, Wi, bi, Wo, bo) called at each step", "no call"),
        )
    trained = judge_trajectory(recorder.trace, 7, 0.02, Xtr, Ytr, setting, true_gradient(ctx), ctx.seed)
    final = training_error(Xtr, Ytr, trained)
    if not final <= TRAIN_LOOP_MAX_ERROR:
        raise CheckFailed(
            f"after {TRAIN_LOOP_EPOCHS} epochs the training error is {final:.1f}%",
            Counterexample(setting, f"final training error <= {TRAIN_LOOP_MAX_ERROR:g}%", f"{final:.1f}%"),
        )


# -- 3.2 ConvNet -----------------------------------------------------------------------------

#: How to create a student's ConvNet when the notebook never calls it with literal arguments:
#: the handout's ``ConvNet()``, or with the number of classes (``def __init__(self, num_outputs)``).
CONVNET_DEFAULTS = ((), (10,))


def convnet_parameters(ctx: Context, model: object) -> list[tuple[str, tuple[int, ...]]]:
    """The trainable tensors the ConvNet's forward pass uses on two CIFAR-shaped images, as
    ``(layer, shape)``: counted from what the grader observes, so a module that describes
    itself otherwise (``named_parameters`` overridden) is judged on what it computes with."""
    used = ctx.call("@used_parameters", model, as_tensor(strategies.cifar_batch(2, seed=ctx.seed)))
    try:
        if all(type(n) is int for _, shape in used for n in shape):
            return [(str(layer), tuple(shape)) for layer, shape in used]
    except (TypeError, ValueError):  # not pairs of a name and a shape
        pass
    raise CheckFailed(
        "the ConvNet's parameters do not have shapes of whole numbers",
        Counterexample("the tensors its forward pass uses", "shapes such as (16, 3, 5, 5)", show(used)),
    )


def convnet(ctx: Context) -> tuple[object, str]:
    """The student's ConvNet, instantiated as the notebook does it; and that call, for reports.

    Lazy layers (``nn.LazyLinear``) get their shapes from one forward pass on two CIFAR-shaped
    images, as the student's first training batch gives them, so the network can be judged.
    """
    model, made = ctx.instantiate("ConvNet", *CONVNET_DEFAULTS)
    ctx.call("@materialise", model, as_tensor(strategies.cifar_batch(2, seed=ctx.seed)))
    return model, made


@check("3.2", "convnet.output_shape", needs=("ConvNet",), uses_reference=False)
def convnet_output_shape(ctx: Context) -> None:
    """ConvNet maps a batch of N CIFAR images (N x 3 x 32 x 32) to N x 10 scores."""
    model, made = convnet(ctx)
    for n in (1, 3, 8):
        batch = strategies.cifar_batch(n, seed=ctx.seed + n)
        got = as_array(ctx.call("@forward", model, as_tensor(batch)), what="the output")
        if got.shape != (n, 10):
            raise CheckFailed(
                f"the output of {made} for {n} images has shape {got.shape}",
                Counterexample(f"a batch of shape {batch.shape}", f"shape ({n}, 10)", f"shape {got.shape}"),
            )
