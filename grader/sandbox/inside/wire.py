"""Plain-data frames between the grader and a sandboxed worker.

Only numbers, strings, None, lists, tuples, str-keyed dicts and numeric numpy
arrays cross the process boundary; never pickles. A frame is

    u64 body length | u32 header length | JSON header | raw array bytes ...

The header is compact JSON (no spaces). None, bools, strings, ints, finite floats and lists
are themselves; a dict whose keys are all strings not starting with "__" is a JSON object.
Every other value is a JSON object of exactly one "__" key, its tag:

    {"__tuple__": [item, ...]}              a tuple
    {"__dict__": [[key, value], ...]}       a dict with a key starting with "__"
    {"__float__": "nan" | "inf" | "-inf"}   a non-finite float
    {"__ndarray__": [dtype, dim, ...]}      an array (dtype as numpy's dtype.str)
    {"__scalar__": [dtype]}                 a numpy scalar
    {"__generator__": state}                a numpy Generator (its bit generator's state)

An object with no "__" key is a plain dict, one with a single "__" key a tag, anything else
is malformed. Array bytes follow the header in the order the arrays appear in it, each C
ordered.

This file is also loaded by the sandboxed worker as a plain module, so it may
import nothing but the standard library and numpy.
"""
from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
import os
import re
import struct
import threading

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
_HEADER_LENGTH = struct.Struct("<I")
_MAX_INT_DIGITS = 309  # more than any float64 holds
# Every digit as b"0", everything else as b" " (see _has_digit_run).
_DIGITS_AS_ZEROS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_ATOMS = frozenset({str, int, float, bool, type(None)})  # json writes these as they are
_ATOMS_BUT_FLOAT = _ATOMS - {float}
_DTYPE_STR = re.compile(r"[<>|=]?[biufc][0-9]{1,2}")  # the dtype.str of an allowed dtype
_dtypes: dict[str, np.dtype] = {}  # the allowed dtypes decoded so far, by their dtype.str
_dtype_strs: dict[np.dtype, str] = {}  # the dtype.str of the allowed dtypes encoded so far


class WireError(Exception):
    """A value that cannot be sent, or a frame that is malformed or too large."""


def _has_digit_run(header: bytes, length: int) -> bool:
    """Whether ``header`` holds ``length`` digits in a row (two C scans; a regex took 150 µs
    on 9 kB): only then may it hold an int of that many digits."""
    return len(header) >= length and b"0" * length in header.translate(_DIGITS_AS_ZEROS)


# Encoding: _encode_fast builds the JSON tree with one call per container, array or unusual
# value, trusting the strings and ints (and, first, the floats) in a container to json; when
# json meets a non-finite float, encode walks again checking floats too, and whenever the walk
# meets something off its path, or the header could hold a string or int over the limits,
# encode falls back to _encode_value, which checks every node and builds the same tree.

def _encode_fast(value, blobs: list, depth: int, atoms: frozenset):
    kind = type(value)
    if kind is list:
        if depth >= MAX_DEPTH:
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
        depth += 1
        return [v if type(v) in atoms else _encode_fast(v, blobs, depth, atoms) for v in value]
    if kind is np.ndarray:
        try:
            spec = [_dtype_strs[value.dtype], *value.shape]
        except (KeyError, TypeError):  # a dtype not met yet, or one that does not hash
            return {"__ndarray__": _encode_array(value, blobs)}
        if not value.flags.c_contiguous:
            return {"__ndarray__": _encode_array(value, blobs)}
        blobs.append(value)
        return {"__ndarray__": spec}
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
        for key in value:
            if type(key) is not str or key[:2] == "__":
                return _encode_value(value, blobs, depth)
        depth += 1
        return {k: v if type(v) in atoms else _encode_fast(v, blobs, depth, atoms) for k, v in value.items()}
    if kind is tuple:
        if depth >= MAX_DEPTH:
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
        depth += 1
        return {"__tuple__": [v if type(v) in atoms else _encode_fast(v, blobs, depth, atoms) for v in value]}
    if kind is float:
        return value if value - value == 0.0 else {"__float__": repr(value)}  # inf - inf is nan
    if kind is np.float64:  # what numpy's reductions return; a float subclass, sent as a float
        return _encode_float(value)
    if kind in _ATOMS:
        return value
    return _encode_value(value, blobs, depth)


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
        pairs = [[_encode_value(k, blobs), _encode_value(v, blobs, depth + 1)] for k, v in value.items()]
        if any(k.startswith("__") for k in value):
            return {"__dict__": pairs}
        return {str(k): v for k, v in pairs}  # str(): a str subclass key is written as its text
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in BIT_GENERATORS:
            raise WireError(f"a Generator with bit generator {state.get('bit_generator')}")
        return {"__generator__": _encode_value(state, blobs)}
    raise WireError(f"an object of type {type(value).__name__}")


def _encode_float(value: float):
    if math.isfinite(value):
        return value  # json writes a float subclass as float.__repr__ writes it
    return {"__float__": repr(float(value))}  # repr(np.float64(inf)) is 'np.float64(inf)'


