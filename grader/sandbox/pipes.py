"""Deadline-bounded frame I/O on the grader's ends of a worker's two pipes.

The worker is hostile: every read and write here ends at its deadline (TimeoutError) or,
given a stop flag, once the flag is set (EOFError; it is looked at least every
``POLL_SECONDS``), so a worker that stops reading or writing holds the grader no longer
than that. Both fds are non-blocking (``launcher.start_worker``), so each read or write is
tried first and the fd polled only when it would block; each fd keeps one poll object.

``FrameReader`` reads ahead whatever the pipe holds, up to ``READ_AHEAD`` bytes, so that a
small frame's prefix and body come in one read. Bytes read past a frame are the next frame's
and stay in its buffer: there is one reader per worker, shared by whoever reads its replies
(never two threads at once), and it is dropped with the worker. After any exception the
reader may have lost part of a frame: the worker is then killed, never read again.
"""
from __future__ import annotations

import os
import select
import time
from typing import Callable

from grader.sandbox.inside import wire

POLL_SECONDS = 0.2  # how often a wait with a stop flag looks at it
READ_AHEAD = 64 * 1024  # one pipe's default capacity: what a read asks for beyond the frame

Stop = Callable[[], bool]


class _Pipe:
    def __init__(self, fd: int, event: int):
        if os.get_blocking(fd):  # a blocking read or write would wait past any deadline
            raise ValueError(f"fd {fd} is blocking")
        self.fd = fd
        self._poller = select.poll()
        self._poller.register(fd, event)

    def _check(self, deadline: float | None, stop: Stop | None) -> None:
        """Before each attempt: a worker that never lets the fd block is still cut off."""
        if stop is not None and stop():
            raise EOFError("stopped")
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError

    def _wait(self, deadline: float | None, stop: Stop | None) -> None:
        """Until the fd is ready or it is time to look at the deadline or the stop flag again."""
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        if stop is not None:
            timeout = POLL_SECONDS if timeout is None else min(timeout, POLL_SECONDS)
        self._poller.poll(None if timeout is None else timeout * 1000)


class FrameReader(_Pipe):
    """Reads ``u64 length | body`` frames from a non-blocking pipe fd."""

    def __init__(self, fd: int):
        super().__init__(fd, select.POLLIN)
        self._buffer = bytearray()  # read, not yet handed out: the start of the next frame

    def read_frame(self, deadline: float | None, stop: Stop | None = None) -> bytearray:
        """The next frame's body; TimeoutError at ``deadline``, EOFError at the pipe's end or
        once ``stop()``, WireError for a length over ``wire.MAX_FRAME_BYTES`` (before its body
        is read)."""
        self._check(deadline, stop)
        while len(self._buffer) < 8:
            self._read_ahead(deadline, stop)
        length = wire.frame_length(bytes(self._buffer[:8]))
        if length > wire.MAX_FRAME_BYTES:
            raise wire.WireError(f"more than {wire.MAX_FRAME_BYTES // 2**20} MiB of data")
        del self._buffer[:8]
        if len(self._buffer) == length:  # the usual small frame: it came alone with its prefix
            body, self._buffer = self._buffer, bytearray()
            return body
        if len(self._buffer) > length:  # followed by (the start of) the next frame
            body = self._buffer[:length]
            del self._buffer[:length]
            return body
        # The rest goes straight into the body, and no further: no read-ahead copy of a large one.
        body = bytearray(length)
        view = memoryview(body)
        got = len(self._buffer)
        view[:got] = self._buffer
        self._buffer.clear()
        while got < length:
            self._check(deadline, stop)
            try:
                count = os.readv(self.fd, [view[got:]])
            except BlockingIOError:
                self._wait(deadline, stop)
                continue
            if not count:
                raise EOFError("channel closed")
            got += count
        return body

    def _read_ahead(self, deadline: float | None, stop: Stop | None) -> None:
        self._check(deadline, stop)
        try:
            chunk = os.read(self.fd, READ_AHEAD)
        except BlockingIOError:
            self._wait(deadline, stop)
            return
        if not chunk:
            raise EOFError("channel closed")
        self._buffer += chunk


class FrameWriter(_Pipe):
    """Writes bytes (whole frames) to a non-blocking pipe fd."""

    def __init__(self, fd: int):
        super().__init__(fd, select.POLLOUT)

    def write(self, data: bytes, deadline: float, stop: Stop | None = None) -> None:
        """All of ``data``; TimeoutError at ``deadline``, EOFError once ``stop()``; OSError
        (BrokenPipeError) when the worker's end is closed."""
        view = memoryview(data)
        while view:
            self._check(deadline, stop)
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                self._wait(deadline, stop)
