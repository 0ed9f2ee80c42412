"""The A2 catalogue of known mistakes: each one a small variant of the reference.

Instructor side only: the variants are the reference's code with one thing changed, so this
module (like ``hidden.py``) is imported by name, only together with the reference, and the
student kit never ships it. ``diagnosis.py`` compares a student's outputs with each variant's
on the same inputs; a variant that matches on every input names the mistake.

Part 1 mistakes are functions with the graded function's signature. A mistake may have
several ``forms`` (the step ``eps`` of a one-sided difference): any one form matching is a
match. The ConvNet's mistakes are read from its structure instead (see ``diagnosis.py``);
their codes and labels are listed here so that the rubric can name them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from reference.part1 import nnet_forward_logloss, sigm

GRADIENTS = ("grad_s_Wi", "grad_s_bi", "grad_s_Wo", "grad_s_bo")


@dataclass(frozen=True)
class Mistake:
    """A known mistake: ``message`` says it to the student, with ``{which}`` the gradients it explains."""

    code: str
    label: str
    message: str
    forms: tuple[Callable, ...] = ()


# -- 1.2 gradient_nn -------------------------------------------------------------------------


def _logistic(Y, Yo):
    """∂s/∂Yo of the logistic loss log(1 + exp(−Y·Yo)): the reference's."""
    return -Y * sigm(-Y * Yo)


def chain_rule(
    X,
    Y,
    Wi,
    bi,
    Wo,
    bo,
    *,
    grad_yo=_logistic,
    mask=True,
    transpose_wi=False,
    wo_from_z=False,
    bi_times_wo=True,
):
    """The reference's backward pass, with one switch per known slip (all off: the reference)."""
    Z = np.dot(X, Wi) + bi
    H = np.maximum(Z, 0.0)
    Yo = np.dot(H, Wo) + bo
    grad_s_Yo = grad_yo(np.asarray(Y, dtype=np.float64), Yo)
    grad_s_bo = grad_s_Yo[()]
    grad_s_Wo = grad_s_Yo * (Z if wo_from_z else H)
    grad_s_bi = grad_s_Yo * (Wo if bi_times_wo else 1.0) * ((Z > 0) if mask else 1.0)
    grad_s_Wi = np.outer(grad_s_bi, X) if transpose_wi else np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo


def _dyo_slip(code: str, label: str, formula: str, slip: str, grad_yo: Callable) -> Mistake:
    """A slip in ∂s/∂Yo = −Y·σ(−Y·Yo): the message shows the student's formula beside the right one."""
    return Mistake(
        code,
        label,
        f"in {{which}}, ∂s/∂Yo is {formula} instead of −Y·σ(−Y·Yo): {slip}",
        (partial(chain_rule, grad_yo=grad_yo),),
    )


