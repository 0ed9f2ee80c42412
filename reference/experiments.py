"""Part 1 experiments (tasks 1.5, 1.6, the learning-rate sample task, 1.8).

Each returns its numbers as plain data and saves its figures (PNG, small) into `out`.
`on_run` is called after every training run, for progress reporting; run k of an
experiment with seed s uses the seed s + k, so results are reproducible.
"""

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from reference.part1 import train_loop

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
DPI = 60


def _save(path: Path) -> str:
    plt.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close("all")
    return path.name


def _runs(data, h, lr, runs, nEpochs, seed, on_run, boundary=None):
    """`runs` trainings; the first one draws its final decision boundary if `boundary`."""
    curves = []
    for k in range(runs):
        if boundary is not None and k == 0:
            plt.figure(figsize=(4, 4))
        vis = "last" if boundary is not None and k == 0 else "never"
        tr, val = train_loop(*data, h, lr, vis=vis, nEpochs=nEpochs, rng=seed + k)
        if boundary is not None and k == 0:
            plt.title(f"h = {h}, lr = {lr}")
            _save(boundary)
        curves.append((tr, val))
        if on_run:
            on_run()
    return curves


def _finals(curves) -> dict[str, list[float]]:
    return {
        "train": [float(tr[-1]) for tr, _ in curves],
        "val": [float(val[-1]) for _, val in curves],
    }


def task_1_5(data: Data, out: Path, nEpochs: int = 100, seed: int = 0,
             on_run: Callable[[], None] | None = None) -> dict:
    """h = 7, lr = 0.02: decision boundary and training/validation error curves."""
    out = Path(out)
    (tr, val), = _runs(data, 7, 0.02, 1, nEpochs, seed, on_run, out / "task1_5_boundary.png")
    plt.figure(figsize=(5, 3))
    plt.plot(tr, label="training error")
    plt.plot(val, label="validation error")
    plt.xlabel("iteration")
    plt.ylabel("error (%)")
    plt.legend()
    figures = ["task1_5_boundary.png", _save(out / "task1_5_errors.png")]
    return {"train": float(tr[-1]), "val": float(val[-1]),
            "reached_zero_train": bool((tr == 0).any()), "figures": figures}


def task_1_6(data: Data, out: Path, runs: int = 5, nEpochs: int = 100, seed: int = 0,
             on_run: Callable[[], None] | None = None) -> dict:
    """h = 7, lr = 0.02 from `runs` initialisations: the table of final errors."""
    curves = _runs(data, 7, 0.02, runs, nEpochs, seed, on_run)
    finals = _finals(curves)
    return {**finals, "always_zero_train": all(e == 0 for e in finals["train"]), "figures": []}


def _sweep_figures(out: Path, prefix: str, name: str, values, results) -> list[str]:
    """The sample task's two figures: final errors with error bars, training-error curves."""
    x = np.arange(len(values))
    plt.figure(figsize=(5, 3))
    for split, shift in (("train", -0.05), ("val", 0.05)):
        finals = np.array([results[str(v)][split] for v in values])
        plt.errorbar(x + shift, finals.mean(1), yerr=finals.std(1), fmt="o-", capsize=3,
                     label=f"{'training' if split == 'train' else 'validation'} error")
    plt.xticks(x, [str(v) for v in values])
    plt.xlabel(name)
    plt.ylabel("final error (%)")
    plt.legend()
    figures = [_save(out / f"{prefix}_final_errors.png")]
    plt.figure(figsize=(5, 3))
    for v in values:
        curve = np.mean(results[str(v)]["curves"], axis=0)
        plt.plot(curve, label=f"{name} = {v}")
    plt.xlabel("iteration")
    plt.ylabel("mean training error (%)")
    plt.legend()
    figures.append(_save(out / f"{prefix}_train_curves.png"))
    return figures


def _sweep(data, out, prefix, name, values, h_of, lr_of, runs, nEpochs, seed, on_run,
           boundaries) -> dict:
    out = Path(out)
    results, figures = {}, []
    for v in values:
        boundary = out / f"{prefix}_boundary_{v}.png" if boundaries else None
        curves = _runs(data, h_of(v), lr_of(v), runs, nEpochs, seed, on_run, boundary)
        if boundary is not None:
            figures.append(boundary.name)
        # curves subsampled to 200 points: enough to draw, small to keep
        step = max(1, len(curves[0][0]) // 200)
        results[str(v)] = {**_finals(curves), "curves": [tr[::step] for tr, _ in curves]}
    figures += _sweep_figures(out, prefix, name, values, results)
    summary = {
        str(v): {
            "train_mean": float(np.mean(r["train"])), "train_std": float(np.std(r["train"])),
            "val_mean": float(np.mean(r["val"])), "val_std": float(np.std(r["val"])),
            "train": r["train"], "val": r["val"],
        }
        for v, r in results.items()
    }
    return {"results": summary, "figures": figures}


def sample_task_learning_rates(data: Data, out: Path, lrs=(2, 0.2, 0.02, 0.002), runs: int = 5,
                               nEpochs: int = 100, seed: int = 0,
                               on_run: Callable[[], None] | None = None) -> dict:
    """h = 7 at each learning rate, `runs` runs each."""
    return _sweep(data, out, "sample_lr", "lr", lrs, lambda v: 7, lambda v: v, runs, nEpochs,
                  seed, on_run, boundaries=False)


def task_1_8(data: Data, out: Path, hs=(1, 2, 5, 7, 10, 100), runs: int = 5,
             nEpochs: int = 100, seed: int = 0,
             on_run: Callable[[], None] | None = None) -> dict:
    """lr = 0.02 at each number of hidden units: a decision boundary per h, the two figures."""
    return _sweep(data, out, "task1_8", "h", hs, lambda v: v, lambda v: 0.02, runs, nEpochs,
                  seed, on_run, boundaries=True)
