"""The grader's handle on one student's file for one topic.

Tests call ``student.some_function(...)``; the call runs in the sandboxed worker
and only plain data comes back. Failures that mean the code could not be run at
all (timeout, crash, missing function, file that did not load) are raised as
``StudentUnavailable``, a BaseException, so that hypothesis stops at once instead
of shrinking; errors raised by the student's function are ``StudentError``.
"""
from __future__ import annotations

import os
import signal
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from grader.callbacks import BoundCallback, CallbackRefused, plain_size
from grader.sandbox.inside import wire
from grader.sandbox.launcher import Limits, SandboxedProcess, ServerFailed, start_worker
from grader.sandbox.speculation import ReplyStream, RequestStalled, Speculation, StreamFailed

MAX_CRASHES = 3
MAX_OUTPUT_SHOWN = 2000
# Speculation's rebuild (``Submission._replay``): the requests kept to hand a fresh worker, at
# most (beyond, speculation ends for the topic: a test's answers fed back as its next inputs
# could otherwise grow the list by 64 MiB a call), and how much longer than the requests
# took live the fresh worker may take for them, on top of one call's limit.
MAX_HISTORY_BYTES = 256 * 2**20
REPLAY_SLOWDOWN = 2.0


class StudentError(Exception):
    """The student's function raised an exception or returned something unusable.

    ``plain`` says the same without anything the student's code chose at run time (its
    message, exception type, traceback, sizes): shown where that could carry values out.
    """

    def __init__(self, function: str, kind: str, message: str, trace: str = "",
                 exception_type: str = "", plain: str | None = None):
        super().__init__(message)
        self.function = function
        self.kind = kind
        self.exception_type = exception_type
        self.message = message
        self.trace = trace
        self.plain = plain or f"{function} failed"

    def __str__(self) -> str:
        return self.message


class StudentUnavailable(BaseException):
    """The student's code cannot be run for this call; the message says why.

    ``plain``, when given, is the message without what the student's code chose (an exit
    status, its garbage on the channel); None when the message is the grader's own words.
    """

    def __init__(self, message: str = "", plain: str | None = None, timed_out: bool = False):
        super().__init__(message)
        self.plain = plain
        self.timed_out = timed_out  # the call met its time limit (counted in grading.log)


class _CallbackLimit(StudentUnavailable):
    """Student code overran what one call may ask of the grader's functions; the call stops."""


class WorkerFailed(StudentUnavailable):
    """The worker died, misbehaved on its channel or timed out; it has been killed."""


class WorkerTimedOut(WorkerFailed):
    """The worker did not answer within its time limit."""


class _Stalled(TimeoutError):
    """The worker stopped reading the grader's answers (its request pipe is full)."""


class WorkerStalled(WorkerTimedOut):
    """The worker stopped reading what the grader sent it; it has been killed."""


class NotImplementedYet(StudentUnavailable):
    """The function still raises the stub's NotImplementedError: nothing to shrink or retry."""

    def __init__(self, message: str, function: str = ""):
        super().__init__(message)
        self.function = function


@dataclass
class CallResult:
    value: Any
    warnings: list[str] = field(default_factory=list)
    args_after: list[Any] = field(default_factory=list)


def describe_value(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array {value.shape}" if value.dtype == np.float64 else f"{value.dtype} array {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, float, np.number)):
        return "scalar"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if callable(value):
        return "function"
    return type(value).__name__


