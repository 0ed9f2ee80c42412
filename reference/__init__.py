"""Reference solution of every A2 task (instructor side only; never shipped to students).

Re-exports the handout's names, so that a student's function and the reference are called
the same way (``reference.gradient_nn(X, Y, Wi, bi, Wo, bo)``). The re-exports are lazy
(PEP 562): importing ``reference.part1`` does not pay for importing torch.
"""

import importlib

_EXPORTS = {
    "reference.part1": (
        "sigm", "nnet_forward_logloss", "decision_boundary_nnet", "gradient_nn",
        "sumelement_matrix", "sumelement_vector", "gradient_nn_numerical", "gradcheck",
        "train_loop",
    ),
    "reference.moons": ("double_moon", "load_double_moon", "handout_data"),
    "reference.part3": (
        "transform", "Net", "ConvNet", "train", "test", "parameter_counts", "cifar10_datasets",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [  # noqa: RUF022 - grouped by module, as in _EXPORTS
    "sigm", "nnet_forward_logloss", "decision_boundary_nnet", "gradient_nn",
    "sumelement_matrix", "sumelement_vector", "gradient_nn_numerical", "gradcheck",
    "train_loop", "double_moon", "load_double_moon", "handout_data", "transform", "Net",
    "ConvNet", "train", "test", "parameter_counts", "cifar10_datasets",
]


def __getattr__(name: str):
    if name in _MODULE_OF:
        return getattr(importlib.import_module(_MODULE_OF[name]), name)
    raise AttributeError(f"module 'reference' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