GRADIENT_MISTAKES = (
    Mistake(
        "gradient_nn.sign_flipped",
        "flipped sign of ∂s/∂Yo",
        "the sign of ∂s/∂Yo is flipped in {which} (SGD with it climbs the loss)",
        (partial(chain_rule, grad_yo=lambda Y, Yo: Y * sigm(-Y * Yo)),),
    ),
    Mistake(
        "gradient_nn.no_relu_mask",
        "missing ReLU mask",
        "the ReLU mask is missing in {which}: the gradient flows back through inactive units",
        (partial(chain_rule, mask=False),),
    ),
    Mistake(
        "gradient_nn.wi_transposed",
        "grad_s_Wi transposed",
        "{which} is the transpose of the expected one (h × d instead of d × h)",
        (partial(chain_rule, transpose_wi=True),),
    ),
    Mistake(
        "gradient_nn.squared_loss",
        "gradient of the squared loss",
        "{which} is the gradient of the squared loss ½(Yo − Y)², not of the logistic loss",
        (
            partial(chain_rule, grad_yo=lambda Y, Yo: Yo - Y),
            partial(chain_rule, grad_yo=lambda Y, Yo: 2 * (Yo - Y)),
        ),
    ),
    Mistake(
        "gradient_nn.sigmoid_argument",
        "σ of the wrong argument",
        "in {which}, ∂s/∂Yo takes σ of −Yo instead of −Y·Yo (right for Y = +1 only)",
        (partial(chain_rule, grad_yo=lambda Y, Yo: -Y * sigm(-Yo)),),
    ),
    # the sign slips around σ: inside it, inside and outside it, and with σ's argument missing Y
    _dyo_slip(
        "gradient_nn.sign_inside_sigmoid",
        "sign flipped inside σ",
        "−Y·σ(Y·Yo)",
        "the sign inside σ is flipped",
        lambda Y, Yo: -Y * sigm(Y * Yo),
    ),
    _dyo_slip(
        "gradient_nn.sign_inside_and_outside",
        "sign flipped inside and outside σ",
        "Y·σ(Y·Yo)",
        "the sign is flipped inside σ as well as outside it",
        lambda Y, Yo: Y * sigm(Y * Yo),
    ),
    _dyo_slip(
        "gradient_nn.sigmoid_argument_sign_outside",
        "σ of the wrong argument, sign flipped outside",
        "Y·σ(−Yo)",
        "σ takes −Yo instead of −Y·Yo, and the sign outside σ is flipped",
        lambda Y, Yo: Y * sigm(-Yo),
    ),
    _dyo_slip(
        "gradient_nn.sigmoid_argument_sign_inside",
        "σ of the wrong argument, sign flipped inside",
        "−Y·σ(Yo)",
        "σ takes Yo instead of −Y·Yo: Y is missing and the sign inside σ is flipped",
        lambda Y, Yo: -Y * sigm(Yo),
    ),
    _dyo_slip(
        "gradient_nn.sigmoid_argument_both_signs",
        "σ of the wrong argument, sign flipped inside and outside",
        "Y·σ(Yo)",
        "σ takes Yo instead of −Y·Yo (Y is missing), and the sign is flipped inside σ as well as outside it",
        lambda Y, Yo: Y * sigm(Yo),
    ),
    Mistake(
        "gradient_nn.wo_without_relu",
        "grad_s_Wo without the ReLU",
        "{which} uses the pre-activation X·Wi + bi instead of the hidden layer H = ReLU(X·Wi + bi)",
        (partial(chain_rule, wo_from_z=True),),
    ),
    Mistake(
        "gradient_nn.bi_without_wo",
        "grad_s_bi without Wo",
        "in {which}, the factor Wo of the chain rule is missing",
        (partial(chain_rule, bi_times_wo=False),),
    ),
)


# -- 1.4 gradient_nn_numerical ---------------------------------------------------------------

#: The steps students use; a forward difference is wrong enough to fail the checks from 1e-3 up.
STEPS = (1e-1, 1e-2, 1e-3)


def finite_difference(X, Y, Wi, bi, Wo, bo, *, eps=1e-6, plus=1.0, minus=-1.0, denominator=2.0):
    """(s(θ + plus·ε) − s(θ + minus·ε)) / (denominator·ε) for every parameter entry.

    The reference is plus = 1, minus = −1, denominator = 2: the central difference.
    """
    params = [np.array(p, dtype=np.float64, copy=True) for p in (Wi, bi, Wo, bo)]

    def s(values):
        return float(np.sum(nnet_forward_logloss(X, Y, *values)[2]))

    grads = []
    for k, p in enumerate(params):
        g = np.zeros(np.shape(p))
        for index in np.ndindex(np.shape(p)):
            shifted = []
            for step in (plus, minus):
                q = np.array(p, copy=True)
                q[index] = q[index] + step * eps
                values = list(params)
                values[k] = q[()] if np.ndim(p) == 0 else q
                shifted.append(s(values))
            g[index] = (shifted[0] - shifted[1]) / (denominator * eps)
        grads.append(g[()])
    return tuple(grads)


NUMERICAL_MISTAKES = (
    Mistake(
        "numerical.one_sided",
        "one-sided (forward) difference",
        "{which} is a one-sided difference (s(θ + ε) − s(θ)) / ε, not the central difference asked for",
        tuple(partial(finite_difference, eps=e, minus=0.0, denominator=1.0) for e in STEPS),
    ),
    Mistake(
        "numerical.missing_half",
        "central difference without the /2",
        "{which} is (s(θ + ε) − s(θ − ε)) / ε: the central difference without its /2 (twice the gradient)",
        (partial(finite_difference, denominator=1.0),),
    ),
    Mistake(
        "numerical.one_side_only",
        "half of a central difference",
        "{which} is (s(θ + ε) − s(θ)) / 2ε: the central difference with one of its two sides missing",
        tuple(partial(finite_difference, eps=e, minus=0.0) for e in (*STEPS, 1e-4, 1e-5, 1e-6)),
    ),
)


