"""The catalogue of known mistakes: each variant really differs from the reference on the
inputs of the checks it explains, and matching claims only what holds on every input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import reference
from grader.assignments.a2 import diagnosis, known_values, mistakes
from grader.runtime.helpers import layer_trace

KNOWN_INPUTS = [example for example, _ in known_values.load()]


def forms(catalogue):
    return [
        pytest.param(m, f, id=f"{m.code}[{i}]") for m in catalogue for i, f in enumerate(m.forms)
    ]


def differs(outputs, expected, tolerance) -> bool:
    return any(
        not diagnosis.same(o[k], e[k], **tolerance)
        for o, e in zip(outputs, expected)
        for k in range(4)
    )


def test_the_unchanged_variants_are_the_reference():
    for example in diagnosis.probe_inputs():
        for got, want in zip(mistakes.chain_rule(**example), reference.gradient_nn(**example)):
            np.testing.assert_allclose(got, want)
        for got, want in zip(
            mistakes.finite_difference(**example), reference.gradient_nn_numerical(**example)
        ):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("mistake", "form"), forms(mistakes.GRADIENT_MISTAKES))
@pytest.mark.parametrize("inputs", ["known values", "probes"])
def test_each_gradient_variant_differs_from_the_reference(mistake, form, inputs):
    examples = KNOWN_INPUTS if inputs == "known values" else diagnosis.probe_inputs()
    expected = [reference.gradient_nn(**e) for e in examples]
    assert differs([form(**e) for e in examples], expected, diagnosis.ANALYTICAL_TOLERANCE)


@pytest.mark.parametrize(("mistake", "form"), forms(mistakes.NUMERICAL_MISTAKES))
@pytest.mark.parametrize("inputs", ["known values", "probes"])
def test_each_numerical_variant_differs_from_the_reference(mistake, form, inputs):
    examples = KNOWN_INPUTS if inputs == "known values" else diagnosis.probe_inputs()
    expected = [reference.gradient_nn(**e) for e in examples]
    assert differs([form(**e) for e in examples], expected, diagnosis.NUMERICAL_TOLERANCE)


def _verdicts(gradcheck) -> list[bool]:
    return [
        gradcheck(diagnosis._scenario_gradient(s), mistakes.chain_rule)
        for s in mistakes.GRADCHECK_SCENARIOS
    ]


def test_the_reference_gradcheck_accepts_the_correct_gradient_only():
    assert _verdicts(mistakes.gradcheck_variant) == [True, False, False, False, False]


@pytest.mark.parametrize(("mistake", "form"), forms(mistakes.GRADCHECK_MISTAKES))
def test_each_gradcheck_variant_differs_from_the_reference(mistake, form):
    verdicts = _verdicts(form)
    assert verdicts != _verdicts(mistakes.gradcheck_variant)
    others = [_verdicts(m.forms[0]) for m in mistakes.GRADCHECK_MISTAKES if m is not mistake]
    assert verdicts not in others  # each one is told apart from the others


def test_forms_of_different_mistakes_never_coincide_on_the_probes():
    examples = diagnosis.probe_inputs()
    outputs = {
        (m.code, i): [f(**e) for e in examples]
        for m in (*mistakes.GRADIENT_MISTAKES, *mistakes.NUMERICAL_MISTAKES)
        for i, f in enumerate(m.forms)
    }
    for (code_a, i), a in outputs.items():
        for (code_b, j), b in outputs.items():
            if code_a < code_b:
                assert differs(a, b, diagnosis.NUMERICAL_TOLERANCE), (code_a, i, code_b, j)


# -- matching --------------------------------------------------------------------------------


def _match(student_fn, subject=diagnosis.ALL_FOUR):
    examples = diagnosis.probe_inputs()
    student = [list(student_fn(**e)) for e in examples]
    return diagnosis.match_functions(
        student,
        examples,
        mistakes.chain_rule,
        mistakes.GRADIENT_MISTAKES,
        subject,
        diagnosis.ANALYTICAL_TOLERANCE,
    )


def test_a_variant_explains_only_the_gradients_it_changes():
    (found,) = _match(lambda **e: mistakes.chain_rule(**e, transpose_wi=True))
    assert found.code == "gradient_nn.wi_transposed"
    assert (
        found.message
        == "your grad_s_Wi is the transpose of the expected one (h × d instead of d × h)"
    )


def test_a_mistake_in_some_gradients_only_is_named_for_those():
    def sign_of_bo_flipped(**e):
        g = list(reference.gradient_nn(**e))
        g[3] = -g[3]
        return g

    (found,) = _match(sign_of_bo_flipped)
    assert found.code == "gradient_nn.sign_flipped"
    assert "your grad_s_bo" in found.message and "grad_s_Wi" not in found.message
    assert _match(sign_of_bo_flipped, subject=(0,)) == ()  # the Wi check is not explained by it


def test_two_mistakes_in_different_gradients_are_both_named():
    def two(**e):
        g = list(mistakes.chain_rule(**e, mask=False))
        g[2] = mistakes.chain_rule(**e, wo_from_z=True)[2]
        return g

    assert {d.code for d in _match(two)} == {
        "gradient_nn.no_relu_mask",
        "gradient_nn.wo_without_relu",
    }


def test_nothing_is_claimed_for_an_unknown_mistake_or_a_correct_gradient():
    def scaled(**e):
        return [3.0 * np.asarray(g) for g in reference.gradient_nn(**e)]

    assert _match(scaled) == ()
    assert _match(reference.gradient_nn) == ()


def _with_dyo(dyo):
    """gradient_nn written as a student would, with ∂s/∂Yo computed by ``dyo(Y, Yo)``."""

    def gradient(X, Y, Wi, bi, Wo, bo):
        Z = X @ Wi + bi
        H = np.maximum(Z, 0)
        d = dyo(Y, H @ Wo + bo)
        return np.outer(X, d * Wo * (Z > 0)), d * Wo * (Z > 0), d * H, d

    return gradient


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize(
    ("dyo", "code", "said"),
    [
        (lambda Y, Yo: Y * _sigmoid(Y * Yo), "gradient_nn.sign_inside_and_outside", "Y·σ(Y·Yo)"),
        (lambda Y, Yo: -Y * _sigmoid(Y * Yo), "gradient_nn.sign_inside_sigmoid", "−Y·σ(Y·Yo)"),
        (lambda Y, Yo: Y * _sigmoid(-Yo), "gradient_nn.sigmoid_argument_sign_outside", "Y·σ(−Yo)"),
        (lambda Y, Yo: -Y * _sigmoid(Yo), "gradient_nn.sigmoid_argument_sign_inside", "−Y·σ(Yo)"),
        (lambda Y, Yo: Y * _sigmoid(Yo), "gradient_nn.sigmoid_argument_both_signs", "Y·σ(Yo)"),
        (lambda Y, Yo: Y * _sigmoid(-Y * Yo), "gradient_nn.sign_flipped", "flipped"),
        (lambda Y, Yo: -Y * _sigmoid(-Yo), "gradient_nn.sigmoid_argument", "σ of −Yo"),
    ],
)
def test_each_sign_slip_around_sigma_is_named_as_itself(dyo, code, said):
    (found,) = _match(_with_dyo(dyo))
    assert found.code == code
    assert said in found.message
    assert "your grad_s_Wi and grad_s_bi and grad_s_Wo and grad_s_bo" in found.message  # ∂s/∂Yo feeds all four


def test_a_match_on_some_inputs_only_is_no_match():
    examples = diagnosis.probe_inputs()
    student = [list(mistakes.chain_rule(**e, mask=False)) for e in examples]
    student[0] = list(reference.gradient_nn(**examples[0])[:3]) + [np.array([7.0])]
    found = diagnosis.match_functions(
        student,
        examples,
        mistakes.chain_rule,
        mistakes.GRADIENT_MISTAKES,
        (0, 1),
        diagnosis.ANALYTICAL_TOLERANCE,
    )
    assert found == ()
    assert (
        diagnosis.match_functions(
            None, examples, mistakes.chain_rule, mistakes.GRADIENT_MISTAKES, (0,), {}
        )
        == ()
    )


# -- the ConvNet's structure -----------------------------------------------------------------


class Net(nn.Module):
    """The handout's ConvNet with the knobs real submissions turn."""

    def __init__(
        self,
        *,
        stride=2,
        padding=0,
        conv_bias=True,
        fc_bias=True,
        act=torch.tanh,
        pool=nn.MaxPool2d,
    ):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5, padding=padding, bias=conv_bias)
        self.conv2 = nn.Conv2d(16, 128, 5, padding=padding, bias=conv_bias)
        self.pool = pool(2, stride=stride)
        self.act = act
        with torch.no_grad():
            flat = self.features(torch.zeros(1, 3, 32, 32)).numel()
        self.fc1 = nn.Linear(flat, 64, bias=fc_bias)
        self.fc2 = nn.Linear(64, 10, bias=fc_bias)

    def features(self, x):
        return self.pool(self.act(self.conv2(self.pool(self.act(self.conv1(x))))))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(self.features(x).flatten(1))))


