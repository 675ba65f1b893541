"""Hostile frames against wire.decode: limits hold whatever encoding the header claims."""
import struct

import pytest

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