# -- 1.4 gradcheck ---------------------------------------------------------------------------

#: What a gradcheck is tried on: gradient_nn equal to the numerical gradient, then off by 0.1
#: in one of the four gradients. The student's verdicts and each variant's are compared.
GRADCHECK_SCENARIOS = (None, 0, 1, 2, 3)
SCENARIO_SHIFT = 0.1


def gradcheck_variant(
    gradient_nn,
    gradient_nn_numerical,
    *,
    compared=(0, 1, 2, 3),
    fails=True,
    inverted=False,
    draws=20,
):
    """The handout's gradcheck (random draws, h = 3, False when a mean absolute difference
    exceeds 1e-6) with its slips: comparing only some gradients, never returning False, or
    each comparison inverted (``<`` for ``>``)."""
    rng = np.random.default_rng(0)
    for _ in range(draws):
        X, Y = rng.standard_normal(2), rng.choice([-1.0, 1.0])
        Wi, bi, Wo, bo = (
            rng.standard_normal((2, 3)),
            rng.standard_normal(3),
            rng.standard_normal(3),
            rng.standard_normal(1),
        )
        analytical = gradient_nn(X, Y, Wi, bi, Wo, bo)
        numerical = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        for k in compared:
            differs = np.mean(np.abs(np.asarray(analytical[k]) - np.asarray(numerical[k]))) > 1e-6
            if fails and differs != inverted:
                return False
    return True


GRADCHECK_MISTAKES = (
    Mistake(
        "gradcheck.never_fails",
        "gradcheck that can never fail",
        "your gradcheck returns True even when every gradient is wrong: it can never fail "
        "(does it return False when a difference is too large?)",
        (partial(gradcheck_variant, fails=False),),
    ),
    Mistake(
        "gradcheck.only_wi",
        "gradcheck compares grad_s_Wi only",
        "your gradcheck compares grad_s_Wi only: a wrong grad_s_bi, grad_s_Wo or grad_s_bo passes",
        (partial(gradcheck_variant, compared=(0,)),),
    ),
    Mistake(
        "gradcheck.inverted",
        "gradcheck comparison inverted",
        "your gradcheck has its comparison inverted (< for >): it returns False as soon as two gradients agree, "
        "so it rejects a correct gradient",
        (partial(gradcheck_variant, inverted=True),),
    ),
)


# -- 3.2 ConvNet and 3.6: read from the structure, not from a variant function ---------------

CONVNET_MISTAKES = (
    Mistake(
        "convnet.pool_stride_1",
        "pool stride 1",
        "after {stage} the feature map is {got}, expected {expected}: a pooling with stride 1?",
    ),
    Mistake(
        "convnet.conv_padding",
        "padding on the convolutions",
        "after {stage} the feature map is {got}, expected {expected}: padding on the convolution?",
    ),
    Mistake(
        "convnet.conv_no_bias",
        "convolutions without bias",
        "the convolutions have no bias (bias=False)",
    ),
    Mistake(
        "convnet.fc_no_bias",
        "fully connected layers without bias",
        "the fully connected layers have no bias (bias=False)",
    ),
    Mistake(
        "convnet.relu_for_tanh",
        "ReLU instead of tanh",
        "the network uses ReLU where the handout asks for tanh",
    ),
    Mistake(
        "convnet.missing_activation",
        "activation missing from forward",
        "forward applies no tanh after {stages}: the handout's network is conv1 → tanh → pool, "
        "conv2 → tanh → pool, fc1 → tanh, fc2 (tanh before or after the pooling is the same)",
    ),
    Mistake(
        "convnet.average_pooling",
        "average pooling",
        "the network uses average pooling where the handout asks for max pooling",
    ),
)

ANSWER_MISTAKES = (
    Mistake(
        "answer_3_6.own_network",
        "3.6 counts the student's own network",
        "the answer counts your own ConvNet ({counts}), which differs from the handout's network",
    ),
)

ALL = (
    *GRADIENT_MISTAKES,
    *NUMERICAL_MISTAKES,
    *GRADCHECK_MISTAKES,
    *CONVNET_MISTAKES,
    *ANSWER_MISTAKES,
)
BY_CODE = {m.code: m for m in ALL}
