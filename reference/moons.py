"""The double-moon data set: a seeded generator and the .mat files the notebook loads.

The course's ``double_moon_train1000.mat`` / ``double_moon_val1000.mat`` were downloaded from
a site the harness cannot reach, so the shipped files are regenerated here from fixed seeds:
two interleaved half-annuli (Haykin's classic double moon: radius 10, width 6, distance -4),
scaled and offset to sit in the decision-boundary window x in [-2, 4], y in [-5, 3], centred
on the origin: the network's hidden units start as lines through the origin (bi = 0), so
centred moons let h = 7, lr = 0.02 reach 0% training error within ~25 epochs on most seeds.

The files live in the A2 pack (``grader/assignments/a2/data/``), their one copy: the student kit
ships them with the pack's checks, without the reference. The reference never reads them (it
never imports the pack): it draws the same arrays from the same seeds (``handout_data``), and
``python -m reference.moons grader/assignments/a2/data`` writes the files there.
"""

import argparse
from pathlib import Path

import numpy as np
from scipy.io import loadmat, savemat

TRAIN_FILE = "double_moon_train1000.mat"
VAL_FILE = "double_moon_val1000.mat"
TRAIN_SEED = 1
VAL_SEED = 2

_RADIUS, _WIDTH, _DISTANCE = 10.0, 6.0, -4.0
# maps the classic moons' extent x in [-13, 23], y in [-9, 13] (centre (5, 2)) onto
# x in [-1.98, 1.98], y in [-2.97, 2.97]
_SCALE = np.array([0.11, 0.27])
_OFFSET = -np.array([5.0, 2.0]) * _SCALE


def double_moon(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points (n x 2 float64) and labels (n,) in {-1, +1}: +1 upper moon, -1 lower moon."""
    rng = np.random.default_rng(seed)
    n_up = n - n // 2
    radius = _RADIUS + _WIDTH * (rng.random(n) - 0.5)
    angle = np.pi * rng.random(n)
    upper = np.arange(n) < n_up
    x = np.where(upper, radius * np.cos(angle), _RADIUS + radius * np.cos(angle))
    y = np.where(upper, radius * np.sin(angle), -_DISTANCE - radius * np.sin(angle))
    X = np.c_[x, y] * _SCALE + _OFFSET
    Y = np.where(upper, 1.0, -1.0)
    order = rng.permutation(n)
    return X[order], Y[order]


def write_double_moon_files(folder: Path, n: int = 1000) -> list[Path]:
    """Regenerate the two .mat files from their seeds (X N x 2, Y N x 1, as MATLAB saves)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, seed in ((TRAIN_FILE, TRAIN_SEED), (VAL_FILE, VAL_SEED)):
        X, Y = double_moon(n, seed)
        path = folder / name
        savemat(path, {"X": X, "Y": Y.reshape(-1, 1)}, do_compression=True)
        paths.append(path)
    return paths


def load_double_moon(path) -> tuple[np.ndarray, np.ndarray]:
    """What the notebook does: loadmat, X as stored (N x 2), Y flattened to (N,)."""
    data = loadmat(path)
    return data["X"], data["Y"].flatten()


def handout_data(n: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Xtr, Ytr, Xval, Yval: the arrays the shipped files hold (drawn from their seeds)."""
    Xtr, Ytr = double_moon(n, TRAIN_SEED)
    Xval, Yval = double_moon(n, VAL_SEED)
    return Xtr, Ytr, Xval, Yval


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="write the two double-moon .mat files")
    parser.add_argument("folder", type=Path, help="where (the A2 pack's: grader/assignments/a2/data)")
    for p in write_double_moon_files(parser.parse_args().folder):
        print(p)
