"""Turn whatever student code returned into plain data, inside the runtime.

Only exact builtin types, exact ``np.ndarray`` of a whitelisted dtype, handles and opaques
leave this module. Subclasses are reduced to their base value through the base class's own
methods (``float.__float__(x)``, never ``float(x)``), so an overridden ``__float__``,
``__eq__``, ``__len__`` or ``__array__`` is never called; any conversion that raises turns the
object into an :class:`Opaque` instead of crashing the runtime.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from grader.errors import ProtocolError
from grader.runtime.protocol import DTYPES, MAX_DEPTH, Handle, Opaque, wire_array

MAX_REPR = 500
MAX_NODES = 1_000_000
MAX_BYTES = 200 * 1024**2


def type_name(value: Any) -> str:
    """``module.QualName`` of the value's real type; bare names for builtins and student classes."""
    t = type(value)
    try:
        module = type.__getattribute__(t, "__module__")
        qual = type.__getattribute__(t, "__qualname__")
    except Exception:  # noqa: BLE001 - a metaclass may make these raise
        return "?"
    module = str.__str__(module) if isinstance(module, str) else "?"
    qual = str.__str__(qual) if isinstance(qual, str) else "?"
    return qual if module in ("builtins", "__main__") else f"{module}.{qual}"


def safe_repr(value: Any, limit: int = MAX_REPR) -> str:
    """repr() that never raises and never returns more than ``limit`` characters."""
    try:
        text = repr(value)
        text = str.__str__(text) if isinstance(text, str) else f"<{type_name(value)}>"
    except BaseException:  # noqa: BLE001 - a hostile __repr__ may raise anything
        text = f"<{type_name(value)} object (repr failed)>"
    return text if len(text) <= limit else text[:limit] + "..."


def safe_str(value: Any, limit: int = 2000) -> str:
    """str() that never raises, truncated."""
    try:
        text = str(value)
        text = str.__str__(text) if isinstance(text, str) else safe_repr(value, limit)
    except BaseException:  # noqa: BLE001
        text = safe_repr(value, limit)
    return text if len(text) <= limit else text[:limit] + "..."


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0
        self.bytes = 0

    def spend(self, nodes: int = 1, nbytes: int = 0) -> None:
        self.nodes += nodes
        self.bytes += nbytes
        if self.nodes > MAX_NODES or self.bytes > MAX_BYTES:
            raise ProtocolError("value too large")


def to_plain(value: Any) -> tuple[Any, str]:
    """(plain data, real type name) for a value returned by student code."""
    name = type_name(value)
    try:
        return _plain(value, 0, _Budget()), name
    except BaseException:  # noqa: BLE001 - hostile conversion: report it, never crash
        return Opaque(name, safe_repr(value)), name


def _plain(v: Any, depth: int, budget: _Budget) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("nested too deeply")
    budget.spend()
    if v is None or v is True or v is False:
        return v
    if type(v) is Opaque or type(v) is Handle:
        return v
    if isinstance(v, np.ndarray):
        return _array(np.ndarray.view(v, np.ndarray), budget)
    if isinstance(v, np.generic):
        return _scalar(v, budget)
    if isinstance(v, int):
        return int.__index__(v) if type(v) is not int else v
    if isinstance(v, float):
        return float.__float__(v)
    if isinstance(v, complex):
        return np.array(complex.__complex__(v))
    if isinstance(v, str):
        budget.spend(0, len(v))
        return str.__str__(v)
    if isinstance(v, (list, tuple)):
        items = list.__iter__(v) if isinstance(v, list) else tuple.__iter__(v)
        out = [_plain(x, depth + 1, budget) for x in items]
        return out if isinstance(v, list) else tuple(out)
    if isinstance(v, dict):
        fields = {}
        for k, x in dict.items(v):
            if type(k) is not str:
                raise ProtocolError("dict keys must be str")
            fields[k] = _plain(x, depth + 1, budget)
        return fields
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(v, torch.Tensor):
        return _tensor(v, torch, budget)
    return Opaque(type_name(v), safe_repr(v))


def _array(a: np.ndarray, budget: _Budget) -> Any:
    a = _carried(a)
    if a.dtype.str.replace(">", "<") not in DTYPES and a.dtype.str not in DTYPES:
        return Opaque(f"numpy.ndarray[{a.dtype}]", safe_repr(a))
    budget.spend(0, a.nbytes)
    return wire_array(a)


def _scalar(v: np.generic, budget: _Budget) -> Any:
    a = _carried(np.ndarray.view(np.asarray(v), np.ndarray))
    if a.dtype.kind in "biuf":
        return a.item()
    return _array(a, budget)


def _carried(a: np.ndarray) -> np.ndarray:
    """Long doubles (and their complex) as float64 (complex128), which the wire carries: the
    numbers to the precision every comparison of the grader reads them at."""
    if a.dtype.kind == "f" and a.dtype.itemsize > 8:
        return a.astype(np.float64)
    if a.dtype.kind == "c" and a.dtype.itemsize > 16:
        return a.astype(np.complex128)
    return a


def _tensor(t: Any, torch: Any, budget: _Budget) -> Any:
    t = torch.Tensor.detach(t)
    if t.layout != torch.strided:
        t = t.to_dense()
    t = t.cpu()
    if t.dtype == torch.bfloat16:
        t = t.float()
    if t.is_conj():
        t = t.resolve_conj()
    if t.is_neg():
        t = t.resolve_neg()
    return _array(np.array(torch.Tensor.numpy(t), copy=True), budget)
