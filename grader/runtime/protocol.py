"""Wire format between the grader and the student runtime: JSON header plus raw array buffers.

Nothing here unpickles or evaluates: a message is a length-prefixed UTF-8 JSON document whose
special values are one-key objects (``{"__array__": ...}``, ``{"__float__": "nan"}``, ...), and
arrays travel as raw little-endian buffers listed after the header. Both sides decode with the
same validation (dtype whitelist, shape x itemsize == buffer length, size and depth caps), so a
hostile runtime can at worst send a message that is rejected with :class:`ProtocolError`.
The grader then checks what a decoded reply says (its status, error record, callback
arguments...) with the ``reply_*`` and ``callback_*`` functions at the end.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import ProtocolError
from grader.runtime.results import STATUSES, RunStatus, StudentError

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

MAX_CALLBACK_BYTES = 8 * 1024**2  # the arrays one callback may hand the grader's functions
MAX_TRACE_ROWS = 12_000  # calls a tracing stub follows in one request (rows of a few dozen floats)
MAX_STAND_INS = 20  # modules one statement may import as stand-ins (runtime.compat)

BROKEN = 70  # exit status of a student process whose own (engine) code failed: EX_SOFTWARE

_PREFIX = struct.Struct("!QI")  # header length, number of buffers


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
    bufs.append(a.reshape(-1).view(np.uint8).data if a.size else memoryview(b""))
    return {"dtype": a.dtype.str, "shape": list(a.shape), "buffer": len(bufs) - 1}


# ----------------------------------------------------------------------------- decoding


def decode(header: bytes | bytearray, buffers: Sequence[bytes | bytearray | memoryview]) -> Any:
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


def _dec(d: Any, bufs: Sequence[bytes | bytearray | memoryview], used: set[int], depth: int) -> Any:
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


def _dec_array(body: Any, bufs: Sequence[bytes | bytearray | memoryview], used: set[int]) -> np.ndarray:
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
#
# A frame is read in at most three reads, whatever its number of arrays (a callback's
# arguments are nine): the prefix (header length, number of buffers), the buffers' lengths,
# then the body: the header, and each buffer after zero padding to a multiple of ALIGN
# bytes, so arrays decode in place, aligned. A frame without buffers is prefix + header.


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
ALIGN = 16


def _padding(offset: int) -> int:
    return -offset % ALIGN


def send_encoded(sock: socket.socket, header: bytes, buffers: list[memoryview]) -> None:
    """Write an already encoded message as one frame."""
    lengths = [b.nbytes for b in buffers]
    parts: list[bytes | memoryview] = [
        _PREFIX.pack(len(header), len(buffers)),
        struct.pack(f"!{len(buffers)}Q", *lengths),
        header,
    ]
    offset = len(header)
    for b in buffers:
        parts.append(bytes(_padding(offset)))
        offset += _padding(offset)
        parts.append(b)
        offset += b.nbytes
    if offset <= _COALESCE:
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
    lengths = struct.unpack(f"!{nbuf}Q", _recv_exact(sock, 8 * nbuf, deadline)) if nbuf else ()
    if hlen + sum(lengths) > max_bytes:
        raise ProtocolError(f"message over the limit of {max_bytes} bytes")
    spans, offset = [], hlen
    for n in lengths:
        offset += _padding(offset)
        spans.append((offset, offset + n))
        offset += n
    body = memoryview(_recv_exact(sock, offset, deadline))
    return decode(bytes(body[:hlen]), [body[a:b] for a, b in spans])


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


# ----------------------------------------------------------------------------- replies


def reply_status(reply: Any) -> tuple[RunStatus, StudentError | None, str]:
    """(status, error, detail) of a reply from a student process, or ProtocolError."""
    status = reply.get("status") if type(reply) is dict else None
    if type(status) is not str or status not in STATUSES:  # a list would not even hash
        raise ProtocolError("reply without a valid status")
    detail = reply.get("detail", "")
    if type(detail) is not str:
        raise ProtocolError("bad detail")
    err = reply.get("error")
    if err is None:
        return status, None, detail
    if (
        type(err) is not dict
        or type(err.get("type")) is not str
        or type(err.get("message")) is not str
        or type(err.get("traceback")) is not list
        or not all(type(t) is str for t in err["traceback"])
    ):
        raise ProtocolError("bad error record")
    return status, StudentError(err["type"], err["message"], tuple(err["traceback"])), detail


def reply_stand_ins(reply: dict) -> tuple[str, ...]:
    """The modules a statement imported as stand-ins, as its reply lists them."""
    stand_ins = reply.get("stand_ins", [])
    if type(stand_ins) is not list or not all(type(n) is str and len(n) < 200 for n in stand_ins):
        raise ProtocolError("bad stand-in list")
    return tuple(stand_ins[:MAX_STAND_INS])


def reply_type_name(reply: dict) -> str:
    """The type name of a call's value (the student's own class names included)."""
    type_name = reply.get("type_name", "")
    if type(type_name) is not str:
        raise ProtocolError("bad type name")
    return type_name


def reply_int(reply: Any, key: str) -> int:
    """An integer field of a control reply (a pid, an exit code)."""
    value = reply[key] if type(reply) is dict and key in reply else None
    if type(value) is not int:
        raise ProtocolError(f"bad {key}")
    return value


def reply_cpu(reply: dict) -> tuple[float, float]:
    """(CPU seconds in the student's own code since the last reply, the process's CPU seconds
    so far) as a reply says; (0, 0) for anything else. Figures for the benchmarks, never a
    verdict: a notebook that falsifies them only misleads its own timing."""
    cpu = reply.get("cpu")
    if (
        type(cpu) is list
        and len(cpu) == 2
        and all(type(x) is float and 0.0 <= x < 1e6 for x in cpu)
    ):
        return cpu[0], cpu[1]
    return 0.0, 0.0


def reply_hello(hello: Any) -> tuple[tuple[str, ...], int]:
    """(isolation layers, uid) from a builder's first message."""
    if type(hello) is not dict or type(hello.get("isolation")) is not list:
        raise ProtocolError("bad hello")
    return tuple(str(x) for x in hello["isolation"]), reply_int(hello, "uid")


CALLBACK_REFUSED = (
    "the arguments must be numbers, arrays or lists of them, "
    f"{MAX_CALLBACK_BYTES:,} bytes at most"
)
#: What any stub raises (as a TypeError) when its answer failed on the arguments it was given.
STUB_FAILED = "this function could not be computed for the arguments given"


def callback_arguments(call: dict) -> tuple[tuple, dict, Any] | None:
    """(args, kwargs, local) of a stub's call as the student's process sent them; None when
    they are not plain numbers, strings and arrays within MAX_CALLBACK_BYTES."""
    args, kwargs = call.get("args"), call.get("kwargs")
    if type(args) is not list or type(kwargs) is not dict or _nbytes(call) > MAX_CALLBACK_BYTES:
        return None
    return tuple(args), kwargs, call.get("local")


def _nbytes(value: Any) -> float:
    """Bytes of the arrays in decoded callback data; infinite for anything but numbers,
    strings, arrays and containers of them (handles, tensors, opaque objects)."""
    t = type(value)
    if t in (list, tuple):
        return sum(_nbytes(v) for v in value)
    if t is dict:
        return sum(_nbytes(v) for v in value.values())
    if t is np.ndarray:
        return value.nbytes
    return 0 if value is None or t in (bool, int, float, str) else float("inf")
