"""Speculative batched calls: a test's planned calls sent to the worker in one message.

A topic's plan (``grader.grading.plan``) holds, for each test, the requests the test sends
when the student answers exactly like the reference. At the test's first call, if it is the
plan's first request, ``Submission`` sends the whole list in one ``batch`` message; the
worker answers the requests one after another, streaming each reply as soon as it is
computed, while the test goes on in this process. Every call the test then makes is
compared, byte for byte, with the next planned request: equal, it takes the streamed reply;
different, the speculation ends and the call goes live.

Why this cannot change a grade:

- A reply is used only for a request identical to the one the test makes, and the worker
  computed it in the state the live run would have left: the same requests before it, in
  the same order, in the same worker (for code whose answers depend only on its inputs and
  its earlier calls; code that reads the clock or the OS's randomness is not repeatable live
  either).
- Time limits are the live ones: ``ReplyStream`` notes when each reply arrived, so a call's
  time runs from the arrival of the reply before it (when the worker began it) and a reply
  that arrives later than the live deadline is a timeout, exactly as live.
- When the worker may have run ahead of the test (the test stopped or asked something else
  while planned requests were left), its state may hold calls a live run never made. It is
  then killed, a fresh worker loads the file and is handed, in order, every request this
  worker really answered for the test (``Submission._history``), and the rest of the topic
  runs live. What the student printed is shown up to the last reply the test took.
- Only what the test asks is ever answered from the stream, so a worker that lies about
  ``more`` or sends extra frames gains nothing: an unexpected frame fails it as live.

Tests that measure anything but the answers (a timing test's clock) do not speculate:
``grader.testing.live_calls`` marks them, and the plan leaves out tests whose code reads
the time.
"""
from __future__ import annotations

import os
import select
import threading
import time
from dataclasses import dataclass, field

from grader.sandbox.inside import wire

POLL_SECONDS = 0.2  # how often the reader looks whether it was told to stop


class StreamFailed(Exception):
    """The worker's channel ended or carried something unreadable; ``cause`` says which."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


@dataclass
class _Arrival:
    at: float  # time.monotonic() when the whole frame had been read
    message: object = None
    failure: BaseException | None = None


@dataclass
class ReplyStream:
    """Reads one batch's replies from the worker in a thread, noting when each arrived.

    The reader stops after a reply that says no more follow, after ``count`` replies, at the
    first unreadable frame, or when ``stop`` is called; it never reads past its batch, so the
    channel is the live one's again once it is done."""

    fd: int
    count: int
    sent_at: float
    _arrivals: list[_Arrival] = field(default_factory=list)
    _ready: threading.Condition = field(default_factory=threading.Condition)
    _stopping: bool = False

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._read_all, name="grader-reply-stream", daemon=True)
        self._thread.start()

    def _read_exactly(self, count: int) -> bytes:
        chunks = []
        while count:
            poller = select.poll()
            poller.register(self.fd, select.POLLIN)
            if not poller.poll(POLL_SECONDS * 1000):
                if self._stopping:
                    raise EOFError
                continue
            chunk = os.read(self.fd, min(count, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)

    def _read_all(self) -> None:
        for _ in range(self.count):
            try:
                length = wire.frame_length(self._read_exactly(8))
                if length > wire.MAX_FRAME_BYTES:
                    raise wire.WireError(f"more than {wire.MAX_FRAME_BYTES // 2**20} MiB of data")
                message = wire.decode(self._read_exactly(length))
                arrival = _Arrival(time.monotonic(), message)
            except (EOFError, OSError, wire.WireError, ValueError) as error:
                arrival = _Arrival(time.monotonic(), failure=error)
            with self._ready:
                self._arrivals.append(arrival)
                self._ready.notify_all()
            more = isinstance(arrival.message, dict) and arrival.message.get("more") is True
            if arrival.failure is not None or not more or self._stopping:
                return

    def take(self, index: int, seconds: float, deadline: float | None) -> dict:
        """Reply ``index``; TimeoutError when the live call would have timed out.

        The call's time runs from when the worker began it, the arrival of reply
        ``index - 1`` (or the sending of the batch), for ``seconds``, and never past
        ``deadline`` (the test's budget)."""
        started = self.sent_at if index == 0 else self._arrival(index - 1).at
        limit = started + seconds if deadline is None else min(started + seconds, deadline)
        with self._ready:
            while len(self._arrivals) <= index:
                remaining = limit - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive() and len(self._arrivals) <= index:
                    if remaining <= 0:
                        raise TimeoutError
                    raise StreamFailed(EOFError("the worker's replies ended"))
                self._ready.wait(remaining)
        arrival = self._arrivals[index]
        if arrival.failure is not None:
            raise StreamFailed(arrival.failure)
        if arrival.at > limit:
            raise TimeoutError  # it answered, but after the live call would have been stopped
        if not isinstance(arrival.message, dict):
            raise StreamFailed(wire.WireError("a malformed reply"))
        return arrival.message

    def took(self, index: int) -> float:
        """Seconds from the worker beginning request ``index`` to its reply's arrival."""
        started = self.sent_at if index == 0 else self._arrival(index - 1).at
        return self._arrival(index).at - started

    def _arrival(self, index: int) -> _Arrival:
        with self._ready:
            return self._arrivals[index]

    def stop(self) -> None:
        """Stop reading (the worker is being killed or its channel is needed live)."""
        self._stopping = True
        self._thread.join()


@dataclass
class Speculation:
    """One test's planned requests and how far the test has followed them."""

    planned: list[bytes]  # each request's wire frame, without its id
    stream: ReplyStream | None = None
    batch_id: int = 0
    taken: int = 0  # replies the test has used
    finished: bool = False  # the last reply taken said none follow: the worker is live again
    printed: int = 0  # the capture file's size after the last reply taken (the worker's word)

    def matches(self, request: bytes) -> bool:
        return not self.finished and self.taken < len(self.planned) and self.planned[self.taken] == request

    @property
    def ran_ahead(self) -> bool:
        """The worker may hold calls the test did not make (sent, and not finished)."""
        return self.stream is not None and not self.finished