def _encode_array(array: np.ndarray, blobs: list) -> list:
    # Subclasses (matrix, masked arrays) travel as their plain data.
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    if not array.flags.c_contiguous:
        array = array.copy(order="C")  # np.ascontiguousarray would turn 0-d into 1-d
    dtype = array.dtype
    if dtype.kind not in ALLOWED_DTYPE_KINDS:
        raise WireError(f"an array of dtype {dtype} (only numeric and bool arrays are accepted)")
    # The array itself, read in place by the join in encode: one copy in all.
    blobs.append(array)
    if len(_dtype_strs) < 256:
        _dtype_strs[dtype] = dtype.str
    return [dtype.str, *array.shape]


if json.encoder.c_make_encoder is not None:
    _dumps = json.encoder.c_make_encoder(None, None, json.encoder.encode_basestring_ascii, None,
                                         ":", ",", False, False, False)
else:  # pragma: no cover - CPython always has the C encoder
    _dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":")).iterencode


def encode(value) -> bytes:
    """Serialize ``value`` into one frame; raise WireError for anything not plain."""
    blobs: list = []
    try:
        try:
            header = "".join(_dumps(_encode_fast(value, blobs, 0, _ATOMS), 0))
        except ValueError:  # a non-finite float (or an int of more digits than str() writes)
            blobs = []
            header = "".join(_dumps(_encode_fast(value, blobs, 0, _ATOMS_BUT_FLOAT), 0))
    except (WireError, ValueError):  # the first error _encode_value meets is the one to report
        blobs = []
        header = "".join(_dumps(_encode_value(value, blobs), 0))
    header = header.encode()  # ASCII: json escaped the rest
    if len(header) > MAX_STRING_CHARS or _has_digit_run(header, _MAX_INT_DIGITS):
        _encode_value(value, [])  # raises if a string or int is over its limit
    if len(header) > MAX_HEADER_BYTES:
        raise WireError(f"{len(header) / 2**20:.0f} MiB of strings, lists and Python numbers (the "
                        f"limit is {MAX_HEADER_BYTES // 2**20} MiB; use numpy arrays for bulk data)")
    body_length = 4 + len(header) + sum(b.nbytes for b in blobs)
    if body_length > MAX_FRAME_BYTES:
        raise WireError(f"{body_length / 2**20:.0f} MiB of data (the limit is {MAX_FRAME_BYTES // 2**20} MiB)")
    return b"".join([_PREFIX.pack(body_length, len(header)), header, *blobs])


class _Decoder:
    """json's C scanner with this object's hooks: tags become values as they are parsed."""

    strict = True
    object_pairs_hook = None
    parse_float = float
    parse_constant = json.JSONDecoder().parse_constant  # NaN, Infinity, -Infinity as json.loads

    def __init__(self, guard_ints: bool):
        self.object_hook = self.object
        self.parse_int = _parse_int if guard_ints else int
        self.body = memoryview(b"")
        self.offset = 0
        self.scan = json.scanner.c_make_scanner(self)

    def object(self, obj: dict):
        if len(obj) == 1:
            (tag,) = obj
            if tag == "__ndarray__":
                return self.array(obj[tag])
            if tag == "__tuple__" and type(obj[tag]) is list:
                return tuple(obj[tag])
            if tag[:2] == "__":
                return self.tagged(tag, obj[tag])
            return obj
        for key in obj:
            if key[:2] == "__":
                raise WireError("malformed frame: unexpected object")
        return obj

    def tagged(self, tag: str, payload):
        if tag == "__tuple__":
            if type(payload) is not list:
                raise WireError("malformed frame: a tuple that is not a list")
            return tuple(payload)
        if tag == "__float__":
            if type(payload) is not str or payload not in _NON_FINITE:
                raise WireError("malformed frame: a float that is not nan, inf or -inf")
            return _NON_FINITE[payload]
        if tag == "__scalar__":
            return self.array(payload)[()]
        if tag == "__dict__":
            if type(payload) is not list:
                raise WireError("malformed frame: a dict that is not a list of pairs")
            result = {}
            for pair in payload:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("malformed frame: a dict that is not a list of pairs")
                result[pair[0]] = pair[1]
            return result
        if tag == "__generator__":
            return _generator(payload)
        raise WireError(f"malformed frame: unknown tag {tag!r}")

    def array(self, spec) -> np.ndarray:
        if type(spec) is not list or not spec or type(spec[0]) is not str:
            raise WireError("malformed frame: array spec")
        dtype = _dtypes.get(spec[0]) or _dtype(spec[0])
        size = dtype.itemsize
        shape = spec[1:]
        if len(shape) > 64:
            raise WireError("malformed frame: array shape")
        for n in shape:
            if type(n) is not int:
                raise WireError("malformed frame: array shape")
            if n < 0:
                raise WireError("malformed frame: negative dimension")
            size *= n
        offset = self.offset
        end = offset + size
        if end > len(self.body):
            raise WireError("malformed frame: truncated array data")
        self.offset = end
        try:
            array = np.empty(shape, dtype)  # at most the frame's size
        except (ValueError, OverflowError) as error:  # a zero-size shape numpy cannot hold
            raise WireError(f"malformed frame: array shape ({error})") from None
        if size:
            array.data.cast("B")[:] = self.body[offset:end]
        return array


