"""The double-moon generator and the files it writes; the Part 2 stand-in image and blocks."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.io import loadmat

from reference import moons, part2


@given(n=st.integers(2, 400), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20)
def test_double_moon_is_seeded_balanced_and_in_the_window(n, seed):
    X, Y = moons.double_moon(n, seed)
    X2, Y2 = moons.double_moon(n, seed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    assert X.shape == (n, 2) and X.dtype == np.float64 and Y.shape == (n,)
    assert set(np.unique(Y)) <= {-1.0, 1.0} and abs(np.sum(Y)) <= 1
    assert np.all((X[:, 0] > -2) & (X[:, 0] < 4) & (X[:, 1] > -5) & (X[:, 1] < 3))


def test_the_files_written_load_as_the_notebook_loads_them(tmp_path):
    train, val = moons.write_double_moon_files(tmp_path)
    raw = loadmat(train)
    assert raw["X"].shape == (1000, 2) and raw["Y"].shape == (1000, 1)
    Xtr, Ytr, Xval, Yval = moons.handout_data()
    for (X, Y), path in (((Xtr, Ytr), train), ((Xval, Yval), val)):
        X2, Y2 = moons.load_double_moon(path)
        np.testing.assert_array_equal(X, X2)
        np.testing.assert_array_equal(Y, Y2)
    assert Ytr.shape == Yval.shape == (1000,)
    assert not np.array_equal(Xtr, Xval)


def test_building_blocks_shapes_and_filters():
    im = part2.load_image()
    assert im.shape == (1, 3, 128, 128) and 0 <= im.min() and im.max() <= 1
    blocks = part2.building_blocks(im)
    assert blocks["conv"].shape == (1, 10, 124, 124)
    assert blocks["conv_stride8"].shape == (1, 10, 16, 16)
    assert blocks["conv_pad2"].shape == (1, 10, 128, 128)
    assert blocks["maxpool15"].shape == (1, 3, 114, 114)
    assert torch.all(blocks["laplacian_relu"] >= 0)


def test_laplacian_sums_the_channels_and_ignores_flat_regions():
    w = part2.laplacian_filter()
    assert w.shape == (1, 3, 3, 3)
    flat = torch.full((1, 3, 9, 9), 0.7)
    assert torch.allclose(part2.convolve(flat, w), torch.zeros(1, 1, 7, 7), atol=1e-6)
    im = part2.load_image()
    summed = part2.convolve(im.sum(1, keepdim=True), w[:, :1])
    assert torch.allclose(part2.convolve(im, w), summed, atol=1e-5)


def test_max_pool_is_a_dilation():
    im = torch.zeros(1, 1, 20, 20)
    im[0, 0, 10, 10] = 1.0
    pooled = part2.max_pool(im, 5, 1)
    assert pooled.shape == (1, 1, 16, 16) and pooled.sum() == 25