def structure(model) -> tuple[set[str], int]:
    found = diagnosis.convnet_structure(layer_trace(model, torch.zeros(2, 3, 32, 32)))
    return {d.code for d in found}, sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    ("knobs", "codes", "count"),
    [
        ({}, set(), 258_058),
        ({"stride": 1}, {"convnet.pool_stride_1"}, 4_018_186),
        ({"padding": 2}, {"convnet.conv_padding"}, 577_546),
        (
            {"padding": 2, "conv_bias": False},
            {"convnet.conv_padding", "convnet.conv_no_bias"},
            577_402,
        ),
        ({"conv_bias": False}, {"convnet.conv_no_bias"}, 257_914),
        (
            {"conv_bias": False, "fc_bias": False},
            {"convnet.conv_no_bias", "convnet.fc_no_bias"},
            257_840,
        ),
        ({"act": torch.relu}, {"convnet.relu_for_tanh"}, 258_058),
        ({"pool": nn.AvgPool2d}, {"convnet.average_pooling"}, 258_058),
    ],
)
def test_the_handouts_real_mistakes_are_read_from_the_structure(knobs, codes, count):
    assert structure(Net(**knobs)) == (codes, count)


def test_the_reference_convnet_has_no_structural_mistake():
    assert structure(reference.ConvNet()) == (set(), 258_058)


