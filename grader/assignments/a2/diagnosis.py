"""Say what the mistake is: a failed A2 check compared with the catalogue in ``mistakes.py``.

Instructor side only (imported by name with the reference, never shipped in the kit). For a
Part 1 function the student's outputs on fixed probe inputs are compared with each variant's
on the same inputs; a variant is claimed only when it matches on every input. The ConvNet's
mistakes are read from its structure (a forward pass traced inside the runtime, returned as
plain data); the 3.6 answer is compared with the student's own network. Nothing matches:
nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from grader.api import ACTIVATIONS, CheckOutcome, CheckSpec, Context, Diagnosis, StudentCallFailed
from grader.assignments.a2 import known_values, mistakes, reference_values, strategies
from grader.assignments.a2.mistakes import GRADIENTS, Mistake
from grader.assignments.a2.public import convnet, convnet_parameters, handout_call

# -- Part 1: outputs on probe inputs vs each variant's ---------------------------------------

#: The checks of each Part 1 function, with the gradients each one is about.
ALL_FOUR = (0, 1, 2, 3)
GRADIENT_CHECKS = {
    "gradient_nn.shapes": ALL_FOUR,
    "gradient_nn.known_values": ALL_FOUR,
    "gradient_nn.inactive_units": ALL_FOUR,
    "gradient_nn.sgd_converges": ALL_FOUR,
    "gradient_nn.grad_Wi": (0,),
    "gradient_nn.grad_bi": (1,),
    "gradient_nn.grad_Wo": (2,),
    "gradient_nn.grad_bo": (3,),
}
NUMERICAL_CHECKS = ("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")
GRADCHECK_CHECKS = ("gradcheck.rejects_faulty", "gradcheck.accepts_correct")

#: Same tolerances as the checks: a variant "matches" as closely as a correct answer must.
ANALYTICAL_TOLERANCE = {"rtol": 1e-6, "atol": 1e-8}
NUMERICAL_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def probe_inputs() -> list[dict]:
    """The inputs a Part 1 function is diagnosed on: the public known-value inputs, an
    example with every unit off, and seeded ones with h = 2 (where a transposed d × h
    gradient has the right shape) and both labels, all away from the ReLU kink."""
    examples = [example for example, _ in known_values.load()]
    examples.append(strategies.every_unit_off(0))
    rng = np.random.default_rng(2024)
    for h, Y in ((2, -1.0), (2, 1.0), (5, -1.0)):
        while True:
            X, Wi, bi, Wo = (
                rng.normal(size=2),
                rng.normal(size=(2, h)),
                rng.normal(size=h),
                rng.normal(size=h),
            )
            pre = X @ Wi + bi
            if np.all(np.abs(pre) > 0.1) and np.any(pre < 0) and np.any(pre > 0):
                break
        examples.append({"X": X, "Y": Y, "Wi": Wi, "bi": bi, "Wo": Wo, "bo": float(rng.normal())})
    return examples


def same(got: Any, want: Any, *, rtol: float, atol: float) -> bool:
    """``got`` equals ``want`` as the checks compare (length-1 axes aside), finite."""
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=np.float64)
    if arr.shape != want.shape:
        if arr.size != want.size or np.squeeze(arr).shape != np.squeeze(want).shape:
            return False
        arr = arr.reshape(want.shape)
    return bool(np.all(np.isfinite(arr)) and np.allclose(arr, want, rtol=rtol, atol=atol))


def explained(
    student: Sequence[Sequence[Any]],
    reference: Sequence[Sequence[Any]],
    variant: Sequence[Sequence[Any]],
    subject: Sequence[int],
    tolerance: dict[str, float],
) -> tuple[int, ...]:
    """The outputs (of ``subject``) the variant explains: those it changes from the reference
    and the student's equal on every input. Every other output it changes must be the
    reference's on every input, or nothing is claimed (the student did something else)."""
    found = []
    for k in subject:
        if all(same(v[k], r[k], **tolerance) for v, r in zip(variant, reference)):
            continue  # the variant does not change this output: it cannot explain it
        if all(same(s[k], v[k], **tolerance) for s, v in zip(student, variant)):
            found.append(k)
        elif not all(same(s[k], r[k], **tolerance) for s, r in zip(student, reference)):
            return ()
    return tuple(found)


