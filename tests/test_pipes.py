"""The grader's frame I/O on a worker's pipes (grader.sandbox.pipes), on plain os.pipe()s."""
import os
import struct
import threading
import time

import pytest

from grader.sandbox import pipes
from grader.sandbox.inside import wire


@pytest.fixture
def pipe():
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def _soon(seconds: float = 5.0) -> float:
    return time.monotonic() + seconds


def test_frames_sent_together_come_out_one_at_a_time_and_in_order(pipe):
    read_end, write_end = pipe
    values = [{"n": n, "s": "x" * n} for n in range(5)]
    os.write(write_end, b"".join(wire.encode(v) for v in values))
    reader = pipes.FrameReader(read_end)
    assert [wire.decode(reader.read_frame(_soon())) for _ in values] == values


def test_a_frame_split_anywhere_is_put_back_together(pipe):
    read_end, write_end = pipe
    data = wire.encode([1.5, "two"]) + wire.encode("next")
    reader = pipes.FrameReader(read_end)

    def trickle():
        for byte in data:
            os.write(write_end, bytes([byte]))
            time.sleep(0.001)

    writer = threading.Thread(target=trickle)
    writer.start()
    assert wire.decode(reader.read_frame(_soon())) == [1.5, "two"]
    assert wire.decode(reader.read_frame(_soon())) == "next"
    writer.join()


def test_a_frame_larger_than_the_pipe_is_read_whole_and_no_further(pipe):
    read_end, write_end = pipe
    big = os.urandom(3 * pipes.READ_AHEAD + 17)
    data = wire.encode(big.hex()) + wire.encode("after")
    writer = threading.Thread(target=lambda: os.write(write_end, data) and None)  # blocking
    writer.start()
    reader = pipes.FrameReader(read_end)
    assert wire.decode(reader.read_frame(_soon())) == big.hex()
    assert wire.decode(reader.read_frame(_soon())) == "after"
    writer.join()


def test_a_frame_over_the_limit_is_refused_from_its_prefix(pipe):
    read_end, write_end = pipe
    os.write(write_end, struct.pack("<Q", wire.MAX_FRAME_BYTES + 1))  # and no body at all
    with pytest.raises(wire.WireError):
        pipes.FrameReader(read_end).read_frame(_soon())


def test_a_silent_worker_times_out_at_the_deadline(pipe):
    read_end, write_end = pipe
    os.write(write_end, wire.encode("half")[:7])
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        pipes.FrameReader(read_end).read_frame(started + 0.3)
    assert 0.25 < time.monotonic() - started < 2


def test_a_worker_that_keeps_writing_is_still_cut_off_at_the_deadline(pipe):
    read_end, write_end = pipe
    os.write(write_end, wire.encode("ready"))
    with pytest.raises(TimeoutError):  # data waiting does not let a reader past its deadline
        pipes.FrameReader(read_end).read_frame(time.monotonic() - 1)


def test_the_end_of_the_pipe_is_eof_even_mid_frame(pipe):
    read_end, write_end = pipe
    os.write(write_end, wire.encode("cut")[:10])
    os.close(write_end)
    with pytest.raises(EOFError):
        pipes.FrameReader(read_end).read_frame(_soon())


def test_a_stop_flag_ends_a_wait_without_deadline_promptly(pipe):
    read_end, _ = pipe
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    with pytest.raises(EOFError):
        pipes.FrameReader(read_end).read_frame(None, stop.is_set)
    assert time.monotonic() - started < 0.1 + 2 * pipes.POLL_SECONDS


def test_a_writer_whose_reader_stopped_reading_times_out_or_stops(pipe):
    read_end, write_end = pipe
    os.set_blocking(write_end, False)
    writer = pipes.FrameWriter(write_end)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        writer.write(b"x" * (4 * 2**20), started + 0.3)  # more than any pipe holds
    assert 0.25 < time.monotonic() - started < 2
    with pytest.raises(EOFError):
        writer.write(b"x" * (4 * 2**20), _soon(), lambda: True)


def test_the_grader_end_being_non_blocking_leaves_the_worker_end_blocking(pipe):
    read_end, write_end = pipe  # separate open file descriptions: O_NONBLOCK is per description
    assert not os.get_blocking(read_end) and os.get_blocking(write_end)


def test_a_blocking_fd_is_refused(pipe):
    _, write_end = pipe
    with pytest.raises(ValueError):
        pipes.FrameWriter(write_end)