def test_the_stage_where_a_mistake_shows_is_named_with_its_shapes():
    found = diagnosis.convnet_structure(layer_trace(Net(stride=1), torch.zeros(2, 3, 32, 32)))
    assert [d.message for d in found] == [
        "after the first pooling the feature map is 16×27×27, expected 16×14×14: a pooling with stride 1?"
    ]


def test_a_forward_that_raises_is_still_read_up_to_the_failure():
    class Broken(Net):
        def forward(self, x):
            return self.fc2(self.fc1(self.features(x).view(-1, 3200)))

    model = Broken(padding=2)
    model.fc1 = nn.Linear(3200, 64)
    trace = layer_trace(model, torch.zeros(2, 3, 32, 32))
    assert trace["error"] and "3200" in trace["error"]
    assert {d.code for d in diagnosis.convnet_structure(trace)} == {"convnet.conv_padding"}


class Stages(Net):
    """The handout's ConvNet written stage by stage, each stage's activation replaceable (None: none)."""

    def __init__(self, conv1=torch.tanh, conv2=torch.tanh, fc1=torch.tanh, pool_first=False):
        super().__init__()
        self.acts = {"conv1": conv1, "conv2": conv2, "fc1": fc1}
        self.pool_first = pool_first

    def stage(self, name, x):
        act = self.acts[name] or (lambda y: y)
        return self.pool(act(x)) if not self.pool_first else act(self.pool(x))

    def forward(self, x):
        x = self.stage("conv2", self.conv2(self.stage("conv1", self.conv1(x))))
        x = self.fc1(x.flatten(1))
        return self.fc2(self.acts["fc1"](x) if self.acts["fc1"] else x)


@pytest.mark.parametrize(
    ("knobs", "said"),
    [
        ({"conv2": None}, "conv2"),
        ({"fc1": None}, "fc1"),
        ({"conv1": None, "pool_first": True}, "conv1"),
        ({"conv1": None, "fc1": None}, "conv1 and fc1"),
    ],
)
def test_a_stage_without_its_activation_is_named(knobs, said):
    (found,) = diagnosis.convnet_structure(layer_trace(Stages(**knobs), torch.zeros(2, 3, 32, 32)))
    assert found.code == "convnet.missing_activation"
    assert found.message.startswith(f"forward applies no tanh after {said}: the handout's network is conv1 → tanh")


@pytest.mark.parametrize(
    ("knobs", "codes"),
    [
        ({"pool_first": True}, set()),  # tanh and max pooling commute
        ({"conv1": torch.Tensor.tanh_, "conv2": nn.Tanh(), "fc1": nn.functional.tanh}, set()),  # in place, module, functional
        ({"conv1": nn.ReLU(inplace=True), "conv2": torch.relu, "fc1": nn.functional.relu}, {"convnet.relu_for_tanh"}),
        ({"conv1": nn.functional.leaky_relu, "conv2": nn.ELU(), "fc1": nn.functional.gelu}, set()),  # other activations: no stage is bare
    ],
)
def test_every_stage_with_an_activation_has_none_missing(knobs, codes):
    assert structure(Stages(**knobs))[0] == codes


def test_a_forward_that_raises_is_judged_on_the_stages_it_completed():
    class Broken(Stages):
        def forward(self, x):
            x = self.stage("conv2", self.conv2(self.stage("conv1", self.conv1(x))))
            return self.fc1(x)  # raises: the 128×5×5 maps are not flattened

    trace = layer_trace(Broken(conv1=None, conv2=None), torch.zeros(2, 3, 32, 32))
    assert trace["error"]
    (found,) = diagnosis.convnet_structure(trace)
    assert "no tanh after conv1:" in found.message  # conv2 is the last stage the trace reached