def match_functions(
    student: Sequence[Sequence[Any]] | None,
    inputs: Sequence[dict],
    reference: Callable,
    catalogue: Sequence[Mistake],
    subject: Sequence[int],
    tolerance: dict[str, float],
) -> tuple[Diagnosis, ...]:
    """Each mistake one of whose forms explains some of ``subject`` on every input."""
    if student is None:
        return ()
    expected = [reference(**example) for example in inputs]
    found = []
    for mistake in catalogue:
        for form in mistake.forms:
            which = explained(
                student, expected, [form(**example) for example in inputs], subject, tolerance
            )
            if which:
                names = " and ".join(GRADIENTS[k] for k in which)
                found.append(
                    Diagnosis(
                        mistake.code, mistake.label, mistake.message.format(which=f"your {names}")
                    )
                )
                break
    return tuple(found)


def student_outputs(ctx: Context, name: str, inputs: Sequence[dict]) -> list[list] | None:
    """The student's four gradients on every input; None if any call fails or returns otherwise."""
    outputs = []
    for example in inputs:
        try:
            got = handout_call(ctx, name, example)
        except StudentCallFailed:
            return None
        if not isinstance(got, (list, tuple)) or len(got) != 4:
            return None
        outputs.append(list(got))
    return outputs


def diagnose_gradient(ctx: Context, subject: Sequence[int]) -> tuple[Diagnosis, ...]:
    inputs = probe_inputs()
    student = student_outputs(ctx, "gradient_nn", inputs)
    return match_functions(
        student,
        inputs,
        mistakes.chain_rule,
        mistakes.GRADIENT_MISTAKES,
        subject,
        ANALYTICAL_TOLERANCE,
    )


def diagnose_numerical(ctx: Context) -> tuple[Diagnosis, ...]:
    inputs = probe_inputs()
    student = student_outputs(ctx, "gradient_nn_numerical", inputs)
    return match_functions(
        student,
        inputs,
        mistakes.finite_difference,
        mistakes.NUMERICAL_MISTAKES,
        ALL_FOUR,
        NUMERICAL_TOLERANCE,
    )


def _scenario_answer(shifted: int | None) -> Callable:
    """A stub's answer: the student's own numerical gradient (``local``), one part shifted or
    none, so each scenario's verdict is the student's gradcheck logic alone."""

    def answer(args: tuple, kwargs: dict, local: Any) -> tuple:
        if not isinstance(local, (list, tuple)) or len(local) != 4:
            raise ValueError("gradient_nn_numerical should return 4 gradients (Wi, bi, Wo, bo)")
        grads = [np.array(g, dtype=float) for g in local]
        if shifted is not None:
            grads[shifted] = grads[shifted] + mistakes.SCENARIO_SHIFT
        return tuple(grads)

    return answer


def _scenario_gradient(shifted: int | None) -> Callable:
    def gradient(*args: Any) -> tuple:
        grads = [np.array(g, dtype=float) for g in mistakes.chain_rule(*args)]
        if shifted is not None:
            grads[shifted] = grads[shifted] + mistakes.SCENARIO_SHIFT
        return tuple(grads)

    return gradient


def diagnose_gradcheck(ctx: Context) -> tuple[Diagnosis, ...]:
    """The student's gradcheck verdicts on the scenarios against each variant's verdicts.

    Scenarios are asked one by one and a variant leaves as soon as a verdict differs from its
    own, so a gradcheck that matches nothing costs one or two runs, not five.
    """
    if not ctx.has("gradient_nn_numerical"):
        return ()
    candidates = [
        (
            mistake,
            [
                form(_scenario_gradient(s), mistakes.chain_rule)
                for s in mistakes.GRADCHECK_SCENARIOS
            ],
        )
        for mistake in mistakes.GRADCHECK_MISTAKES
        for form in mistake.forms
    ]
    for i, shifted in enumerate(mistakes.GRADCHECK_SCENARIOS):
        if not candidates:
            return ()
        ctx.fresh()  # each scenario in the namespace as built
        ctx.stub("gradient_nn", _scenario_answer(shifted), f"numerical, {shifted} shifted", inner="gradient_nn_numerical")
        try:
            verdict = ctx.call("gradcheck", timeout=30)
        except StudentCallFailed:
            return ()
        if not isinstance(verdict, (bool, int, float)):
            return ()
        candidates = [
            (mistake, verdicts) for mistake, verdicts in candidates if verdicts[i] == bool(verdict)
        ]
    found = dict.fromkeys(
        mistake for mistake, _ in candidates
    )  # a mistake once, whichever forms matched
    return tuple(Diagnosis(m.code, m.label, m.message) for m in found)


