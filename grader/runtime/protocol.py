"""Wire format between the grader and the student runtime: JSON header plus raw array buffers.

Nothing here unpickles or evaluates: a message is a length-prefixed UTF-8 JSON document whose
special values are one-key objects (``{"__array__": ...}``, ``{"__float__": "nan"}``, ...), and
arrays travel as raw little-endian buffers listed after the header. Both sides decode with the
same validation (dtype whitelist, shape x itemsize == buffer length, size and depth caps), so a
hostile runtime can at worst send a message that is rejected with :class:`ProtocolError`.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024**2  # header + buffers of one message
MAX_HEADER_BYTES = 64 * 1024**2
MAX_DEPTH = 64
MAX_BUFFERS = 100_000

# dtype.str values allowed on the wire (always little-endian or byte-order free).
DTYPES = frozenset(
    [
        "|b1",
        "|i1",
        "<i2",
        "<i4",
        "<i8",
        "|u1",
        "<u2",
        "<u4",
        "<u8",
        "<f2",
        "<f4",
        "<f8",
        "<c8",
        "<c16",
    ]
)
# torch dtypes a tensor argument may ask for.
TENSOR_DTYPES = frozenset(
    [
        "float16",
        "bfloat16",
        "float32",
        "float64",
        "complex64",
        "complex128",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "bool",
    ]
)

BROKEN = 70  # exit status of a student process whose own (engine) code failed: EX_SOFTWARE

_PREFIX = struct.Struct("!QI")  # header length, number of buffers
_BUFLEN = struct.Struct("!Q")


class ProtocolError(Exception):
    """A message that does not follow the wire format (malformed, oversize, bad dtype...)."""


@dataclass(frozen=True)
class Handle:
    """An object kept inside the runtime (e.g. a model instance), referred to by id."""

    id: int
    type_name: str


@dataclass(frozen=True)
class Opaque:
    """A returned object that is not plain data: its type and a truncated repr."""

    type_name: str
    repr: str


@dataclass(frozen=True, eq=False)
class TensorArg:
    """An argument that must arrive in the runtime as a ``torch.Tensor``."""

    array: np.ndarray
    dtype: str = "float32"


def as_tensor(array: Any, dtype: str | None = None) -> TensorArg:
    """Mark ``array`` to be passed to student code as a torch tensor (float32 unless ``dtype``)."""
    dtype = dtype or "float32"
    if dtype not in TENSOR_DTYPES:
        raise ValueError(f"unsupported tensor dtype {dtype!r}")
    return TensorArg(np.asarray(array), dtype)


def wire_array(array: np.ndarray) -> np.ndarray:
    """The C-contiguous, little-endian copy of ``array`` that may cross, or raise ProtocolError."""
    if type(array) is not np.ndarray:
        array = np.asarray(array).view(np.ndarray)
    dtype = array.dtype
    if dtype.byteorder == ">" or (dtype.byteorder == "=" and not _little()):
        dtype = dtype.newbyteorder("<")
    if dtype.str not in DTYPES:
        raise ProtocolError(f"dtype {array.dtype} cannot cross the wire")
    return np.array(
        array, dtype=dtype, order="C", copy=False
    )  # ascontiguousarray would make 0-d 1-d


def _little() -> bool:
    return sys.byteorder == "little"


# ----------------------------------------------------------------------------- encoding


def encode(value: Any) -> tuple[bytes, list[memoryview]]:
    """Encode ``value`` into (header bytes, buffers). Raises ProtocolError on anything not plain."""
    buffers: list[memoryview] = []
    doc = _enc(value, buffers, 0)
    header = json.dumps(doc, allow_nan=False, separators=(",", ":")).encode()
    return header, buffers


def _enc(v: Any, bufs: list[memoryview], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v
    if t is float:
        if math.isfinite(v):
            return v
        return {"__float__": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
    if t is list:
        return [_enc(x, bufs, depth + 1) for x in v]
    if t is tuple:
        return {"__tuple__": [_enc(x, bufs, depth + 1) for x in v]}
    if t is dict:
        if not all(type(k) is str for k in v):
            raise ProtocolError("dict keys must be str")
        return {"__dict__": {k: _enc(x, bufs, depth + 1) for k, x in v.items()}}
    if t is np.ndarray:
        return {"__array__": _enc_array(v, bufs)}
    if t is Handle:
        return {"__handle__": [int(v.id), str(v.type_name)]}
    if t is Opaque:
        return {"__opaque__": [str(v.type_name), str(v.repr)]}
    if t is TensorArg:
        return {"__tensor__": {"array": _enc_array(v.array, bufs), "dtype": v.dtype}}
    raise ProtocolError(f"cannot encode a {t.__module__}.{t.__qualname__}")


def _enc_array(a: np.ndarray, bufs: list[memoryview]) -> dict:
    a = wire_array(a)
    bufs.append(memoryview(a.reshape(-1).view(np.uint8)) if a.size else memoryview(b""))
    return {"dtype": a.dtype.str, "shape": list(a.shape), "buffer": len(bufs) - 1}


# ----------------------------------------------------------------------------- decoding


def decode(header: bytes, buffers: list[bytes | bytearray]) -> Any:
    """Decode and validate a message; every malformed input raises ProtocolError."""
    try:
        doc = json.loads(header, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"bad header: {exc}") from None
    used: set[int] = set()
    value = _dec(doc, buffers, used, 0)
    if len(used) != len(buffers):
        raise ProtocolError("unreferenced buffers")
    return value


def _reject_constant(name: str) -> Any:
    raise ProtocolError(f"bare {name} is not allowed")


def _dec(d: Any, bufs: list[bytes], used: set[int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    t = type(d)
    if d is None or t in (bool, int, float, str):
        return d
    if t is list:
        return [_dec(x, bufs, used, depth + 1) for x in d]
    if t is not dict or len(d) != 1:
        raise ProtocolError("objects must be one-key markers")
    ((key, body),) = d.items()
    if key == "__float__":
        if body not in ("nan", "inf", "-inf"):
            raise ProtocolError(f"bad float {body!r}")
        return float(body)
    if key == "__tuple__" and type(body) is list:
        return tuple(_dec(x, bufs, used, depth + 1) for x in body)
    if key == "__dict__" and type(body) is dict:
        return {k: _dec(x, bufs, used, depth + 1) for k, x in body.items()}
    if key == "__array__":
        return _dec_array(body, bufs, used)
    if key == "__handle__" and _is_pair(body, int, str):
        return Handle(body[0], body[1])
    if key == "__opaque__" and _is_pair(body, str, str):
        return Opaque(body[0], body[1])
    if key == "__tensor__" and type(body) is dict and set(body) == {"array", "dtype"}:
        if body["dtype"] not in TENSOR_DTYPES:
            raise ProtocolError(f"bad tensor dtype {body['dtype']!r}")
        return TensorArg(_dec_array(body["array"], bufs, used), body["dtype"])
    raise ProtocolError(f"unknown marker {key!r}")


def _is_pair(body: Any, t0: type, t1: type) -> bool:
    return type(body) is list and len(body) == 2 and type(body[0]) is t0 and type(body[1]) is t1


def _dec_array(body: Any, bufs: list[bytes], used: set[int]) -> np.ndarray:
    if type(body) is not dict or set(body) != {"dtype", "shape", "buffer"}:
        raise ProtocolError("bad array description")
    dtype, shape, k = body["dtype"], body["shape"], body["buffer"]
    if dtype not in DTYPES:
        raise ProtocolError(f"dtype {dtype!r} is not allowed")
    if (
        type(shape) is not list
        or len(shape) > 32
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise ProtocolError("bad array shape")
    if type(k) is not int or not 0 <= k < len(bufs) or k in used:
        raise ProtocolError("bad buffer reference")
    used.add(k)
    dt = np.dtype(dtype)
    count = math.prod(shape)
    if count * dt.itemsize != len(bufs[k]):
        raise ProtocolError("array shape does not match its buffer length")
    if not count:
        return np.zeros(shape, dt)
    array = np.frombuffer(bufs[k], dtype=dt).reshape(tuple(shape))
    return array if array.flags.writeable else array.copy()


# ----------------------------------------------------------------------------- framing


def encode_message(value: Any) -> tuple[bytes, list[memoryview]]:
    """:func:`encode`, refusing what would be over the size limits on the receiving side."""
    header, buffers = encode(value)
    total = len(header) + sum(b.nbytes for b in buffers)
    if total > MAX_MESSAGE_BYTES or len(header) > MAX_HEADER_BYTES:
        raise ProtocolError(f"message of {total} bytes is over the limit")
    return header, buffers


def send(sock: socket.socket, value: Any) -> None:
    """Encode ``value`` and write it to ``sock`` as one frame."""
    send_encoded(sock, *encode_message(value))


_COALESCE = 1 << 20  # a message up to this size goes out in one write (callbacks are many, small)


def send_encoded(sock: socket.socket, header: bytes, buffers: list[memoryview]) -> None:
    """Write an already encoded message as one frame."""
    parts = [_PREFIX.pack(len(header), len(buffers)), header]
    for b in buffers:
        parts += [_BUFLEN.pack(b.nbytes), b]
    if len(header) + sum(b.nbytes for b in buffers) <= _COALESCE:
        sock.sendall(b"".join(parts))
        return
    for part in parts:
        sock.sendall(part)


def recv(
    sock: socket.socket, max_bytes: int = MAX_MESSAGE_BYTES, deadline: float | None = None
) -> Any:
    """Read one frame from ``sock`` and decode it.

    EOFError if the peer closed before a frame; TimeoutError past ``deadline`` (a
    ``time.monotonic()`` value) even if the peer trickles bytes.
    """
    hlen, nbuf = _PREFIX.unpack(_recv_exact(sock, _PREFIX.size, deadline, first=True))
    if hlen > min(MAX_HEADER_BYTES, max_bytes) or nbuf > MAX_BUFFERS:
        raise ProtocolError("header over the limit")
    header = _recv_exact(sock, hlen, deadline)
    total = hlen
    buffers = []
    for _ in range(nbuf):
        (n,) = _BUFLEN.unpack(_recv_exact(sock, _BUFLEN.size, deadline))
        total += n
        if total > max_bytes:
            raise ProtocolError(f"message over the limit of {max_bytes} bytes")
        buffers.append(_recv_exact(sock, n, deadline))
    return decode(header, buffers)


def _recv_exact(
    sock: socket.socket, n: int, deadline: float | None, first: bool = False
) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply in time")
            sock.settimeout(left)
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            if first and got == 0:
                raise EOFError("peer closed the connection")
            raise ProtocolError("connection closed in the middle of a message")
        got += k
    return buf
