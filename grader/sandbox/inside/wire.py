"""Plain-data frames between the grader and a sandboxed worker.

Only numbers, strings, None, lists, tuples, str-keyed dicts and numeric numpy
arrays cross the process boundary; never pickles. A frame is

    u64 body length | u32 header length | JSON header | raw array bytes ...

This file is also loaded by the sandboxed worker as a plain module, so it may
import nothing but the standard library and numpy.
"""
from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

# Dtype kinds that can be rebuilt from raw bytes without running any code.
ALLOWED_DTYPE_KINDS = frozenset("biufc")
MAX_FRAME_BYTES = 64 * 2**20
# Bulk data travels as raw array bytes; the JSON header holds the structure, strings and
# Python numbers. Bounding it (and the strings and nesting in it) before json parses it keeps
# decoding cheap whatever a worker sends: a 60 MB string cost the grader seconds of CPU.
MAX_HEADER_BYTES = 8 * 2**20
MAX_STRING_CHARS = 2 * 2**20  # the largest source file (1 MB) fits, escaped or not
MAX_DEPTH = 64  # lists, tuples and dicts inside each other
MAX_INT_BITS = 1024  # larger integers are not numbers any float64 check could use
# numpy Generators travel as their bit generator's state (plain ints), so that a test
# can hand a seeded rng to student code and compare the state it leaves behind.
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
_PREFIX = struct.Struct("<QI")


class WireError(Exception):
    """A value that cannot be sent, or a frame that is malformed or too large."""


