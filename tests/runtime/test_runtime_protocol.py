"""The wire format: what goes in comes out, and anything malformed is rejected on decode."""

from __future__ import annotations

import json
import math
import socket
import struct
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.runtime import Handle, Opaque, ProtocolError, as_tensor, protocol
from grader.runtime.protocol import TensorArg, decode, encode

WIRE_DTYPES = [np.dtype(d) for d in sorted(protocol.DTYPES)]


def roundtrip(value):
    header, buffers = encode(value)
    return decode(header, [bytes(b) for b in buffers])


def same(a, b) -> bool:
    """Equality with NaN equal to NaN, and types compared exactly."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@given(
    hnp.arrays(
        st.sampled_from(WIRE_DTYPES),
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    )
)
def test_arrays_of_every_allowed_dtype_round_trip(array):
    out = roundtrip(array)
    assert same(out, array)


@settings(max_examples=20)
@given(
    hnp.arrays(
        st.sampled_from([np.dtype(">f8"), np.dtype(">i4"), np.dtype(">c16")]), hnp.array_shapes()
    )
)
def test_big_endian_arrays_arrive_little_endian_with_the_same_values(array):
    out = roundtrip(array)
    assert out.dtype.byteorder in "<|=" and out.dtype == array.dtype.newbyteorder("<")
    assert np.array_equal(out, array, equal_nan=True)


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        | hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=3)).map(lambda a: a)
    ),
    max_leaves=20,
)


@given(plain)
def test_nested_plain_data_round_trips(value):
    assert same(roundtrip(value), value)


def test_special_values_and_markers_round_trip():
    value = {
        "__array__": [math.nan, math.inf, -math.inf],
        "h": Handle(3, "Net"),
        "o": Opaque("x.Y", "<Y>"),
        "t": (1, (2,)),
        "e": np.zeros((0, 3)),
    }
    out = roundtrip(value)
    assert same(out["__array__"], value["__array__"])
    assert (
        out["h"] == Handle(3, "Net") and out["o"] == Opaque("x.Y", "<Y>") and out["t"] == (1, (2,))
    )
    assert out["e"].shape == (0, 3)


def test_tensor_marker_keeps_values_and_dtype():
    out = roundtrip([as_tensor(np.arange(6).reshape(2, 3), "float64")])[0]
    assert type(out) is TensorArg and out.dtype == "float64"
    assert np.array_equal(out.array, np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError):
        as_tensor([1], "object")


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {1: 2},
        np.array([object()]),
        np.array(["a"]),
        np.zeros(2, "V8"),
        np.zeros(1, [("a", "f8")]),
        {1.5},
        b"bytes",
    ],
)
def test_values_that_are_not_plain_data_are_refused_on_encode(value):
    with pytest.raises(ProtocolError):
        encode(value)


def arr(dtype="<f8", shape=(2,), buffer=0):
    return json.dumps({"__array__": {"dtype": dtype, "shape": shape, "buffer": buffer}}).encode()


@pytest.mark.parametrize(
    "header, buffers",
    [
        (arr(), [b"\0" * 15]),  # buffer one byte short
        (arr(), [b"\0" * 17]),  # one byte long
        (arr("|O8"), [b"\0" * 16]),  # object dtype
        (arr("<U1", (4,)), [b"\0" * 16]),  # str dtype
        (arr("|V8"), [b"\0" * 16]),  # void
        (arr(">f8"), [b"\0" * 16]),  # big-endian never crosses
        (arr(shape=[-2]), [b""]),
        (arr(shape=[2.0]), [b"\0" * 16]),
        (arr(shape="2"), [b"\0" * 16]),
        (arr(buffer=1), [b"\0" * 16]),  # dangling reference
        (arr(), [b"\0" * 16, b"extra"]),  # unreferenced buffer
        (b"[" + arr() + b"," + arr() + b"]", [b"\0" * 16]),  # one buffer used twice
        (arr(shape=[2**40, 2**40]), [b""]),  # the product overflows nothing: it just does not match
        (b'{"__array__": {"dtype": "<f8", "shape": [1], "buffer": 0, "x": 1}}', [b"\0" * 8]),
        (b'{"__float__": "1e400"}', []),
        (b'{"__evil__": 1}', []),
        (b'{"a": 1, "b": 2}', []),
        (b'{"__handle__": ["1", "x"]}', []),
        (b'{"__tensor__": {"array": {}, "dtype": "object"}}', []),
        (b"NaN", []),
        (b"[1, 2", []),
        (b"\xff\xfe", []),
        (b"[" * 100_000 + b"]" * 100_000, []),  # deeper than JSON or our cap allows
        (b"[" * 100 + b"]" * 100, []),
    ],
)
def test_malformed_messages_are_rejected(header, buffers):
    with pytest.raises(ProtocolError):
        decode(header, buffers)


def frames(*chunks: bytes):
    """A socket whose peer sends ``chunks`` and closes."""
    a, b = socket.socketpair()

    def feed():
        for c in chunks:
            b.sendall(c)
        b.close()

    threading.Thread(target=feed, daemon=True).start()
    return a


def test_frames_round_trip_over_a_socket():
    a, b = socket.socketpair()
    value = {"x": np.arange(100_000, dtype=np.float32), "y": [1, "two", (3.0,)]}
    t = threading.Thread(target=protocol.send, args=(b, value))
    t.start()
    out = protocol.recv(a)
    t.join()
    assert same(out, value)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        hnp.arrays(
            st.sampled_from(WIRE_DTYPES),
            hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        ),
        max_size=12,
    )
)
def test_framed_arrays_of_any_sizes_arrive_equal_aligned_and_writeable(arrays):
    """Buffers of odd lengths are padded on the wire, so every array decodes in place, aligned."""
    a, b = socket.socketpair()
    with a, b:
        protocol.send(b, {"x": arrays, "tail": "end"})
        out = protocol.recv(a)
    assert same(out, {"x": arrays, "tail": "end"})
    assert all(x.flags.aligned and x.flags.writeable for x in out["x"])


class CountingSocket:
    """A socket that counts its reads."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.reads = sock, 0

    def recv_into(self, view, n):
        self.reads += 1
        return self.sock.recv_into(view, n)

    def settimeout(self, seconds):
        self.sock.settimeout(seconds)


