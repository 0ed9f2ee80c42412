"""The A2 pack is consistent with itself and with the reference it was derived from."""

import json

import numpy as np
from hypothesis import given, settings

import reference
from grader.assignment import load_assignment
from grader.assignments.a2 import known_values, public, reference_values, strategies
from grader.assignments.a2.data import DATA_DIR, FILES, double_moon_arrays
from reference import moons


def test_rubric_totals_100_and_validates_against_the_checks():
    assignment = load_assignment("a2")
    assert assignment.rubric.max_score == 100
    assert len(assignment.checks) == len(assignment.rubric.check_names())


def test_student_view_has_no_reference_and_only_public_checks():
    public = load_assignment("a2", with_reference=False)
    assert public.reference is None
    names = public.rubric.check_names()
    assert names and all(not public.checks[n].uses_reference for n in names)
    assert not any(n.startswith(("gradient_nn.grad_", "convnet.same", "answer_3_6")) for n in names)


def test_known_values_are_the_references():
    expected = json.loads(json.dumps(known_values.generate(reference)))
    assert json.loads(known_values.PATH.read_text()) == expected
    for inputs, grads in known_values.load():
        for got, want in zip(reference.gradient_nn(**inputs), grads):
            np.testing.assert_allclose(np.asarray(got, dtype=float), want)


def test_the_shipped_reference_values_are_the_references():
    """Regenerate with ``python -m grader.assignments.a2.reference_values`` when this fails."""
    shipped, fresh = reference_values.load(), reference_values.compute(reference, reference_values.SHIPPED_SEED)
    assert (shipped.shapes, shipped.layers, shipped.accuracy) == (fresh.shapes, fresh.layers, fresh.accuracy)
    assert shipped.total == sum(p.numel() for p in reference.ConvNet().parameters())
    assert sorted(shipped.outputs) == sorted(fresh.outputs) == list(reference_values.BATCH_SIZES)
    for n, output in fresh.outputs.items():
        np.testing.assert_allclose(shipped.outputs[n], output, rtol=1e-5, atol=1e-6)
    for got, want in zip((*shipped.weights, *shipped.trained), (*fresh.weights, *fresh.trained)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_the_reference_values_of_another_seed_are_computed_not_shipped():
    other = reference_values.values(reference, reference_values.SHIPPED_SEED + 1)
    shipped = reference_values.values(reference, reference_values.SHIPPED_SEED)
    assert other.shapes == shipped.shapes and other.layers == shipped.layers
    assert not np.allclose(other.outputs[2], shipped.outputs[2])
    assert not np.allclose(other.trained[0], shipped.trained[0])


def test_the_reference_values_never_reach_the_student_kit():
    from grader.assignment import locate
    from grader.kit.stage import engine_files

    shipped = engine_files(locate("a2"))
    assert "assignments/a2/public.py" in shipped
    assert not [f for f in shipped if "reference_values" in f]


def test_the_packs_double_moon_is_the_one_the_reference_ships():
    assert moons.DATA_DIR == DATA_DIR  # one copy: the reference reads the pack's files
    for name in FILES:
        assert (DATA_DIR / name).read_bytes() == (moons.DATA_DIR / name).read_bytes()
    Xtr, Ytr, Xval, Yval = double_moon_arrays()
    assert Xtr.shape == (1000, 2) and Ytr.shape == (1000,) and set(np.unique(Ytr)) == {-1.0, 1.0}
    assert Xval.shape == (1000, 2) and Yval.shape == (1000,)


@settings(max_examples=60, deadline=None)
@given(strategies.network_example(kink_margin=1e-3, hidden=(1, 8)))
def test_the_public_numerical_gradient_is_the_references_gradient_in_its_shapes(example):
    """gradcheck.rejects_faulty's wrong gradient is this plus 0.1 in one part: the other three
    must agree with a correct gradient as closely as the handout's gradcheck compares them."""
    got = public.handout_numerical_gradient(**example)
    for g, want in zip(got, reference.part1.gradient_nn(**example)):
        assert np.shape(g) == np.shape(want)
        assert np.mean(np.abs(g - want)) < 1e-7


def test_the_faulty_gradient_is_off_by_one_tenth_in_exactly_one_part():
    rng = np.random.default_rng(3)
    args = (rng.standard_normal(2), -1, rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(1))
    honest = public.handout_numerical_gradient(*args)
    for k in range(4):
        faulty = public.pushed_off(k)(args[:3], {"bi": args[3], "Wo": args[4], "bo": args[5]}, None)
        offsets = [np.unique(np.round(f - g, 9)).tolist() for f, g in zip(faulty, honest)]
        assert offsets == [[0.1] if j == k else [0.0] for j in range(4)]