def _encode_value(value, blobs: list, depth: int = 0):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise WireError(f"a string of {len(value)} characters (the limit is {MAX_STRING_CHARS})")
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            raise WireError(f"an integer of about {int(value.bit_length() * 0.30103)} digits, too "
                            "large to be a number (it does not fit in a float64)")
        return value
    if isinstance(value, float):
        return _encode_float(value)
    if isinstance(value, np.generic):
        return {"__scalar__": _encode_array(np.asarray(value), blobs)}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": _encode_array(value, blobs)}
    if isinstance(value, (tuple, list, dict)) and depth >= MAX_DEPTH:
        raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, tuple):
        return {"__tuple__": [_encode_value(v, blobs, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_encode_value(v, blobs, depth + 1) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise WireError("a dict with non-string keys")
        return {"__dict__": [[_encode_value(k, blobs), _encode_value(v, blobs, depth + 1)]
                             for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in BIT_GENERATORS:
            raise WireError(f"a Generator with bit generator {state.get('bit_generator')}")
        return {"__generator__": _encode_value(state, blobs)}
    raise WireError(f"an object of type {type(value).__name__}")


def _encode_float(value: float):
    if math.isfinite(value):
        return value
    return {"__float__": repr(float(value))}  # repr(np.float64(inf)) is 'np.float64(inf)'


def _encode_array(array: np.ndarray, blobs: list) -> dict:
    # Subclasses (matrix, masked arrays) travel as their plain data.
    plain = np.asarray(array)
    if not plain.flags.c_contiguous:
        plain = plain.copy(order="C")  # np.ascontiguousarray would turn 0-d into 1-d
    if plain.dtype.kind not in ALLOWED_DTYPE_KINDS:
        raise WireError(f"an array of dtype {plain.dtype} (only numeric and bool arrays are accepted)")
    # A view of the array's own bytes: encode joins them into the frame, one copy in all.
    blobs.append(memoryview(plain.reshape(-1)).cast("B") if plain.size else b"")
    return {"dtype": plain.dtype.str, "shape": list(plain.shape)}


def encode(value) -> bytes:
    """Serialize ``value`` into one frame; raise WireError for anything not plain."""
    blobs: list[bytes] = []
    header = json.dumps(_encode_value(value, blobs), allow_nan=False).encode()
    if len(header) > MAX_HEADER_BYTES:
        raise WireError(f"{len(header) / 2**20:.0f} MiB of strings, lists and Python numbers (the "
                        f"limit is {MAX_HEADER_BYTES // 2**20} MiB; use numpy arrays for bulk data)")
    body_length = 4 + len(header) + sum(len(b) for b in blobs)
    if body_length > MAX_FRAME_BYTES:
        raise WireError(f"{body_length / 2**20:.0f} MiB of data (the limit is {MAX_FRAME_BYTES // 2**20} MiB)")
    return b"".join([_PREFIX.pack(body_length, len(header)), header, *blobs])


class _Decoder:
    def __init__(self, body: memoryview, offset: int):
        self.body = body
        self.offset = offset

    def value(self, node, depth: int = 0):
        if isinstance(node, str) and len(node) > MAX_STRING_CHARS:
            raise WireError(f"a string of {len(node)} characters (the limit is {MAX_STRING_CHARS})")
        if isinstance(node, (list, dict)) and depth > MAX_DEPTH:
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, list):
            return [self.value(v, depth + 1) for v in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            raise WireError("malformed frame: unexpected object")
        ((tag, payload),) = node.items()
        if tag == "__ndarray__":
            return self.array(payload)
        if tag == "__scalar__":
            return self.array(payload)[()]
        if tag == "__tuple__":
            return tuple(self.value(v, depth + 1) for v in payload)
        if tag == "__dict__":
            return {str(self.value(k, depth)): self.value(v, depth + 1) for k, v in payload}
        if tag == "__float__":
            return float(payload)
        if tag == "__generator__":
            return self.generator(self.value(payload, depth + 1))
        raise WireError(f"malformed frame: unknown tag {tag!r}")

    def generator(self, state) -> np.random.Generator:
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if name not in BIT_GENERATORS:
            raise WireError(f"malformed frame: bit generator {name!r}")
        bit_generator = getattr(np.random, name)()
        try:
            bit_generator.state = state
        except (TypeError, ValueError, KeyError) as error:
            raise WireError(f"malformed frame: generator state ({error})") from None
        return np.random.Generator(bit_generator)

    def array(self, spec) -> np.ndarray:
        dtype = np.dtype(spec["dtype"])
        if dtype.kind not in ALLOWED_DTYPE_KINDS:
            raise WireError(f"malformed frame: dtype {dtype}")
        shape = tuple(int(n) for n in spec["shape"])
        if any(n < 0 for n in shape):
            raise WireError("malformed frame: negative dimension")
        size = dtype.itemsize * math.prod(shape)
        if self.offset + size > len(self.body):
            raise WireError("malformed frame: truncated array data")
        chunk = self.body[self.offset:self.offset + size]
        self.offset += size
        return np.frombuffer(chunk, dtype=dtype).reshape(shape).copy()


def decode(body: bytes):
    """Rebuild the value of one frame body (the bytes after the u64 length)."""
    view = memoryview(body)
    if len(view) < 4:
        raise WireError("malformed frame: too short")
    (header_length,) = struct.unpack_from("<I", view, 0)
    if 4 + header_length > len(view):
        raise WireError("malformed frame: header overruns the frame")
    if header_length > MAX_HEADER_BYTES:
        raise WireError(f"{header_length / 2**20:.0f} MiB of strings, lists and Python numbers "
                        f"(the limit is {MAX_HEADER_BYTES // 2**20} MiB)")
    try:
        tree = json.loads(bytes(view[4:4 + header_length]), parse_int=_parse_int)
    except RecursionError:  # json's own nesting, before _Decoder could count it
        raise WireError(f"a value nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as error:
        raise WireError(f"malformed frame: {error}") from None
    return _Decoder(view, 4 + header_length).value(tree)


def _parse_int(digits: str) -> int:
    # 309 digits are more than any float64 holds; longer ones are refused before int() parses them.
    if len(digits.lstrip("-")) > 309:
        raise WireError(f"an integer of {len(digits)} digits, too large to be a number")
    return int(digits)


def write_frame(fd: int, value) -> None:
    data = encode(value)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd: int, count: int) -> bytes:
    chunks = []
    while count:
        chunk = os.read(fd, min(count, 1 << 20))
        if not chunk:
            raise EOFError("channel closed")
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int):
    """Blocking read of one frame (used inside the worker, where the peer is trusted)."""
    (body_length,) = struct.unpack("<Q", read_exactly(fd, 8))
    return decode(read_exactly(fd, body_length))


def frame_length(prefix: bytes) -> int:
    """Body length announced by the 8-byte prefix of a frame."""
    (body_length,) = struct.unpack("<Q", prefix)
    return body_length


def only_element(value, index):
    """What a map with ``only=index`` sends back for one call's ``value``: a tuple or list of
    more than ``index`` elements keeps that one, the others None, so a cost that reads one part
    of what a function returns does not move the rest; any other value (or index None) as is."""
    if index is None or not isinstance(value, (tuple, list)) or len(value) <= index:
        return value
    kept = [None] * len(value)
    kept[index] = value[index]
    return tuple(kept) if isinstance(value, tuple) else kept
