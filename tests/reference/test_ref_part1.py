"""Properties of the Part 1 reference: gradients, numerics, self-containedness, training."""

import inspect
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reference import moons, part1

INJECTABLE = (
    part1.sigm, part1.nnet_forward_logloss, part1.gradient_nn, part1.sumelement_matrix,
    part1.sumelement_vector, part1.gradient_nn_numerical,
)


def draw_network(seed: int, h: int, bo_shape: tuple):
    """One example and N(0, 1) parameters, as the handout's gradcheck draws them."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal(2)
    Wi, bi, Wo = rng.standard_normal((2, h)), rng.standard_normal(h), rng.standard_normal(h)
    bo = rng.standard_normal(1) if bo_shape == (1,) else float(rng.standard_normal())
    return X, Wi, bi, Wo, bo


@given(seed=st.integers(0, 2**32 - 1), h=st.integers(1, 20), Y=st.sampled_from([-1, 1]),
       bo_shape=st.sampled_from([(), (1,)]))
def test_analytical_gradient_matches_central_differences(seed, h, Y, bo_shape):
    X, Wi, bi, Wo, bo = draw_network(seed, h, bo_shape)
    # central differences are wrong within eps of a ReLU kink
    assume(np.all(np.abs(X @ Wi + bi) > 1e-4))
    analytical = part1.gradient_nn(X, Y, Wi, bi, Wo, bo)
    numerical = part1.gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
    for g, g_num, shape in zip(analytical, numerical, [(2, h), (h,), (h,), bo_shape]):
        assert np.shape(g) == shape and np.shape(g_num) == shape
        np.testing.assert_allclose(g, g_num, rtol=1e-5, atol=1e-7)


def test_gradcheck_passes_for_the_reference():
    assert part1.gradcheck(0) is True


def test_gradcheck_fails_for_a_gradient_without_the_relu_mask(monkeypatch):
    correct = part1.gradient_nn

    def no_relu_mask(X, Y, Wi, bi, Wo, bo):
        _, gbi, gWo, gbo = correct(X, Y, Wi, bi, Wo, bo)
        gbi = gbo * Wo  # forgets the indicator of active units
        return np.outer(X, gbi), gbi, gWo, gbo

    monkeypatch.setattr(part1, "gradient_nn", no_relu_mask)
    assert part1.gradcheck(0) is False


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), h=st.integers(1, 10))
@settings(max_examples=20)
def test_batch_forward_is_the_per_example_forward(seed, n, h):
    rng = np.random.default_rng(seed)
    X, Y = rng.standard_normal((n, 2)), rng.choice([-1.0, 1.0], n)
    Wi, bi, Wo, bo = (rng.standard_normal((2, h)), rng.standard_normal(h),
                      rng.standard_normal(h), rng.standard_normal(1))
    Po, Yo, loss = part1.nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)
    assert Po.shape == Yo.shape == loss.shape == (n,)
    for k in range(n):
        po, yo, lk = part1.nnet_forward_logloss(X[k], Y[k], Wi, bi, Wo, bo)
        np.testing.assert_allclose([po, yo, lk], [[Po[k]], [Yo[k]], [loss[k]]])
    np.testing.assert_allclose(loss, np.log1p(np.exp(-Y * Yo)), rtol=1e-12)
    np.testing.assert_allclose(Po, 1 / (1 + np.exp(-Yo)), rtol=1e-12)


@pytest.mark.parametrize("scale", [1e3, 1e5])
def test_no_floating_point_warning_for_large_outputs(scale):
    X = np.array([[3.0, -2.0], [-1.0, 4.0]])
    Wi, bi, Wo = np.ones((2, 4)), np.ones(4), np.full(4, scale)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for Y in (np.array([1.0, -1.0]), np.array([-1.0, 1.0])):
            Po, Yo, loss = part1.nnet_forward_logloss(X, Y, Wi, bi, Wo, np.array([-scale]))
            assert np.all(np.abs(Yo) >= scale)
            np.testing.assert_allclose(loss, np.maximum(-Y * Yo, 0), rtol=1e-12, atol=1e-12)
            assert np.all((Po < 1e-300) | (Po == 1))
            grads = part1.gradient_nn(X[0], Y[0], Wi, bi, Wo, -scale)
            grads_num = part1.gradient_nn_numerical(X[0], Y[0], Wi, bi, Wo, -scale)
            assert all(np.all(np.isfinite(g)) for g in grads + grads_num)
        assert part1.sigm(-1e308) < 1e-300 and part1.sigm(1e308) == 1


def test_sumelement_helpers_return_shifted_copies():
    M, v = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    M2, v2 = part1.sumelement_matrix(M, 1, 2, 0.5), part1.sumelement_vector(v, 0, -1.0)
    assert M2[1, 2] == 5.5 and M[1, 2] == 5.0 and np.sum(M2 != M) == 1
    assert v2[0] == -1.0 and v[0] == 0.0 and np.sum(v2 != v) == 1


def test_injectable_functions_need_only_numpy_and_each_other():
    allowed = {"np"} | {f.__name__ for f in INJECTABLE}
    for f in INJECTABLE:
        assert set(inspect.getclosurevars(f).globals) <= allowed, f.__name__
        assert not f.__code__.co_freevars and not inspect.getsource(f).startswith("@")
    namespace = {"np": np}
    for f in INJECTABLE:
        exec(inspect.getsource(f), namespace)  # noqa: S102 - what the grader does
    X, Wi, bi, Wo, bo = draw_network(3, 5, (1,))
    for ours, theirs in zip(part1.gradient_nn_numerical(X, 1, Wi, bi, Wo, bo),
                            namespace["gradient_nn_numerical"](X, 1, Wi, bi, Wo, bo)):
        np.testing.assert_array_equal(ours, theirs)


@pytest.fixture(scope="module")
def shipped():
    return moons.handout_data()


@pytest.mark.slow
def test_h7_lr002_reaches_zero_training_error_on_most_seeds(shipped):
    reached = [
        (part1.train_loop(*shipped, 7, 0.02, vis="never", nEpochs=30, rng=seed)[0] == 0).any()
        for seed in range(3)
    ]
    assert sum(reached) >= 2, reached


def test_h1_underfits(shipped):
    tr_error, val_error = part1.train_loop(*shipped, 1, 0.02, vis="never", nEpochs=5, rng=0)
    assert tr_error[-1] > 3 and val_error[-1] > 3


def test_train_loop_honours_lr_and_seed(shipped):
    Xtr, Ytr, Xval, Yval = (a[:100] for a in shipped)
    frozen, _ = part1.train_loop(Xtr, Ytr, Xval, Yval, 3, 0.0, vis="never", nEpochs=2, rng=1)
    assert frozen.shape == (200,) and np.all(frozen == 100)  # Yo stays 0: sign 0 is wrong
    a = part1.train_loop(Xtr, Ytr, Xval, Yval, 3, 0.2, vis="never", nEpochs=2, rng=1)
    b = part1.train_loop(Xtr, Ytr, Xval, Yval, 3, 0.2, vis="never", nEpochs=2, rng=1)
    np.testing.assert_array_equal(a, b)
    assert a[0][-1] < 100


def test_train_loop_last_draws_the_decision_boundary(shipped):
    import matplotlib.pyplot as plt

    fig = plt.figure()
    part1.train_loop(*(a[:50] for a in shipped), 2, 0.02, vis="last", nEpochs=1, rng=0)
    ax = fig.axes[0]
    assert ax.get_xlim() == (-2, 4) and ax.get_ylim() == (-5, 3)
    assert len(ax.collections) >= 3  # regions and the two classes of points
    plt.close(fig)
