"""The A2 pack is consistent with itself and with the reference it was derived from."""

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from grader.assignment import load_assignment
from grader.assignments.a2 import known_values, public, reference_values, strategies
from grader.assignments.a2.data import FILES, double_moon_arrays
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
    from grader.kit.stage import pack_files

    shipped = pack_files(locate("a2"))
    assert "grader/assignments/a2/public.py" in shipped
    assert not [f for f in shipped if "reference_values" in f]


def test_the_projects_a2_extra_is_the_packs_dependencies():
    """tox installs the `a2` extra, Gradescope ``Pack.dependencies``: one grading environment."""
    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert project["project"]["optional-dependencies"]["a2"] == list(load_assignment("a2").pack.dependencies)


def test_the_packs_double_moon_files_are_the_references_seeded_draw():
    """The pack's files are ``python -m reference.moons grader/assignments/a2/data``'s output:
    the reference draws the same arrays from the seeds without reading the pack."""
    assert FILES == (moons.TRAIN_FILE, moons.VAL_FILE)
    for shipped, drawn in zip(double_moon_arrays(), moons.handout_data(), strict=True):
        np.testing.assert_array_equal(shipped, drawn)
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
    for truth in (public.handout_numerical_gradient, public.summed(reference.part1.gradient_nn)):
        honest = truth(*args)
        for k in range(4):
            faulty = public.pushed_off(truth, k)(args[:3], {"bi": args[3], "Wo": args[4], "bo": args[5]}, None)
            offsets = [np.unique(np.round(f - g, 9)).tolist() for f, g in zip(faulty, honest)]
            assert offsets == [[0.1] if j == k else [0.0] for j in range(4)]


def test_the_numerical_gradient_is_the_same_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch):
    rng = np.random.default_rng(5)
    args = (rng.standard_normal(4), 1, rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal(1))
    whole = public.handout_numerical_gradient(*args)
    monkeypatch.setattr(public, "NUMERICAL_CHUNK_FLOATS", 7)  # one shifted network per chunk
    for a, b in zip(public.handout_numerical_gradient(*args), whole):
        np.testing.assert_array_equal(a, b)


def test_a_network_too_large_is_refused_before_anything_is_allocated():
    """100x300 within the callback's 8 MiB: the old batched form asked for 7.5 GB and was killed."""
    d, h = 100, 300
    args = (np.ones(d), 1, np.ones((d, h)), np.ones(h), np.ones(h), np.ones(1))
    with pytest.raises(ValueError, match="too large"):
        public.handout_numerical_gradient(*args)
    truth = public.handout_numerical_gradient  # the self-check's: every stub refuses alike
    for answer in (public.pushed_off(truth, 0), public.gradient_answer(truth)):
        with pytest.raises(ValueError):  # the runtime turns it into the one fixed stub error
            answer(args, {}, None)


def _stubs(truth):
    """Every gradient_nn stub a run may give gradcheck, answering from ``truth``."""
    return [*(public.pushed_off(truth, k) for k in range(4)), public.gradient_answer(truth)]


def test_every_gradient_stub_of_a_run_answers_from_one_truth_once():
    """The same work whatever the answer: a gradcheck timing gradient_nn learns nothing."""
    calls = []
    truth = public.summed(reference.part1.gradient_nn)
    args = (np.ones(2), 1, np.ones((2, 3)), np.ones(3), np.ones(3), np.ones(1))
    for stub in _stubs(lambda *a: calls.append(1) or truth(*a)):
        stub(args, {}, None)
    assert len(calls) == 5


@settings(max_examples=40, deadline=None)
@given(strategies.network_example(kink_margin=1e-3, hidden=(1, 8)), st.integers(1, 5))
def test_a_batch_is_answered_with_the_gradient_of_the_summed_loss(example, rows):
    """As the handout's central differences are: a gradcheck that passes a batch gets the same
    kind of answer from the correct stub as from a wrong one (the reference alone refused it)."""
    rng = np.random.default_rng(rows)
    X = rng.standard_normal((rows, 2))
    Y = rng.choice([-1.0, 1.0], size=rows)
    params = [example[p] for p in ("Wi", "bi", "Wo", "bo")]
    got = public.summed(reference.part1.gradient_nn)(X, Y, *params)
    for g, want in zip(got, public.handout_numerical_gradient(X, Y, *params)):
        assert np.shape(g) == np.shape(want)
        assert np.max(np.abs(g - want)) < 1e-5 * (1 + np.max(np.abs(want)))


def test_one_example_is_the_references_own_answer():
    rng = np.random.default_rng(4)
    args = (rng.standard_normal(2), 1.0, rng.standard_normal((2, 5)), rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(1))
    for got, want in zip(public.summed(reference.part1.gradient_nn)(*args), reference.part1.gradient_nn(*args)):
        np.testing.assert_array_equal(got, want)


def test_a_batch_past_the_bound_is_refused_by_every_stub_alike():
    h = 3
    args = (np.ones((public.MAX_BATCH_ROWS + 1, 2)), 1, np.ones((2, h)), np.ones(h), np.ones(h), np.ones(1))
    for stub in _stubs(public.summed(reference.part1.gradient_nn)):
        with pytest.raises(ValueError, match="too many"):
            stub(args, {}, None)