def test_a_callback_sized_frame_is_read_in_three_reads_whatever_its_arrays():
    """The prefix, the buffers' lengths, the body: a callback's nine arrays cost no more reads."""
    a, b = socket.socketpair()
    with a, b:
        protocol.send(b, {"args": [np.ones((2, 3)), np.zeros(3)] * 4 + [np.ones(1)]})
        counting = CountingSocket(a)
        out = protocol.recv(counting, deadline=None)
    assert len(out["args"]) == 9 and counting.reads == 3


def test_frames_over_the_size_limit_or_truncated_are_rejected():
    one_huge_buffer = frames(struct.pack("!QI", 4, 1), struct.pack("!Q", 2**40), b"[{}]")
    with pytest.raises(ProtocolError, match="limit"):
        protocol.recv(one_huge_buffer)
    with pytest.raises(ProtocolError, match="limit"):
        protocol.recv(frames(struct.pack("!QI", 2**62, 0)))
    with pytest.raises(ProtocolError, match="limit"):
        protocol.recv(frames(struct.pack("!QI", 2, 10**9)))
    with pytest.raises(ProtocolError, match="closed"):
        protocol.recv(frames(struct.pack("!QI", 100, 0), b"[1,"))
    with pytest.raises(ProtocolError, match="closed"):  # a buffer cut short
        protocol.recv(frames(struct.pack("!QI", 4, 1), struct.pack("!Q", 64), b"[{}]", b"\0" * 20))
    with pytest.raises(EOFError):
        protocol.recv(frames())