# -- 3.2 ConvNet: its structure against the handout's ----------------------------------------

#: The handout's architecture: the feature map after each stage (channels × height × width).
HANDOUT_STAGES = {
    ("conv2d", 0): (16, 28, 28),
    ("pool", 0): (16, 14, 14),
    ("conv2d", 1): (128, 10, 10),
    ("pool", 1): (128, 5, 5),
}
STAGE_NAMES = {
    ("conv2d", 0): "the first convolution",
    ("pool", 0): "the first pooling",
    ("conv2d", 1): "the second convolution",
    ("pool", 1): "the second pooling",
}
KERNEL = 5  # the handout's convolutions are 5 × 5


def _shape(dims: Sequence[int]) -> str:
    return "×".join(str(d) for d in dims)


def _structure_diagnosis(code: str, **fields: str) -> Diagnosis:
    mistake = mistakes.BY_CODE[code]
    return Diagnosis(code, mistake.label, mistake.message.format(**fields))


def convnet_structure(trace: dict) -> list[Diagnosis]:
    """The known ConvNet mistakes a layer trace shows (see ``grader.runtime.helpers.layer_trace``).

    A stage's cause is said where it first shows: a convolution whose output is larger than
    a 5 × 5 convolution without padding gives (padding), a pooling that shrinks by one pixel
    instead of halving (stride 1).
    """
    layers = trace.get("layers") or []
    found: dict[str, Diagnosis] = {}
    seen = {"conv2d": 0, "pool": 0}
    for op, shape_in, shape_out, has_bias in layers:
        kind = "pool" if "pool" in op else op
        if kind not in seen or len(shape_in) != 4 or len(shape_out) != 4:
            continue
        stage = (kind, seen[kind])
        seen[kind] += 1
        size_in, size_out = shape_in[-1], shape_out[-1]
        fields = {
            "stage": STAGE_NAMES.get(stage, f"layer {op}"),
            "got": _shape(shape_out[1:]),
            "expected": _shape(HANDOUT_STAGES[stage]) if stage in HANDOUT_STAGES else "?",
        }
        if kind == "conv2d" and size_out > size_in - KERNEL + 1 and stage in HANDOUT_STAGES:
            found.setdefault(
                "convnet.conv_padding", _structure_diagnosis("convnet.conv_padding", **fields)
            )
        if kind == "pool" and size_out == size_in - 1 and size_in > 2 and stage in HANDOUT_STAGES:
            found.setdefault(
                "convnet.pool_stride_1", _structure_diagnosis("convnet.pool_stride_1", **fields)
            )
    weighted: dict[str, list[bool]] = {"conv2d": [], "linear": []}
    for op, _, _, has_bias in layers:
        if op in weighted:
            weighted[op].append(has_bias)
    if weighted["conv2d"] and not any(weighted["conv2d"]):
        found["convnet.conv_no_bias"] = _structure_diagnosis("convnet.conv_no_bias")
    if weighted["linear"] and not any(weighted["linear"]):
        found["convnet.fc_no_bias"] = _structure_diagnosis("convnet.fc_no_bias")
    ops = {op for op, *_ in layers}
    if "relu" in ops and "tanh" not in ops:
        found["convnet.relu_for_tanh"] = _structure_diagnosis("convnet.relu_for_tanh")
    if any("avg_pool" in op for op in ops) and not any("max_pool" in op for op in ops):
        found["convnet.average_pooling"] = _structure_diagnosis("convnet.average_pooling")
    bare = unactivated_stages(layers)
    if bare:
        found["convnet.missing_activation"] = _structure_diagnosis(
            "convnet.missing_activation", stages=" and ".join(bare)
        )
    return list(found.values())


