"""The reference's PyTorch results the A2 checks compare with, computed once and shipped.

Importing torch (and the torchvision the reference's part 3 imports) costs the grader more
than grading a notebook, yet the ConvNet, train/test and 3.6 checks need only a few numbers
from the reference: its parameter shapes and counts, its outputs on the check batches with
given weights, the weights after one epoch of the given ``train()``, the accuracy ``test()``
prints. ``python -m grader.assignments.a2.reference_values`` computes them for the default
seed into ``reference_values.npz`` (a test keeps the file in sync with the reference); any
other seed computes them at first use, importing torch then.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from grader.assignments.a2 import strategies

PATH = Path(__file__).with_name("reference_values.npz")
SHIPPED_SEED = 0
#: The check batches of ``convnet.same_function``: this many images, seeded by seed + 100 + n.
BATCH_SIZES = (2, 5)


@dataclass(frozen=True)
class ReferenceValues:
    shapes: tuple[tuple[int, ...], ...]  # the ConvNet's parameters, in named_parameters order
    layers: tuple[
        tuple[tuple[int, ...], int, int], ...
    ]  # per layer: weight shape, weight count, with bias
    weights: tuple[
        np.ndarray, ...
    ]  # one array per parameter (same order): what same_function loads
    outputs: dict[int, np.ndarray]  # batch size -> the reference's output with ``weights``
    trained: tuple[
        np.ndarray, np.ndarray
    ]  # the linear network's weight and bias after train(1, ...)
    accuracy: tuple[str, str]  # what test() prints: Accuracy: correct/total

    @property
    def total(self) -> int:
        return sum(int(np.prod(s)) for s in self.shapes)


def tiny_problem(seed: int) -> dict[str, np.ndarray]:
    """The data train/test are checked on: 48 CIFAR-shaped images, a fixed linear network."""
    rng = np.random.default_rng(seed)
    return {
        "X": rng.uniform(-1, 1, size=(48, 3, 32, 32)).astype(np.float32),
        "Y": rng.integers(0, 10, size=48),
        "W": (rng.normal(size=(10, 3072)) * 0.02).astype(np.float32),
        "b": np.zeros(10, dtype=np.float32),
    }


def convnet_weights(shapes: tuple[tuple[int, ...], ...], seed: int) -> tuple[np.ndarray, ...]:
    """Seeded weights at PyTorch's default scale (uniform within 1/sqrt(fan-in) of the layer)."""
    rng = np.random.default_rng(seed)
    weights, fan_in = [], 1
    for shape in shapes:
        if len(shape) > 1:  # a weight; the bias after it shares its fan-in
            fan_in = int(np.prod(shape[1:]))
        bound = 1.0 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, size=shape).astype(np.float32))
    return tuple(weights)


@functools.cache
def values(reference: ModuleType, seed: int) -> ReferenceValues:
    """The values for ``seed``: from the shipped file for the default seed, else computed."""
    if seed == SHIPPED_SEED and PATH.exists():
        return load()
    return compute(reference, seed)


def compute(reference: ModuleType, seed: int) -> ReferenceValues:
    """Run the reference (imports torch): ConvNet shapes and outputs, train() and test()."""
    import torch

    model = reference.ConvNet()
    shapes = tuple(tuple(p.shape) for p in model.parameters())
    layers = []
    for module in model.modules():
        own = dict(module.named_parameters(recurse=False))
        if "weight" in own:
            layers.append(
                (
                    tuple(own["weight"].shape),
                    own["weight"].numel(),
                    sum(p.numel() for p in own.values()),
                )
            )
    weights = convnet_weights(shapes, seed)
    with torch.no_grad():
        for param, value in zip(model.parameters(), weights):
            param.copy_(torch.from_numpy(value))
    model.eval()
    outputs = {}
    for n in BATCH_SIZES:
        with torch.no_grad():
            outputs[n] = model(
                torch.from_numpy(strategies.cifar_batch(n, seed=seed + 100 + n))
            ).numpy()

    data = tiny_problem(seed)
    trained, _ = _run_part3(reference, data, train=True)
    _, printed = _run_part3(reference, data, train=False)
    accuracy = re.search(r"Accuracy:\s*(\d+)\s*/\s*(\d+)", printed)
    if accuracy is None:
        raise RuntimeError(f"the reference's test() printed no 'Accuracy: n/m' line: {printed!r}")
    weight, bias = trained
    return ReferenceValues(
        shapes, tuple(layers), weights, outputs, (weight, bias), (accuracy[1], accuracy[2])
    )


def _run_part3(
    reference: ModuleType, data: dict[str, np.ndarray], *, train: bool
) -> tuple[list[np.ndarray], str]:
    """The reference's train() or test() on the linear network and loader the check builds."""
    import torch

    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(
            torch.as_tensor(data["X"]), torch.as_tensor(data["Y"]).long()
        ),
        batch_size=16,
        shuffle=False,
    )
    linear = torch.nn.Linear(3072, 10)
    with torch.no_grad():
        linear.weight.copy_(torch.as_tensor(data["W"]))
        linear.bias.copy_(torch.as_tensor(data["b"]))
    net = torch.nn.Sequential(torch.nn.Flatten(), linear)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        if train:
            reference.train(
                1, net, loader, torch.optim.SGD(net.parameters(), lr=0.01), torch.device("cpu")
            )
        else:
            reference.test(net, loader, torch.device("cpu"))
    return [p.detach().numpy().copy() for p in linear.parameters()], printed.getvalue()


def save(found: ReferenceValues, path: Path = PATH) -> None:
    meta = {
        "shapes": found.shapes,
        "layers": found.layers,
        "accuracy": found.accuracy,
        "batches": list(found.outputs),
    }
    arrays = {f"output_{n}": out for n, out in found.outputs.items()}
    np.savez_compressed(
        path,
        meta=np.array(json.dumps(meta)),
        trained_weight=found.trained[0],
        trained_bias=found.trained[1],
        **arrays,
    )


def load(path: Path = PATH) -> ReferenceValues:
    with np.load(path) as stored:
        meta = json.loads(str(stored["meta"]))
        shapes = tuple(tuple(s) for s in meta["shapes"])
        return ReferenceValues(
            shapes=shapes,
            layers=tuple((tuple(w), int(c), int(t)) for w, c, t in meta["layers"]),
            weights=convnet_weights(shapes, SHIPPED_SEED),
            outputs={int(n): stored[f"output_{n}"] for n in meta["batches"]},
            trained=(stored["trained_weight"], stored["trained_bias"]),
            accuracy=tuple(meta["accuracy"]),
        )


if __name__ == "__main__":
    import reference

    save(compute(reference, SHIPPED_SEED))
    print(f"wrote {PATH}")
