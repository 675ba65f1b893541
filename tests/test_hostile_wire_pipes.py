"""Hostile frames against wire.decode: limits hold whatever encoding the header claims."""
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.sandbox.inside import wire


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-32"])
def test_a_header_in_utf16_or_utf32_cannot_smuggle_an_int_past_the_digit_limit(encoding):
    # The digit-run scan reads ASCII bytes; in UTF-16/32 every digit is followed by NULs.
    header = ("[" + "9" * 4000 + "]").encode(encoding)
    with pytest.raises(wire.WireError):
        wire.decode(struct.pack("<I", len(header)) + header)


@pytest.mark.parametrize("reply", ['{"ok": True}', '{"ok": True, "values": 5}', '{"ok": True, "values": [1.0]}'])
def test_a_worker_whose_map_reply_is_not_one_value_per_list_costs_that_call_only(reply):
    import textwrap

    from grader.sandbox.launcher import Limits
    from grader.sandbox.submission import StudentUnavailable, Submission

    source = textwrap.dedent(f"""
        import worker
        worker.Worker.map = lambda self, request: {reply}

        def f(x):
            return x
    """)
    limits = Limits(call_seconds=1.5, load_seconds=3.0, cpu_seconds=20)
    with Submission(source, module="student", filename="/submission/student.py",
                    signatures={"f": ["x"]}, limits=limits) as student:
        with pytest.raises(StudentUnavailable, match="not one value per argument list"):
            student.map("f", [(1.0,), (2.0,)])


# A frame a hostile worker can send is any bytes; start from valid frames (so the mutations
# reach the tags, array specs and blobs, not only the length checks) and damage them.
_plain = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True, width=64)
    | st.text(max_size=8) | st.sampled_from([np.zeros((2, 3)), np.arange(4, dtype=np.int32),
                                              np.float64(1.5), np.array(True)]),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12)
# Bytes that change what a header means: brackets, separators, digits, and the tags' letters.
_JSON_BYTE = st.sampled_from(list(b'[]{}",:-.0123456789eE_'
                                  b'ndarytuplefloatscdictgenerator<>|bfuic'))
_ALLOWED = (type(None), bool, int, float, str, list, tuple, dict, np.ndarray, np.generic,
            np.random.Generator)


def _only_allowed(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_only_allowed(v) for v in value)
    if isinstance(value, dict):
        return all(type(k) is str and _only_allowed(v) for k, v in value.items())
    return isinstance(value, _ALLOWED) and (not isinstance(value, np.ndarray) or value.dtype.kind in "biufc")


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(_plain, st.lists(st.tuples(st.integers(0, 10_000), _JSON_BYTE | st.integers(0, 255),
                                  st.sampled_from(["replace", "insert", "delete"])), min_size=1, max_size=6),
       st.integers(0, 10_000))
def test_a_damaged_frame_decodes_to_plain_data_or_raises_a_wire_error(value, edits, cut):
    body = wire.encode(value)[8:]
    (length,) = struct.unpack_from("<I", body)
    header, blobs = bytearray(body[4:4 + length]), body[4 + length:]
    for position, byte, kind in edits:  # inside the header, whose length is then told right
        position %= len(header) + 1
        if kind == "insert":
            header.insert(position, byte)
        elif position < len(header):
            if kind == "replace":
                header[position] = byte
            else:
                del header[position]
    damaged = struct.pack("<I", len(header)) + bytes(header) + blobs[:len(blobs) - cut % 9]
    try:
        decoded = wire.decode(damaged)
    except wire.WireError:
        return
    assert _only_allowed(decoded)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_to_plain_data_or_raise_a_wire_error(body):
    try:
        decoded = wire.decode(body)
    except wire.WireError:
        return
    assert _only_allowed(decoded)