def unactivated_stages(layers: Sequence[Sequence[Any]]) -> list[str]:
    """The weighted layers (``conv1``, ``fc1``, ... in forward order) that no activation follows
    before the next weighted layer; the last one, the scores, needs none (nor is the last one
    judged in a forward that raised: what would have followed it is not known). Pooling and
    reshaping between them do not matter: tanh before or after a max pooling is the same network."""
    counts = {"conv2d": 0, "linear": 0}
    stages: list[tuple[str, bool]] = []
    for op, *_ in layers:
        if op in counts:
            counts[op] += 1
            stages.append((f"{'conv' if op == 'conv2d' else 'fc'}{counts[op]}", False))
        elif op in ACTIVATIONS and stages:
            stages[-1] = (stages[-1][0], True)
    return [stage for stage, activated in stages[:-1] if not activated]


def diagnose_convnet(ctx: Context, *, with_counts: bool) -> tuple[Diagnosis, ...]:
    """The ConvNet's structural mistakes; with the parameter counts for the count's own check."""
    model, _ = convnet(ctx)
    trace = ctx.call("@layer_trace", model, strategies.cifar_batch(2, seed=ctx.seed))
    found = convnet_structure(trace if isinstance(trace, dict) else {})
    if with_counts and found:
        got = sum(int(np.prod(shape)) for _, shape in convnet_parameters(ctx, model))
        expected = reference_values.values(ctx.reference, ctx.seed).total
        if isinstance(got, int) and got != expected:
            found = [
                Diagnosis(
                    d.code, d.label, f"{d.message} — {got:,} parameters instead of {expected:,}"
                )
                for d in found
            ]
    return tuple(found)


# -- 3.6 the answer against the student's own network ----------------------------------------


def own_counts(ctx: Context) -> tuple[int, list[int]]:
    """The student's ConvNet: total parameter count and each layer's (its weight and bias)."""
    model, _ = convnet(ctx)
    layers: dict[str, int] = {}
    for layer, shape in convnet_parameters(ctx, model):  # a layer's weight and bias share its name
        layers[layer] = layers.get(layer, 0) + int(np.prod(shape))
    return sum(layers.values()), list(layers.values())


def diagnose_answer(ctx: Context, numbers: set[int], *, per_layer: bool) -> tuple[Diagnosis, ...]:
    """The answer's numbers are the student's own network's (total, or every layer's), not the handout's."""
    if ctx.runtime is None or not ctx.has("ConvNet"):
        return ()
    total, layers = own_counts(ctx)
    reference = reference_values.values(ctx.reference, ctx.seed)
    expected_total = reference.total
    if per_layer:
        expected = sorted(with_bias for _, _, with_bias in reference.layers)
        if sorted(layers) == expected or not layers or not set(layers) <= numbers:
            return ()
        counts = "per layer " + ", ".join(f"{n:,}" for n in layers)
    else:
        if total == expected_total or total not in numbers:
            return ()
        counts = f"{total:,} parameters in all"
    mistake = mistakes.BY_CODE["answer_3_6.own_network"]
    return (Diagnosis(mistake.code, mistake.label, mistake.message.format(counts=counts)),)


# -- the pack's diagnoser --------------------------------------------------------------------


def diagnose(spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> tuple[Diagnosis, ...]:
    """The A2 diagnoser (``grader.checks.Diagnoser``): the known mistakes a failed check matches."""
    if ctx.runtime is None:
        return ()
    name = spec.name
    if name in GRADIENT_CHECKS and ctx.has("gradient_nn"):
        return diagnose_gradient(ctx, GRADIENT_CHECKS[name])
    if name in NUMERICAL_CHECKS and ctx.has("gradient_nn_numerical"):
        return diagnose_numerical(ctx)
    if name in GRADCHECK_CHECKS and ctx.has("gradcheck"):
        return diagnose_gradcheck(ctx)
    if name.startswith("convnet.") and ctx.has("ConvNet"):
        return diagnose_convnet(ctx, with_counts=name == "convnet.parameter_count")
    if name.startswith("answer_3_6."):
        from grader.assignments.a2.hidden import answer_numbers

        return diagnose_answer(ctx, answer_numbers(ctx), per_layer=name == "answer_3_6.per_layer")
    return ()


def validate_credit(codes: set[str]) -> None:
    """Every diagnosis the rubric gives credit for is one the catalogue can make."""
    from grader.api import RubricError

    unknown = sorted(codes - set(mistakes.BY_CODE))
    if unknown:
        raise RubricError(f"the rubric gives credit for unknown diagnoses: {unknown}")
