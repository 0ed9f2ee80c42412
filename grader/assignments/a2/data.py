"""The double-moon data the A2 checks train on: the same files the notebook loads."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from scipy.io import loadmat

DATA_DIR = Path(__file__).with_name("data")
FILES = ("double_moon_train1000.mat", "double_moon_val1000.mat")


@cache
def double_moon_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(Xtr, Ytr, Xval, Yval) as float64, labels flattened to (N,)."""
    (xtr, ytr), (xval, yval) = (_inputs_and_labels(name) for name in FILES)
    return xtr, ytr, xval, yval


def _inputs_and_labels(name: str) -> tuple[np.ndarray, np.ndarray]:
    data = loadmat(DATA_DIR / name)
    return np.asarray(data["X"], dtype=np.float64), np.ravel(data["Y"]).astype(np.float64)


def data_files() -> dict[str, bytes]:
    """The files a notebook may load, for the student runtime's working directory."""
    return {name: (DATA_DIR / name).read_bytes() for name in FILES}
