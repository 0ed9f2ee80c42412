"""What a notebook written for Colab needs to be rebuilt here (runs inside the student process).

- **Stand-in modules.** Students import what their machine had (``pandas``, ``tqdm``,
  ``torchsummary``, ``google.colab``...). An import of a module the grading environment lacks
  would fail the whole statement, and with it every name the cell defines after it; instead the
  module becomes an inert stand-in, the statement goes on, and the report notes it. Anything
  done with a stand-in's contents (calling ``tqdm(...)``, ``pd.DataFrame(...)``) raises
  ``ModuleNotFoundError`` naming the module, so graded code that really uses it fails with a
  message that says why.
- **CUDA on a CPU.** ``.cuda()`` and ``.to("cuda")`` on tensors and modules stay on the CPU when
  no GPU is there, as ``Net().to(device)`` in a notebook run on Colab expects.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any


def _unavailable(name: str) -> ModuleNotFoundError:
    return ModuleNotFoundError(
        f"{name} is not installed where the notebook is graded "
        "(its import was replaced by a stand-in, which cannot be used)",
        name=name.split(".")[0],
    )


class _Missing:
    """An attribute of a stand-in module: fine to import and pass around, fails when used."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Missing(f"{self._name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise _unavailable(self._name)

    def __iter__(self) -> Any:
        raise _unavailable(self._name)

    def __repr__(self) -> str:
        return f"<stand-in for {self._name}>"


class StandInModule(types.ModuleType):
    """A module the grading environment does not have."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Missing(f"{self.__name__}.{attr}")


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the stand-in modules (and their submodules) of the roots it was told about."""

    def __init__(self) -> None:
        self.names: set[str] = set()  # dotted names of missing modules; their submodules too

    def serves(self, fullname: str) -> bool:
        return any(fullname == n or fullname.startswith(n + ".") for n in self.names)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if not self.serves(fullname):
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: a stand-in is empty."""


FINDER = StandInFinder()


def missing_module(exc: BaseException) -> str | None:
    """The first missing module of a failed import (``google.colab`` when only the ``google``
    namespace exists), if a stand-in can take its place."""
    if type(exc) is not ModuleNotFoundError or not isinstance(exc.name, str) or not exc.name:
        return None
    parts = exc.name.split(".")
    for k in range(1, len(parts) + 1):
        name = ".".join(parts[:k])
        if FINDER.serves(name):
            return None
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            return name
    return None


def stand_in(name: str) -> None:
    """From now on, ``import name`` (and ``name.anything``) gives a stand-in module."""
    FINDER.names.add(name)
    for loaded in [n for n in sys.modules if FINDER.serves(n)]:
        del sys.modules[loaded]


def install() -> None:
    """Put the stand-in finder last on the import path, and the CPU shims on torch."""
    if FINDER not in sys.meta_path:
        sys.meta_path.append(FINDER)
    _cpu_only_torch()


def _cpu_only_torch() -> None:
    torch = sys.modules.get("torch")
    if torch is None or torch.cuda.is_available():
        return

    def on_cpu(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("cuda"):
            return "cpu"
        if isinstance(value, torch.device) and value.type == "cuda":
            return torch.device("cpu")
        return value

    def patch_to(cls: Any) -> None:
        original = cls.to

        def to(self: Any, *args: Any, **kwargs: Any) -> Any:
            args = tuple(on_cpu(a) for a in args)
            if "device" in kwargs:
                kwargs["device"] = on_cpu(kwargs["device"])
            return original(self, *args, **kwargs)

        cls.to = to

    def stay(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self

    for cls in (torch.Tensor, torch.nn.Module):
        patch_to(cls)
        cls.cuda = stay
    # A lazy module's uninitialised parameters accept the methods torch lists, ``to`` among
    # them: the shim must be one of them, or ``Net().to(device)`` fails for nn.LazyLinear.
    lazy = getattr(torch.nn.parameter, "UninitializedTensorMixin", None)
    if lazy is not None:
        lazy._allowed_methods.append(torch.Tensor.to)
