"""Speculative batched calls: a test's planned calls sent to the worker in one message.

A topic's plan (``grader.grading.plan``) holds, for each test, the requests the test sends
when the student answers exactly like the reference. At the test's first call, if it is the
plan's first request, ``Submission`` sends a ``batch`` message and its first request; a
reader thread (``ReplyStream``) sends each next request as soon as the worker's reply to the
one before it has been read, so the worker answers them one after another while the test goes
on in this process. Every call the test then makes is compared, byte for byte, with the next
planned request: equal, it takes the streamed reply; different, the speculation ends and the
call goes live.

Why this cannot change a grade:

- A reply is used only for a request identical to the one the test makes, and the worker
  computed it in the state the live run would have left: the same requests before it, in
  the same order, in the same worker (for code whose answers depend only on its inputs and
  its earlier calls; code that reads the clock or the OS's randomness is not repeatable live
  either).
- The worker sees no request before it has answered all those before it, as live. A later
  planned request can carry what the test computed from the reference (its answer to an
  earlier call, passed on to the next function): sent ahead all at once, code in the worker
  could read it and return it as its own answer.
- Time limits are the live ones: ``ReplyStream`` notes when each request was sent (when the
  worker could begin it) and when each reply arrived, and a call may take the live call's
  limit, cut to what the test's budget has left when the test asks for it; a reply that
  arrives later is a timeout, exactly as live.
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
import threading
import time
from dataclasses import dataclass, field

from grader.sandbox.inside import wire
from grader.sandbox.pipes import POLL_SECONDS, FrameReader, FrameWriter

MAX_HELD_BYTES = 256 * 2**20  # replies read ahead of the test, at most, before the next request
# What one byte of a frame's JSON header can become once decoded: at most 26 bytes at peak
# (measured: "[{},{},...]" and '[{"a":0},...]'; empty lists 23, floats 10, zero-size arrays
# 7). Array data is copied once, byte for byte. A held reply counts as its arrays plus this
# many times its header, so a worker cannot fill the grader with small frames of empty dicts.
HEADER_EXPANSION = 32


def held_size(body: bytes | bytearray) -> int:
    """An upper bound on the memory a decoded reply holds: see ``HEADER_EXPANSION``."""
    header = int.from_bytes(body[:4], "little") if len(body) >= 4 else 0
    return len(body) + (HEADER_EXPANSION - 1) * min(header, len(body))


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
    size: int = 0  # what the decoded reply may hold (``held_size``) until the test takes it
    printed: int = 0  # the capture file's size then, before the next request was sent


class RequestStalled(Exception):
    """The worker stopped reading its requests: the next one could not be sent in time."""


@dataclass
class ReplyStream:
    """Sends one batch's requests to the worker one at a time and reads its replies, in a
    thread, noting when each request went out and when each reply arrived.

    Request ``i + 1`` is written only once reply ``i`` has been read, so the worker never
    sees a request before it has answered every one before it, as live: a later planned
    request may carry what the test computed from the reference (the expected answer to an
    earlier call), which the worker must not read before it has answered that call. The
    reader stops after a reply that says no more follow, after ``count`` replies, at the
    first unreadable frame, or when ``stop`` is called; it never takes a frame past its batch
    (bytes read ahead stay in the worker's ``FrameReader``), so the channel is the live one's
    again once it is done. It holds at most ``MAX_HELD_BYTES`` of replies the test has not
    taken before it sends the next request."""

    replies: FrameReader  # the worker's, read by this stream's thread only until it ends
    count: int
    sent_at: float  # when the header and request 0 were sent (by the caller)
    requests: FrameWriter  # the worker's; requests 1.. are written by this stream's thread
    frames: list[bytes] = field(default_factory=list)  # all ``count`` requests; 1.. are sent here
    write_seconds: float = 0.0  # how long writing one request may take
    capture_fd: int | None = None  # the worker's capture file, measured at each arrival
    _arrivals: list[_Arrival] = field(default_factory=list)
    _started: list[float] = field(default_factory=list)  # when each request was sent
    _held: int = 0
    _ready: threading.Condition = field(default_factory=threading.Condition)
    _stopping: bool = False

    def __post_init__(self) -> None:
        self._started.append(self.sent_at)
        self._thread = threading.Thread(target=self._read_all, name="grader-reply-stream", daemon=True)
        self._thread.start()

    def _stopped(self) -> bool:
        return self._stopping

    def _printed(self) -> int:
        return 0 if self.capture_fd is None else os.fstat(self.capture_fd).st_size

    def _send(self, index: int) -> None:
        """Write request ``index`` once the replies held for the test leave room."""
        with self._ready:
            while self._held > MAX_HELD_BYTES and not self._stopping:
                self._ready.wait(POLL_SECONDS)
            if self._stopping:
                raise EOFError
            started = time.monotonic()
            self._started.append(started)
            self._ready.notify_all()
        try:
            self.requests.write(self.frames[index], started + self.write_seconds, self._stopped)
        except TimeoutError:
            raise RequestStalled from None

    def _read_all(self) -> None:
        for index in range(self.count):
            try:
                # No deadline: the test's take() times the call out; stop() ends the wait.
                body = self.replies.read_frame(None, self._stopped)
                message = wire.decode(body)
                arrival = _Arrival(time.monotonic(), message, size=held_size(body), printed=self._printed())
            except (EOFError, OSError, wire.WireError, KeyError, TypeError, ValueError) as error:
                arrival = _Arrival(time.monotonic(), failure=error)  # what a live read catches
            # Read before the test can take the reply (taking lets go of the message).
            more = isinstance(arrival.message, dict) and arrival.message.get("more") is True
            with self._ready:
                self._arrivals.append(arrival)
                self._held += arrival.size
                self._ready.notify_all()
            if arrival.failure is not None or not more or self._stopping or index + 1 == self.count:
                return
            try:
                self._send(index + 1)
            except (EOFError, OSError, RequestStalled) as error:
                with self._ready:
                    self._arrivals.append(_Arrival(time.monotonic(), failure=error))
                    self._ready.notify_all()
                return

    def take(self, index: int, seconds: float) -> dict:
        """Reply ``index``; TimeoutError when the live call would have timed out.

        The call's time runs from when its request was sent (when the worker could begin it)
        for ``seconds``, the live call's limit (its budget included)."""
        with self._ready:
            while len(self._arrivals) <= index:
                alive = self._thread.is_alive()
                if len(self._started) > index:
                    remaining = self._started[index] + seconds - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                else:  # the reader is about to send it
                    remaining = POLL_SECONDS
                if not alive and len(self._arrivals) <= index:
                    raise StreamFailed(EOFError("the worker's replies ended"))
                self._ready.wait(min(remaining, POLL_SECONDS))
            arrival = self._arrivals[index]
            message, arrival.message = arrival.message, None  # the test holds it from here
            self._held -= arrival.size
            self._ready.notify_all()
            limit = self._started[index] + seconds if len(self._started) > index else arrival.at
        if arrival.failure is not None:
            raise StreamFailed(arrival.failure)
        if arrival.at > limit:
            raise TimeoutError  # it answered, but after the live call would have been stopped
        if not isinstance(message, dict):
            raise StreamFailed(wire.WireError("a malformed reply"))
        return message

    def printed(self, index: int) -> int:
        """The capture file's size when reply ``index`` arrived: all the worker can have printed
        before it was sent request ``index + 1`` (unlike the reply's own ``printed``, its word)."""
        with self._ready:
            return self._arrivals[index].printed

    def took(self, index: int) -> float:
        """Seconds from sending request ``index`` to the arrival of its reply (once taken)."""
        with self._ready:
            return self._arrivals[index].at - self._started[index]

    def stop(self) -> None:
        """Stop reading (the worker is being killed or its channel is needed live)."""
        self._stopping = True
        with self._ready:
            self._ready.notify_all()
        self._thread.join()


@dataclass
class Speculation:
    """One test's planned requests and how far the test has followed them."""

    planned: list[bytes]  # each request's wire frame, without its id
    stream: ReplyStream | None = None
    batch_id: int = 0
    taken: int = 0  # replies the test has used
    finished: bool = False  # the last reply taken said none follow: the worker is live again
    printed: int = 0  # the capture file's size after the last reply taken (see ReplyStream.printed)

    def matches(self, request: bytes) -> bool:
        return not self.finished and self.taken < len(self.planned) and self.planned[self.taken] == request

    @property
    def ran_ahead(self) -> bool:
        """The worker may hold calls the test did not make (sent, and not finished)."""
        return self.stream is not None and not self.finished