def describe_call(function: str, parameters: list[str], args: tuple, kwargs: dict) -> str:
    names = list(parameters) + [f"arg{i}" for i in range(len(parameters), len(args))]
    parts = [f"{name} {describe_value(value)}" for name, value in zip(names, args)]
    parts += [f"{name} {describe_value(value)}" for name, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


@dataclass
class _Served:
    """One bound callback as handed to one student call, with what that call has used."""

    callback: BoundCallback
    name: str  # the student function's parameter it was passed as, e.g. cost_fn
    receiver: str  # the student function, e.g. gradient_descent
    size_limit: int
    calls: int = 0


def _callbacks_for(function: str, parameters: list[str], args: tuple,
                   kwargs: dict) -> list[tuple[int | str, _Served]]:
    """The callables of a student call, which must be bound callbacks (a test author's error
    otherwise: a raw grader function would let student code call it on anything)."""
    served = []
    for slot, value in list(enumerate(args)) + list(kwargs.items()):
        if not callable(value):
            continue
        name = parameters[slot] if isinstance(slot, int) and slot < len(parameters) else str(slot)
        if not isinstance(value, BoundCallback):
            raise TypeError(f"{name} is passed to {function} as a plain callable; wrap it with "
                            "grader.callbacks.bound_callback so that student code can call it on "
                            "the test's own problem only")
        value.check_handed_with(function, [a for a in list(args) + list(kwargs.values())
                                           if not callable(a)])
        # Room for twice the problem (a student may pass its own copies) and small change.
        limit = 2 * plain_size(list(value.problem)) + 64 * 1024
        served.append((slot, _Served(value, name, function, limit)))
    return served


def call_request(function: str, parameters: list[str], args: tuple, kwargs: dict,
                 return_args: bool = False) -> tuple[dict, dict[int, _Served]]:
    """The request a call sends to the worker (bound callbacks replaced by slots), and the
    callbacks it may run; the same for sandboxed and trusted calls, so plans can be compared."""
    served = _callbacks_for(function, parameters, args, kwargs)
    callbacks, slots, plain_args, plain_kwargs = {}, [], list(args), dict(kwargs)
    for slot, entry in served:
        callbacks[len(callbacks)] = entry
        slots.append([slot, len(callbacks) - 1])
        if isinstance(slot, int):
            plain_args[slot] = None
        else:
            plain_kwargs[slot] = None
    return ({"op": "call", "function": function, "args": plain_args, "kwargs": plain_kwargs,
             "callbacks": slots, "return_args": return_args}, callbacks)


def _shared_slots(arglists: list[tuple]) -> list[tuple[int, str | None]]:
    """The argument slots that hold the same object in every list: a position, or an entry of
    a dict at a position (a gradient check moves one parameter and passes the rest as is)."""
    first = arglists[0] if arglists else ()
    if len(arglists) < 2 or any(len(args) != len(first) for args in arglists):
        return []
    slots: list[tuple[int, str | None]] = []
    for position, value in enumerate(first):
        column = [args[position] for args in arglists[1:]]
        if all(other is value for other in column):
            slots.append((position, None))
        elif type(value) is dict and all(type(other) is dict and list(other) == list(value)
                                         for other in column):
            slots += [(position, key) for key, entry in value.items()
                      if all(other[key] is entry for other in column)]
    return slots


def map_request(function: str, arglists: list[tuple], only: int | None = None) -> dict:
    """A map's request. What every argument list shares travels once (``shared``; its slots
    are None in the lists), and the worker hands each call a copy of its own, so each call
    receives what it would if every list travelled whole; ``only`` see ``Submission.map``."""
    lists = [list(args) for args in arglists]
    shared = []
    for position, key in _shared_slots(arglists):
        value = arglists[0][position]
        shared.append([position, key, value if key is None else value[key]])
        for args in lists:
            if key is None:
                args[position] = None
            else:  # a copy of the test's dict, in its order, with the shared entry left out
                args[position] = {name: None if name == key else entry
                                  for name, entry in args[position].items()}
    return {"op": "map", "function": function, "arglists": lists, "shared": shared, "only": only}


Slot = tuple[int, "str | None"]  # an argument's position, and its key if it is a dict's entry


def row_arglists(arglist: tuple, slot: Slot, rows: np.ndarray) -> list[tuple]:
    """``arglist`` with the argument at ``slot`` replaced by each of ``rows`` in turn (``rows[i]``:
    a view, or a numpy scalar for 1-d rows), the argument lists ``map_rows`` stands for."""
    position, key = slot
    lists = []
    for i in range(len(rows)):
        args = list(arglist)
        if key is None:
            args[position] = rows[i]
        else:
            args[position] = {**args[position], key: rows[i]}
        lists.append(tuple(args))
    return lists


def rows_request(function: str, arglist: tuple, slot: Slot, rows: np.ndarray,
                 only: int | None = None) -> dict:
    """A map over ``row_arglists(arglist, slot, rows)`` in one request: every other argument
    travels once (``shared``), the rows as one float64 array, and the worker builds each call's
    arguments as decoding those argument lists would (``Worker.map``). A gradient check moves one
    parameter by 2 x its size steps: this sends the parameter's moved values, not 2P copies of
    every argument."""
    position, key = slot
    template, shared = list(arglist), []
    for index, value in enumerate(arglist):
        if index == position and key is not None:  # the other entries of the dict are shared
            template[index] = {name: None for name in value}
            shared += [[index, name, entry] for name, entry in value.items() if name != key]
        else:
            template[index] = None
            if index != position:
                shared.append([index, None, value])
    return {"op": "map", "function": function, "shared": shared, "only": only,
            "rows": {"args": template, "position": position, "key": key, "values": rows}}


def _exit_reason(returncode: int | None, limits: Limits) -> tuple[str, str]:
    """Why the worker ended: in full, and without an exit status the student's code chose."""
    signals = {signal.SIGXCPU: f"it used more than {limits.cpu_seconds} s of CPU time",
               signal.SIGKILL: "it was killed (memory or time limit)",
               signal.SIGSEGV: "it crashed (segmentation fault)",
               signal.SIGXFSZ: f"it wrote more than {limits.file_bytes // 2**20} MiB to a file"}
    if returncode is None:
        return "it stopped answering", "it stopped answering"
    # A worker that is its pid namespace's pid 1 ends with 128 + the signal (confine's handlers),
    # one that is not with -signal: both read the same.
    number = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    if number in signals:
        return signals[number], signals[number]
    try:
        how = f"signal {signal.Signals(number).name}" if number else f"exit status {returncode}"
    except ValueError:
        how = f"exit status {returncode}"
    return (f"your code ended the process ({how}, for example os._exit, a signal or a crash)",
            "your code ended the process")


class Submission:
    """A student's file for one topic, loaded in a sandboxed worker on first use."""

    def __init__(self, source: str, *, module: str, filename: str,
                 signatures: dict[str, list[str]], limits: Limits | None = None,
                 load_error: str | None = None):
        self.source = source
        self.module = module
        self.filename = filename
        self.signatures = signatures
        self.limits = limits or Limits()
        self.load_error = load_error
        self.defined: list[str] | None = None
        self.timed_out: dict[str, str] = {}  # function -> why it is not called again
        self.crashes = 0
        self.last_call = ""
        self._worker: SandboxedProcess | None = None
        self._next_id = 0
        self._budget_deadline: float | None = None
        self._handed_out = False  # grader functions were handed to the student since end_test
        self._restart_pending = False
        # Speculation (grader.sandbox.speculation): this test's planned requests; every request
        # the live worker has answered, in order; what a fresh worker must be handed to stand
        # where the last one stood; and whether speculation is over for this topic.
        self._speculation: Speculation | None = None
        self._history: list[tuple[bytes, float]] = []  # each request, and the seconds it took
        self._history_bytes = 0
        self._rebuild: list[tuple[bytes, float]] | None = None
        self._speculation_off = False
        self._position = 0  # the capture position handed out for this test
        self._carried: tuple[bytes, int] = (b"", 0)  # printed in this test by a worker replaced during it
        self._resumed_at: int | None = None  # where the replacement's capture continues
        self._verifier: Submission | None = None  # see verifier()

    # -- lifecycle -------------------------------------------------------------
    def verifier(self) -> "Submission":
        """A second worker of this file that answers only the grader's spot checks of values
        this worker gave (``grader.gradcheck``): nothing this worker was asked, and nothing
        it remembers of how it was asked, can reach it."""
        if self._verifier is None:
            self._verifier = Submission(self.source, module=self.module, filename=self.filename,
                                        signatures=self.signatures, limits=self.limits,
                                        load_error=self.load_error)
        return self._verifier

    def close(self) -> None:
        stream = self._speculation.stream if self._speculation is not None else None
        if self._worker is not None:
            self._worker.kill(before_closing=stream.stop if stream is not None else None)
            self._worker = None
        elif stream is not None:
            stream.stop()
        self._speculation = None

    def __enter__(self) -> "Submission":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
        if self._verifier is not None:  # it outlives restarts: it holds nothing of this worker's
            self._verifier.close()
            self._verifier = None

    def start(self) -> None:
        """Load the file now, so that a file that cannot load is reported once."""
        self._ensure_worker()

    def end_test(self) -> bool:
        """Close a test; True if grader functions were handed to the student's code in it.

        Then the worker is restarted before the next test (not counted as a crash), so that
        nothing the student's code obtained from them, nor the functions themselves, can be
        kept for a later test.
        """
        handed, self._handed_out = self._handed_out, False
        speculation = self._speculation
        self._carried, self._resumed_at = (b"", 0), None
        if handed and self._worker is not None:
            self.close()
            self._restart_pending = True
        elif speculation is not None and speculation.ran_ahead:
            self._replace_worker()  # it may hold calls this test never made
            self._restart_pending = True
        self._speculation = None
        return handed

    def expect_calls(self, planned: list[bytes] | None) -> None:
        """The requests the coming test sends when the student answers like the reference (a
        plan's), or None; sent ahead at the test's first call if that call is the first of them.

        A test closed without ``end_test`` may have left its batch streaming: its worker is
        rebuilt (as ``end_test`` would) rather than dropped with its reader still running."""
        previous = self._speculation
        if previous is not None and previous.ran_ahead:
            self._replace_worker()
            self._restart_pending = True
        self._speculation = None
        if planned and not self._speculation_off and self.load_error is None:
            self._speculation = Speculation(list(planned))

    def _replace_worker(self) -> None:
        """Kill the worker; the next one is handed this one's live requests before anything else,
        and the rest of the topic runs live (a bounded cost: at most one rebuild a topic)."""
        history = self._history
        self.close()
        self._rebuild, self._speculation_off = history, True

    def set_budget(self, seconds: float | None) -> None:
        """Limit the wall time of all calls until the next ``set_budget`` (one test's worth)."""
        self._budget_deadline = None if seconds is None else time.monotonic() + seconds

    def _ensure_worker(self) -> None:
        if self.load_error is not None:
            raise StudentUnavailable(self.load_error)
        if self._worker is not None:
            return
        if self.crashes >= MAX_CRASHES:
            raise StudentUnavailable(f"your code crashed the grader's worker {self.crashes} times; "
                                     "the remaining calls were not run")
        self._worker = start_worker(self.limits)
        try:
            self._expect(time.monotonic() + self.limits.load_seconds, self.limits.load_seconds,
                         "starting")
            reply = self._request({"op": "load", "source": self.source, "filename": self.filename,
                                   "module": self.module}, self.limits.load_seconds, "loading your file",
                                  budgeted=False)
        except StudentUnavailable as error:
            self.load_error = f"your file could not be loaded: {error}"
            raise StudentUnavailable(self.load_error) from None
        if not reply["ok"]:
            self.load_error = self._load_failure_message(reply)
            self.close()
            raise StudentUnavailable(self.load_error)
        self.defined = reply["defined"]
        self._history, self._history_bytes = [], 0
        rebuild, self._rebuild = self._rebuild, None
        if rebuild:
            self._replay(rebuild)

    def _replay(self, answered: list[tuple[bytes, float]]) -> None:
        """Hand a fresh worker the requests its predecessor answered live, in order.

        All of them together may take ``REPLAY_SLOWDOWN`` times the time they took live plus one
        call's limit: code that is slow only when replayed (it can tell, from its channel) would
        otherwise hold the grader for every call it ever answered. Code whose answers depend only on its inputs and
        earlier calls is then where the live run would be; if the replay fails (code that reads
        the clock, say), the worker is started afresh, as after a crash, without counting one."""
        requests = [request for request, _ in answered]
        self._next_id += 1
        batch_id = self._next_id
        header = wire.encode({"op": "batch", "id": batch_id, "count": len(requests),
                              "stop_on_error": False})
        sent_at = time.monotonic()
        deadline = sent_at + REPLAY_SLOWDOWN * sum(took for _, took in answered) + self.limits.call_seconds
        stream = None
        try:
            self._write_bytes(header + requests[0], sent_at + self.limits.call_seconds)
            stream = ReplyStream(self._worker.replies, len(requests), sent_at,
                                 self._worker.requests, requests, self.limits.call_seconds)
            for index in range(len(requests)):
                seconds = deadline - time.monotonic()
                if seconds <= 0:
                    raise TimeoutError
                reply = stream.take(index, seconds)
                if reply.get("id") != batch_id or reply.get("index") != index:
                    raise StreamFailed(wire.WireError("an unexpected reply"))
            self._history, self._history_bytes = list(answered), sum(len(r) for r in requests)
        except (TimeoutError, StreamFailed, OSError):
            if stream is not None and self._worker is not None:
                self._worker.kill(before_closing=stream.stop)
            self.close()
            self._ensure_worker()
        else:
            stream.stop()

    def _load_failure_message(self, reply: dict) -> str:
        if reply.get("kind") == "syntax":
            line = reply.get("line")
            where = f" at line {line}" if isinstance(line, int) and not isinstance(line, bool) else ""
            text = (reply.get("text") or "").rstrip()
            return (f"your file has a syntax error{where}: {reply['message']}"
                    + (f"\n    {text}" if text else "") + "\nNothing in this topic could be graded.")
        trace = reply.get("traceback", "")
        return (f"importing your file raised {reply.get('type')}: {reply.get('message')}"
                + (f"\n{trace}" if trace else "") + "\nNothing in this topic could be graded.")

    # -- framing ---------------------------------------------------------------
    # Every read and write on a worker's pipes goes through its FrameReader and FrameWriter
    # (grader.sandbox.pipes), so a worker that stops reading or writing can hold the grader no
    # longer than the call's deadline.
    def _write_bytes(self, data: bytes, deadline: float) -> None:
        self._worker.requests.write(data, deadline)

    def _read_frame(self, deadline: float):
        return wire.decode(self._worker.replies.read_frame(deadline))

    def _fail_worker(self, reason: str, plain: str | None = None,
                     kind: type[WorkerFailed] = WorkerFailed) -> WorkerFailed:
        """Kill the worker; ``plain`` is ``reason`` without what the worker chose (None: the same)."""
        server_alive = self._worker.server.alive
        self.close()
        if not server_alive:  # the worker died with its server: the grader's failure, not the student's
            raise ServerFailed("the sandbox's fork server died during the call")
        self.crashes += 1
        return kind(reason, plain=reason if plain is None else plain)

    def _expect(self, deadline: float, seconds: float, doing: str, callbacks: dict | None = None):
        """Wait for the worker's reply, serving callbacks into grader functions meanwhile."""
        try:
            while True:
                message = self._read_frame(deadline)
                if not isinstance(message, dict):
                    raise wire.WireError("a malformed reply")
                if message.get("op") == "callback" and callbacks:
                    self._serve_callback(message, callbacks, deadline)
                    continue
                return message
        except _Stalled:
            raise self._fail_worker("", kind=WorkerStalled) from None
        except TimeoutError:
            raise self._fail_worker(f"it did not finish {doing} within {seconds:g} s",
                                    kind=WorkerTimedOut) from None
        except EOFError:
            raise self._fail_worker(*_exit_reason(self._worker.exit_status(2.0), self.limits)) from None
        except (wire.WireError, KeyError, TypeError, ValueError) as error:
            raise self._fail_worker(f"the grader could not read its reply ({error})",
                                    "the grader could not read its reply") from None

    def _serve_callback(self, message: dict, callbacks: dict, deadline: float) -> None:
        """Run a bound grader function for the student's code, within what the call allows.

        Arguments outside the bound problem are refused (the student's code gets an error
        saying why); too many calls, or arguments far larger than the problem, stop the call.
        """
        key = message.get("callback")
        served = callbacks.get(key) if isinstance(key, int) and not isinstance(key, bool) else None
        args, kwargs = message.get("args", []), message.get("kwargs", {})
        if served is None:
            reply = {"ok": False, "message": "the grader has no such function"}
        elif not isinstance(args, list) or not isinstance(kwargs, dict):
            reply = {"ok": False, "message": f"{served.name} was called with malformed arguments"}
        else:
            served.calls += 1
            if served.calls > served.callback.max_calls:
                raise _CallbackLimit(f"{served.receiver} called {served.name} more than "
                                     f"{served.callback.max_calls} times in one call, so the call "
                                     "was stopped")
            size = plain_size([args, kwargs], stop_above=served.size_limit)
            if size > served.size_limit:
                raise _CallbackLimit(f"{served.receiver} called {served.name} with arguments of "
                                     f"{size / 2**20:.1f} MiB, far larger than the problem it was "
                                     "given, so the call was stopped")
            try:
                arguments = served.callback.arguments(tuple(args), kwargs, receiver=served.receiver)
                reply = {"ok": True, "value": served.callback.run(arguments)}
            except CallbackRefused as refusal:
                reply = {"ok": False, "message": f"{served.name} {refusal}"}
            except Exception as error:  # grader code on checked arguments: its type is enough
                reply = {"ok": False, "message": f"{served.name} failed ({type(error).__name__})"}
        try:
            self._write_bytes(wire.encode(reply), deadline)
        except TimeoutError:
            raise _Stalled from None

    def _budgeted(self, seconds: float) -> float:
        if self._budget_deadline is not None:
            remaining = self._budget_deadline - time.monotonic()
            if remaining <= 0:
                raise StudentUnavailable("this test's time budget ran out before the call", timed_out=True)
            seconds = min(seconds, remaining)
        return seconds

    def _request(self, request: dict, seconds: float, doing: str, callbacks: dict | None = None,
                 budgeted: bool = True):
        # Loading is never budgeted: a load cut short by one test's budget would count as a
        # broken file for every later test.
        if budgeted:
            seconds = self._budgeted(seconds)
        self._next_id += 1
        request["id"] = self._next_id
        return self._exchange(wire.encode(request), seconds, doing, callbacks)

    def _exchange(self, data: bytes, seconds: float, doing: str, callbacks: dict | None = None,
                  index: int | None = None):
        """Send ``data`` (ending in a request with id ``_next_id``) and wait for its reply."""
        deadline = time.monotonic() + seconds
        try:
            self._write_bytes(data, deadline)
        except TimeoutError:
            raise self._fail_worker("", kind=WorkerStalled) from None
        except (BrokenPipeError, OSError):
            raise self._fail_worker(*_exit_reason(self._worker.exit_status(2.0), self.limits)) from None
        reply = self._expect(deadline, seconds, doing, callbacks)
        if reply.get("id") != self._next_id or (index is not None and reply.get("index") != index):
            raise self._fail_worker("the grader's channel received an unexpected reply")
        return reply

    def _answer(self, request: dict, seconds: float, doing: str, callbacks: dict | None = None):
        """The worker's reply to a call or map: from the test's speculation when the request is
        the next planned one, else live (as a batch of one, so that it is framed alike)."""
        encoded = wire.encode(request)
        speculation = self._speculation
        if speculation is not None and speculation.stream is None:
            if speculation.planned[0] == encoded:
                self._send_batch(speculation)
            else:  # not the reference's path from the start: nothing ran ahead
                self._speculation = speculation = None
        if speculation is not None:
            if speculation.matches(encoded):
                return self._take(speculation, seconds, doing)
            if speculation.ran_ahead:
                self._replace_mid_test(speculation)
            self._speculation = None
        seconds = self._budgeted(seconds)
        self._next_id += 1
        header = wire.encode({"op": "batch", "id": self._next_id, "count": 1, "stop_on_error": True})
        started = time.monotonic()
        reply = self._exchange(header + encoded, seconds, doing, callbacks, index=0)
        if not self._speculation_off:  # no rebuild can follow once speculation is over
            self._history.append((encoded, time.monotonic() - started))
            self._history_bytes += len(encoded)
            if self._history_bytes > MAX_HISTORY_BYTES:  # no speculation runs now: none can need it
                self._history, self._history_bytes, self._speculation_off = [], 0, True
        return reply

    def _send_batch(self, speculation: Speculation) -> None:
        self._next_id += 1
        speculation.batch_id = self._next_id
        header = wire.encode({"op": "batch", "id": self._next_id, "count": len(speculation.planned),
                              "stop_on_error": True})
        sent_at = time.monotonic()
        try:
            self._write_bytes(header + speculation.planned[0], sent_at + self.limits.call_seconds)
        except TimeoutError:
            raise self._fail_worker("", kind=WorkerStalled) from None
        except (BrokenPipeError, OSError):
            raise self._fail_worker(*_exit_reason(self._worker.exit_status(2.0), self.limits)) from None
        speculation.stream = ReplyStream(self._worker.replies, len(speculation.planned), sent_at,
                                         self._worker.requests, speculation.planned,
                                         self.limits.call_seconds, self._worker.capture.fileno())

    def _take(self, speculation: Speculation, seconds: float, doing: str) -> dict:
        """The streamed reply to the next planned request, failing as the live call would.

        The call has the live limit: ``seconds``, cut to what the test's budget has left now,
        when the test asks (the worker may have begun it earlier, while the test worked, but a
        live call sent now would have no more)."""
        seconds = self._budgeted(seconds)
        try:
            reply = speculation.stream.take(speculation.taken, seconds)
        except TimeoutError:
            raise self._fail_worker(f"it did not finish {doing} within {seconds:g} s",
                                    kind=WorkerTimedOut) from None
        except StreamFailed as failure:
            if isinstance(failure.cause, RequestStalled):
                raise self._fail_worker("", kind=WorkerStalled) from None
            if isinstance(failure.cause, (EOFError, OSError)):
                raise self._fail_worker(*_exit_reason(self._worker.exit_status(2.0), self.limits)) from None
            raise self._fail_worker(f"the grader could not read its reply ({failure.cause})",
                                    "the grader could not read its reply") from None
        if reply.get("id") != speculation.batch_id or reply.get("index") != speculation.taken:
            raise self._fail_worker("the grader's channel received an unexpected reply")
        index, stream = speculation.taken, speculation.stream
        self._history.append((speculation.planned[index], stream.took(index)))
        self._history_bytes += len(speculation.planned[index])
        speculation.taken += 1
        printed = reply.get("printed")  # the worker's word, never past what the grader measured
        speculation.printed = (min(printed, stream.printed(index)) if isinstance(printed, int)
                               and not isinstance(printed, bool) else stream.printed(index))
        if reply.get("more") is not True:
            speculation.finished = True
            speculation.stream.stop()
        return reply

    def _replace_mid_test(self, speculation: Speculation) -> None:
        """The test left the plan while the worker ran ahead: keep what it printed for the
        calls the test took, and go on in a rebuilt worker."""
        self._carried = self._captured(self._position, speculation.printed)
        self._replace_worker()
        self._ensure_worker()
        self._resumed_at = os.fstat(self._worker.capture.fileno()).st_size

    # -- calls -----------------------------------------------------------------
    def _prepare(self, function: str) -> None:
        if function in self.timed_out:
            raise StudentUnavailable(f"{function} {self.timed_out[function]} in an earlier test, "
                                     "so it was not run again")
        self._ensure_worker()
        if function not in self.defined:
            raise StudentUnavailable(f"your file does not define a function named {function}")

    def _raise_for(self, function: str, reply: dict) -> None:
        kind = reply.get("kind")
        if kind == "missing":
            raise StudentUnavailable(f"your file does not define a function named {function}")
        if kind == "exception" and reply.get("type") == "NotImplementedError":
            raise NotImplementedYet(f"{function} is not implemented yet (it raises NotImplementedError)",
                                    function)
        if kind == "exception":
            raise StudentError(function, "exception",
                               f"{function} raised {reply.get('type')}: {reply.get('message')}",
                               reply.get("traceback", ""), reply.get("type", ""),
                               plain=f"{function} raised an exception")
        raise StudentError(function, kind or "error", f"{function} {reply.get('message', 'failed')}",
                           plain=f"{function} returned a value the grader cannot accept"
                           if kind == "bad_return" else None)

    def call(self, function: str, *args, return_args: bool = False, **kwargs) -> CallResult:
        """Run ``function(*args, **kwargs)`` in the sandbox; bound callbacks run here, on request."""
        parameters = self.signatures.get(function, [])
        request, callbacks = call_request(function, parameters, args, kwargs, return_args)
        self._prepare(function)
        self.last_call = describe_call(function, parameters, args, kwargs)
        if callbacks:
            self._handed_out = True
        try:
            reply = self._answer(request, self.limits.call_seconds, f"{function}", callbacks)
        except WorkerStalled:
            self.timed_out[function] = "stopped reading the grader's answers"
            raise StudentUnavailable(f"{function} stopped reading the grader's answers (to the "
                                     "functions it was given, for example), so it was stopped") from None
        except WorkerTimedOut:
            self.timed_out[function] = f"did not return within {self.limits.call_seconds:g} s"
            raise StudentUnavailable(f"{function} did not return within {self.limits.call_seconds:g} s "
                                     "(an infinite loop?)", timed_out=True) from None
        except WorkerFailed as error:
            raise StudentUnavailable(f"{function} stopped the grader's worker: {error}",
                                     plain=f"{function} stopped the grader's worker: {error.plain}") from None
        except _CallbackLimit as error:
            self.close()  # it is waiting for an answer it will not get; not the student's crash
            raise StudentError(function, "callback_limit", str(error), plain=str(error)) from None
        if not reply.get("ok"):
            self._raise_for(function, reply)
        return CallResult(reply.get("value"), reply.get("warnings", []), reply.get("args_after", []))

    def map(self, function: str, arglists: list[tuple], only: int | None = None) -> list:
        """Evaluate ``function`` on many argument tuples in one round trip (for gradient checks).

        With ``only``, a returned tuple or list comes back with only that element, the others
        None (``wire.only_element``): a cost that reads one part of what the function returns
        (the loss of ``(loss, dW, db)``) does not pay for the rest to travel."""
        return self._map(function, lambda: map_request(function, arglists, only), len(arglists))

    def map_rows(self, function: str, arglist: tuple, slot: Slot, rows: np.ndarray,
                 only: int | None = None) -> list:
        """``map(function, row_arglists(arglist, slot, rows), only)``, sent as ``rows_request``."""
        return self._map(function, lambda: rows_request(function, arglist, slot, rows, only), len(rows))

    def _map(self, function: str, request: Callable[[], dict], count: int) -> list:
        self._prepare(function)  # last_call stays the test's own call: map is the grader's probing
        seconds = self.limits.call_seconds * max(1, count / 20)
        try:
            reply = self._answer(request(), seconds, function)
        except WorkerFailed as error:
            if isinstance(error, WorkerTimedOut):
                self.timed_out[function] = f"did not return within {seconds:g} s"
            raise StudentUnavailable(f"{function}: {error}", plain=f"{function}: {error.plain}") from None
        if not reply.get("ok"):
            self._raise_for(function, reply)
        values = reply.get("values")
        if not isinstance(values, list) or len(values) != count:  # the worker's word
            error = self._fail_worker("the grader could not read its reply (not one value per "
                                      "argument list)")
            raise StudentUnavailable(f"{function}: {error}")
        return values

    def worker_stats(self) -> dict | None:
        """What the live worker says of its CPU time (benchmarks only: the student's code could
        have rewritten the numbers, so nothing that grades may read them); None without a worker,
        or while a batch's replies stream in (a request now would cross them on the channel)."""
        if self._worker is None or self._speculation is not None and self._speculation.ran_ahead:
            return None
        try:
            reply = self._request({"op": "stats"}, self.limits.call_seconds, "stats", budgeted=False)
        except StudentUnavailable:
            return None
        return {key: reply.get(key) for key in ("student_cpu", "cpu")}

    def output_position(self) -> int:
        if self._worker is None and self._restart_pending:
            # Restart now, so that what the file prints while loading is not this test's output.
            self._restart_pending = False
            try:
                self._ensure_worker()
            except StudentUnavailable:
                pass  # the test's first call reports it
        if self._worker is None:
            return 0
        self._position = os.fstat(self._worker.capture.fileno()).st_size
        return self._position

    def _captured(self, start: int, end: int | None = None) -> tuple[bytes, int]:
        """The capture file's bytes from ``start`` to ``end`` (its end by default): at most
        what is shown, and how many there are."""
        if self._worker is None:
            return b"", 0
        fd = self._worker.capture.fileno()
        size = os.fstat(fd).st_size
        end = size if end is None else max(start, min(end, size))
        if end <= start:
            return b"", 0
        return os.pread(fd, min(end - start, MAX_OUTPUT_SHOWN), start), end - start

    def output_since(self, position: int) -> str:
        """What the student's code printed since ``position``, trimmed for a report.

        Under speculation that ran ahead, only what was printed up to the last reply the test
        took is the test's (the worker's own count, never past the capture's size when that
        reply arrived, before the worker was sent the next request)."""
        speculation = self._speculation
        end = speculation.printed if speculation is not None and speculation.ran_ahead else None
        if self._resumed_at is not None:
            data, size = self._captured(self._resumed_at, end)
            carried, carried_size = self._carried
            data, size = (carried + data)[:MAX_OUTPUT_SHOWN], size + carried_size
        else:
            data, size = self._captured(position, end)
        text = data.decode("utf-8", errors="replace")
        if size > MAX_OUTPUT_SHOWN:
            text += f"\n... ({size - MAX_OUTPUT_SHOWN} more bytes not shown)"
        return text

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_") or name not in self.signatures:
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs).value


