"""Engine helpers a grader calls as ``"@name"``: generic PyTorch/NumPy operations on handles.

They run inside the student's process (the model lives there) and return plain data, so a
check can inspect a student's ``nn.Module`` without the module ever crossing the wire.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

import numpy as np


def _torch() -> Any:
    import torch

    return torch


def module_parameters(module: Any) -> list[list]:
    """[[name, shape], ...] in named_parameters order."""
    return [[name, list(p.shape)] for name, p in module.named_parameters()]


def load_parameters(module: Any, arrays: list) -> None:
    """Copy ``arrays`` into the parameters, in named_parameters order; shapes must match."""
    torch = _torch()
    params = list(module.named_parameters())
    if len(params) != len(arrays):
        raise ValueError(
            f"the module has {len(params)} parameters, {len(arrays)} arrays were given"
        )
    with torch.no_grad():
        for (name, p), a in zip(params, arrays):
            a = np.asarray(a)
            if tuple(p.shape) != a.shape:
                raise ValueError(
                    f"parameter {name} has shape {tuple(p.shape)}, the array {a.shape}"
                )
            p.copy_(torch.from_numpy(a).to(p.dtype))


def forward(module: Any, x: Any) -> Any:
    """The module's output on ``x`` in eval mode without gradients, as an array.

    ``x`` is best sent with ``as_tensor``; a plain array is taken as float32.
    """
    torch = _torch()
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            return module(x)
    finally:
        module.train(was_training)


def materialise(module: Any, x: Any) -> bool:
    """Run one forward pass on ``x`` if the module has lazy parameters or buffers (``nn.LazyLinear``):
    until then they have no shape, so they can be neither counted nor loaded. Whether it ran."""
    from torch.nn.parameter import is_lazy

    if not any(is_lazy(t) for t in (*module.parameters(), *module.buffers())):
        return False
    forward(module, x)
    return True


#: The activations a layer trace records, the common ones all: a stage without any is told apart
#: from one with an activation other than the one asked for.
ACTIVATIONS = (
    "tanh", "relu", "sigmoid", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
    "hardtanh", "relu6", "softplus", "softsign", "tanhshrink", "logsigmoid", "hardsigmoid",
    "hardswish", "prelu", "rrelu", "softmax", "log_softmax",
)  # fmt: skip
#: The torch functions a layer trace records: the layers and activations an architecture is read from.
TRACED = (
    "conv2d", "max_pool2d", "avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool2d", "linear",
    *ACTIVATIONS,
)  # fmt: skip
WEIGHTED = ("conv2d", "linear")


def layer_trace(module: Any, x: Any) -> dict:
    """The layers a forward pass on ``x`` went through, in order, as plain data.

    Recorded with a ``TorchFunctionMode``, so a layer counts whether it is an ``nn.Module``
    or a functional call (``F.max_pool2d``) and under whatever name: ``{"layers": [[op,
    input shape, output shape, has a bias], ...], "error": None or what the forward raised}``.
    A forward that raises keeps the layers recorded before it, which is what explains it.
    """
    torch = _torch()
    from torch.overrides import TorchFunctionMode

    layers: list[list] = []

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            # in-place forms count as their function: torch.tanh_, F.relu(inplace=True)
            op = getattr(func, "__name__", "").strip("_").removesuffix("_with_indices")
            if op in TRACED and args and isinstance(args[0], torch.Tensor):
                first = out[0] if isinstance(out, tuple) else out
                bias = (args[2] if len(args) > 2 else kwargs.get("bias")) if op in WEIGHTED else None
                layers.append([op, list(args[0].shape), list(getattr(first, "shape", ())), bias is not None])
            return out

    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    was_training = module.training
    module.eval()
    error = None
    try:
        with torch.no_grad(), Recorder():
            module(x)
    except Exception as exc:  # noqa: BLE001 - the failure is part of what is reported
        error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        module.train(was_training)
    return {"layers": layers, "error": error}


def used_parameters(module: Any, x: Any) -> list[list]:
    """[[layer, shape], ...]: the trainable tensors a forward pass on ``x`` uses, in first-use
    order, each once, as the torch functions it calls receive them; ``layer`` names the call
    (``conv2d#0``) so that a weight and its bias share one.

    What the grader counts is what the network computes with and training would update (a
    leaf tensor that requires a gradient), observed on the way: a module's own description
    (``named_parameters``, ``parameters``, ``state_dict``) is its code's to override.
    """
    torch = _torch()
    from torch.overrides import TorchFunctionMode

    seen: dict[int, list] = {}
    calls = [0]

    def trainable(t: Any) -> bool:
        return isinstance(t, torch.Tensor) and t.is_leaf and t.requires_grad

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
            kwargs = kwargs or {}
            used = [t for t in (*args, *kwargs.values()) if trainable(t) and id(t) not in seen]
            if used:
                layer = f"{getattr(func, '__name__', 'op').strip('_')}#{calls[0]}"
                calls[0] += 1
                for t in used:
                    seen[id(t)] = [layer, list(t.shape)]
            return func(*args, **kwargs)

    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), Recorder():
            module(x)
    finally:
        module.train(was_training)
    return list(seen.values())


def parameter_count(module: Any) -> int:
    """Number of scalar parameters."""
    return int(sum(p.numel() for p in module.parameters()))


def seed(n: int) -> None:
    """Seed random, numpy and torch: the one seeding of a submission's processes (the builder,
    each call worker, a check's ``"@seed"``).

    Torch only once the process has imported it: importing it here, in a confined builder,
    would load torch into a submission that never uses it (a torch imported later starts from
    its own fixed seed, so the run stays reproducible).
    """
    random.seed(n)
    np.random.seed(n % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(n)


def state_arrays(module: Any) -> list:
    """All parameters as arrays, named_parameters order."""
    return [p.detach().cpu().numpy().copy() for _, p in module.named_parameters()]


HELPERS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        module_parameters, load_parameters, forward, materialise, layer_trace, used_parameters,
        parameter_count, seed, state_arrays,
    )
}