def _dtype(name: str) -> np.dtype:
    # np.dtype parses some strings with ast.literal_eval: only a dtype.str's shape reaches it.
    if not _DTYPE_STR.fullmatch(name):
        raise WireError(f"malformed frame: dtype {name[:20]!r}")
    try:
        dtype = np.dtype(name)
    except (TypeError, ValueError):
        raise WireError(f"malformed frame: dtype {name!r}") from None
    if dtype.kind not in ALLOWED_DTYPE_KINDS:
        raise WireError(f"malformed frame: dtype {dtype}")
    if len(_dtypes) < 256:
        _dtypes[name] = dtype
    return dtype


def _generator(state) -> np.random.Generator:
    name = state.get("bit_generator") if type(state) is dict else None
    if type(name) is not str or name not in BIT_GENERATORS:
        raise WireError(f"malformed frame: bit generator {name!r}")
    bit_generator = getattr(np.random, name)()
    try:
        bit_generator.state = state
    except Exception as error:  # noqa: BLE001 - whatever numpy makes of a bad state
        raise WireError(f"malformed frame: generator state ({error})") from None
    return np.random.Generator(bit_generator)


_local = threading.local()


def _decoder(guard_ints: bool) -> _Decoder:
    decoders = getattr(_local, "decoders", None)
    if decoders is None:
        decoders = _local.decoders = (_Decoder(False), _Decoder(True))
    return decoders[guard_ints]


def _parse(text: str, decoder: _Decoder):
    # json.JSONDecoder.decode, with the scanner made once per thread
    whitespace = json.decoder.WHITESPACE.match
    start = 0 if text[:1] in ("{", "[") else whitespace(text, 0).end()
    try:
        value, end = decoder.scan(text, start)
    except StopIteration as error:
        raise json.JSONDecodeError("Expecting value", text, error.value) from None
    if end != len(text):
        end = whitespace(text, end).end()
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    return value


def decode(body: bytes):
    """Rebuild the value of one frame body (the bytes after the u64 length)."""
    view = memoryview(body)
    if len(view) < 4:
        raise WireError("malformed frame: too short")
    (header_length,) = _HEADER_LENGTH.unpack_from(view, 0)
    if 4 + header_length > len(view):
        raise WireError("malformed frame: header overruns the frame")
    if header_length > MAX_HEADER_BYTES:
        raise WireError(f"{header_length / 2**20:.0f} MiB of strings, lists and Python numbers "
                        f"(the limit is {MAX_HEADER_BYTES // 2**20} MiB)")
    header = bytes(view[4:4 + header_length])
    # Nothing nests deeper than the header has brackets, and no string is longer than the
    # header: only a header that could break a limit needs its value walked after parsing.
    walk = header.count(b"[") + header.count(b"{") > MAX_DEPTH + 1
    strings = header_length > MAX_STRING_CHARS
    # json.loads's own choice of encoding, which is UTF-8 for any header encode writes. The
    # digit-run scan reads ASCII digits as bytes: in a UTF-16 or UTF-32 header each digit is
    # followed by NULs, so there every int is parsed through the guard.
    utf8 = header[:1] in (b"{", b"[") and header[1:2] != b"\0"
    decoder = _decoder(not utf8 or _has_digit_run(header, _MAX_INT_DIGITS + 1))
    decoder.body = view
    decoder.offset = 4 + header_length
    try:
        try:
            if utf8:
                text = header.decode("utf-8", "surrogatepass")
            else:
                text = header.decode(json.detect_encoding(header), "surrogatepass")
            value = _parse(text, decoder)
        except RecursionError:  # json's own nesting, before the walk could count it
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as error:
            raise WireError(f"malformed frame: {error}") from None
    finally:
        decoder.body = memoryview(b"")
    if walk or strings:
        _check(value, 0, strings)
    return value


def _check(value, depth: int, strings: bool) -> None:
    """Refuse a value nested more than MAX_DEPTH deep or (if strings) holding a long string."""
    kind = type(value)
    if kind is str:
        if strings and len(value) > MAX_STRING_CHARS:
            raise WireError(f"a string of {len(value)} characters (the limit is {MAX_STRING_CHARS})")
    elif kind is list or kind is tuple or kind is dict:
        if depth > MAX_DEPTH:
            raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")
        if kind is dict:
            for key in value:
                _check(key, depth, strings)
            value = value.values()
        for item in value:
            if type(item) is not float and type(item) is not np.ndarray:
                _check(item, depth + 1, strings)
    elif kind is np.random.Generator and depth + 2 > MAX_DEPTH:  # its state: a dict of dicts
        raise WireError(f"a value nested more than {MAX_DEPTH} levels deep")


def _parse_int(digits: str) -> int:
    # 309 digits are more than any float64 holds; longer ones are refused before int() parses them.
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
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