class TrustedSubmission:
    """Trusted code (a reference) behind the same interface, called in this process.

    Values still make a wire round trip, so tests see exactly what a sandboxed call
    would return. It is the floor the isolation overhead is measured against, and
    lets instructors run a topic's tests on the reference without a sandbox.
    """

    def __init__(self, module: Any, signatures: dict[str, list[str]]):
        self.module = module
        self.signatures = signatures
        self.last_call = ""

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "TrustedSubmission":
        return self

    def __exit__(self, *exc) -> None:
        pass

    @staticmethod
    def _copy(value: Any) -> Any:
        return value if callable(value) else wire.decode(wire.encode(value)[8:])

    def call(self, function: str, *args, return_args: bool = False, **kwargs) -> CallResult:
        _callbacks_for(function, self.signatures.get(function, []), args, kwargs)  # same rules
        self.last_call = describe_call(function, self.signatures.get(function, []), args, kwargs)
        args = tuple(self._copy(a) for a in args)
        kwargs = {k: self._copy(v) for k, v in kwargs.items()}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(self.module, function)(*args, **kwargs)
        return CallResult(self._copy(value), [f"{w.category.__name__}: {w.message}" for w in caught],
                          [self._copy(a) for a in args if not callable(a)] if return_args else [])

    def map(self, function: str, arglists: list[tuple], only: int | None = None) -> list:
        # Trusted code does not change its arguments: they are passed as they are.
        return [self._copy(wire.only_element(getattr(self.module, function)(*args), only))
                for args in arglists]

    def map_rows(self, function: str, arglist: tuple, slot: Slot, rows: np.ndarray,
                 only: int | None = None) -> list:
        return self.map(function, row_arglists(arglist, slot, rows), only)

    def __getattr__(self, name: str) -> Callable:
        if name.startswith("_") or name not in self.signatures:
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs).value
