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
