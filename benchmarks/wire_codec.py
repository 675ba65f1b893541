"""What wire.py's codec costs per frame: encode and decode of the frames one student's grading sends.

Builds a deterministic (seeded) mix of the frames a grading run exchanges with a worker: batch
headers, call requests with a few small float64 arrays, map requests with up to ~100 arglists,
and their replies. For each kind, and for the whole mix weighted as a grading run sends them,
prints the median microseconds per encode and per decode over --repeats runs, for the
baseline wire.py (by default the one at --baseline-ref, read with ``git show``) and for this
worktree's, measured alternately in the same process, and the ratio old / new.

Usage: python benchmarks/wire_codec.py [--repeats R] [--baseline-ref REF | --baseline PATH]
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.sandbox.inside import wire as new_wire  # noqa: E402


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def frames(rng: np.random.Generator) -> dict[str, tuple[list, int]]:
    """Each kind: its values and how many of them one run of the mix sends."""
    def arr(*shape):
        return rng.standard_normal(shape)

    batch = [{"op": "batch", "id": i, "count": int(rng.integers(1, 20)), "stop_on_error": bool(i % 2)}
             for i in range(20)]
    call = [{"op": "call", "function": "svm_loss", "args": [arr(8, 4), arr(8), arr(4, 3), arr(3), 0.5],
             "kwargs": {}, "callbacks": [], "return_args": False} for _ in range(20)]
    call_kwargs = [{"op": "call", "function": "sigmoid", "args": [arr(int(rng.integers(1, 30)))],
                    "kwargs": {"axis": -1, "eps": 1e-8}, "callbacks": [], "return_args": True}
                   for _ in range(20)]
    maps = [{"op": "map", "function": "linear_cost",
             "arglists": [[arr(6, 3), arr(6), arr(3), 0.25, 0.1] for _ in range(n)]}
            for n in (5, 20, 50, 100)]
    reply = [{"ok": True, "value": (float(rng.standard_normal()), arr(4, 3), arr(3)), "warnings": [],
              "id": i, "index": 0, "more": False, "printed": 0} for i in range(20)]
    reply_nan = [{"ok": True, "value": [float("nan"), np.float64(2.5), np.int64(3), "text", None],
                  "warnings": ["RuntimeWarning: overflow"], "id": i, "index": 1, "more": True,
                  "printed": 12} for i in range(10)]
    map_reply = [{"ok": True, "values": [(float(rng.standard_normal()), arr(3)) for _ in range(n)],
                  "warnings": [], "id": 40 + n, "index": 0, "more": False, "printed": 0}
                 for n in (5, 20, 50, 100)]
    # Weights: a grading run is mostly batch headers, calls and their replies, with a few maps.
    return {"batch header": (batch, 40), "call": (call, 30), "call kwargs": (call_kwargs, 10),
            "map": (maps, 4), "reply": (reply, 40), "reply mixed": (reply_nan, 10),
            "map reply": (map_reply, 4)}


def time_per_item(function, items, loops) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        for item in items:
            function(item)
    return (time.perf_counter() - start) / (loops * len(items)) * 1e6


def measure(module, kinds, loops) -> dict[str, tuple[float, float]]:
    out = {}
    for kind, (values, _) in kinds.items():
        bodies = [module.encode(v)[8:] for v in values]
        out[kind] = (time_per_item(module.encode, values, loops), time_per_item(module.decode, bodies, loops))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loops", type=int, default=20)
    parser.add_argument("--baseline-ref", default="6cfe4fe", help="git revision of the baseline wire.py")
    parser.add_argument("--baseline", type=Path, help="path of a baseline wire.py (overrides --baseline-ref)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.baseline
        if path is None:
            path = Path(tmp) / "wire_baseline.py"
            path.write_bytes(subprocess.run(["git", "show", f"{args.baseline_ref}:grader/sandbox/inside/wire.py"],
                                            cwd=ROOT, check=True, capture_output=True).stdout)
        old_wire = load_module(path, "wire_baseline")
    kinds = frames(np.random.default_rng(20261202))
    for values, _ in kinds.values():  # both codecs must agree on what every value is
        for value in values:
            assert_same(new_wire.decode(new_wire.encode(value)[8:]), old_wire.decode(old_wire.encode(value)[8:]))
    runs = {"old": [], "new": []}
    for _ in range(args.repeats):
        for name, module in (("old", old_wire), ("new", new_wire)):
            runs[name].append(measure(module, kinds, args.loops))

    def median(name, kind, side):
        return statistics.median(run[kind][side] for run in runs[name])

    print(f"median µs per frame over {args.repeats} repeats ({args.loops} loops each)")
    print(f"{'kind':14s} {'enc old':>9s} {'enc new':>9s} {'ratio':>6s}   {'dec old':>9s} {'dec new':>9s} {'ratio':>6s}")
    totals = {"old": [0.0, 0.0], "new": [0.0, 0.0]}
    count = sum(weight for _, weight in kinds.values())
    for kind, (_, weight) in kinds.items():
        row = []
        for side in (0, 1):
            old, new = median("old", kind, side), median("new", kind, side)
            totals["old"][side] += old * weight / count
            totals["new"][side] += new * weight / count
            row.append(f"{old:9.1f} {new:9.1f} {old / new:6.2f}")
        print(f"{kind:14s} {row[0]}   {row[1]}")
    row = [f"{totals['old'][s]:9.1f} {totals['new'][s]:9.1f} {totals['old'][s] / totals['new'][s]:6.2f}"
           for s in (0, 1)]
    print(f"{'overall (mix)':14s} {row[0]}   {row[1]}")


def assert_same(a, b) -> None:
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


if __name__ == "__main__":
    main()