def test_a_peer_that_trickles_bytes_hits_the_deadline():
    import time

    a, b = socket.socketpair()
    b.sendall(struct.pack("!QI", 100, 0))
    with pytest.raises(TimeoutError):
        protocol.recv(a, deadline=time.monotonic() + 0.2)
    b.close()


# ----------------------------------------------------------------------------- replies


GOOD_ERROR = {"type": "ValueError", "message": "bad", "traceback": ["<cell 2>, line 1, in f"]}


@pytest.mark.parametrize("status", sorted(protocol.STATUSES))
def test_a_reply_with_a_known_status_gives_status_error_and_detail(status):
    reply = {"status": status, "error": GOOD_ERROR, "detail": "why"}
    got, error, detail = protocol.reply_status(reply)
    assert (got, detail) == (status, "why")
    assert error == protocol.StudentError("ValueError", "bad", ("<cell 2>, line 1, in f",))
    assert protocol.reply_status({"status": status}) == (status, None, "")


@pytest.mark.parametrize(
    "reply",
    [
        None,
        [],
        {},
        {"status": "passed"},  # a check's status, not the runtime's
        {"status": "OK"},
        {"status": ["ok"]},
        {"status": "ok", "detail": 3},
        {"status": "error", "error": "ValueError"},
        {"status": "error", "error": {**GOOD_ERROR, "type": 1}},
        {"status": "error", "error": {**GOOD_ERROR, "message": None}},
        {"status": "error", "error": {**GOOD_ERROR, "traceback": "line 1"}},
        {"status": "error", "error": {**GOOD_ERROR, "traceback": ["ok", 2]}},
    ],
)
def test_a_reply_without_a_valid_status_or_error_record_is_refused(reply):
    with pytest.raises(ProtocolError):
        protocol.reply_status(reply)


def test_stand_ins_type_names_and_pids_are_checked():
    assert protocol.reply_stand_ins({}) == ()
    names = [f"m{i}" for i in range(30)]
    assert protocol.reply_stand_ins({"stand_ins": names}) == tuple(names[: protocol.MAX_STAND_INS])
    assert protocol.reply_type_name({"type_name": "torch.Tensor"}) == "torch.Tensor"
    assert protocol.reply_int({"pid": 12}, "pid") == 12
    assert protocol.reply_hello({"isolation": ["process", "rlimits"], "uid": 5}) == (("process", "rlimits"), 5)
    for bad in ({"stand_ins": "tqdm"}, {"stand_ins": [1]}, {"stand_ins": ["x" * 200]}):
        with pytest.raises(ProtocolError):
            protocol.reply_stand_ins(bad)
    with pytest.raises(ProtocolError):
        protocol.reply_type_name({"type_name": 3})
    for bad_reply in ({"pid": "12"}, {"pid": 1.0}, {}, None, {"pid": True}):
        with pytest.raises(ProtocolError):
            protocol.reply_int(bad_reply, "pid")
    for hello in ({"uid": 5}, {"isolation": "process", "uid": 5}, {"isolation": [], "uid": "5"}):
        with pytest.raises(ProtocolError):
            protocol.reply_hello(hello)


def test_callback_arguments_are_plain_data_within_the_size_cap():
    array = np.zeros(10)
    assert protocol.callback_arguments({"args": [1, "a", array], "kwargs": {"k": [2.0]}, "local": 4}) == (
        (1, "a", array),
        {"k": [2.0]},
        4,
    )
    assert protocol.callback_arguments({"args": [], "kwargs": {}}) == ((), {}, None)
    too_big = np.zeros(protocol.MAX_CALLBACK_BYTES // 8 + 1)
    for call in (
        {"args": (1,), "kwargs": {}},  # a tuple where the list should be
        {"args": [], "kwargs": []},
        {"args": [too_big], "kwargs": {}},
        {"args": [Handle(1, "Net")], "kwargs": {}},  # only values cross: no handle
        {"args": [], "kwargs": {"x": Opaque("Net", "Net()")}},
        {"args": [as_tensor([1.0])], "kwargs": {}},
    ):
        assert protocol.callback_arguments(call) is None
