"""What a sandboxed child runs: it loads one student's file and answers calls into it.

The fork server (``forkserver.py``) forks a child per student and topic and calls
``run``. The child talks to the grader over two pipes with wire.py frames:
requests on fd 0, replies on fd 1; the student's own prints go to the capture
file on fd 2, and fds 0-1 are then pointed away from the pipes.
Nothing here is trusted by the grader: every reply is only "what the student's
function returned", which the student controls anyway.

Standard library and numpy only; this file is copied into the sandbox as is.
"""
import copy
import linecache
import os
import sys
import tempfile
import time
import traceback
import types
import warnings

import numpy as np

import wire

# Audit events that student code never needs. Raising in the hook aborts the call.
BLOCKED_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.kill", "os.killpg", "subprocess.Popen", "pty.spawn", "os.startfile",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata",
    "ctypes.addressof", "ctypes.string_at", "ctypes.wstring_at", "sys.remote_exec",
    "socket.__new__", "socket.bind", "socket.connect", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.sendto", "urllib.Request", "webbrowser.open",
})
WRITE_EVENTS = frozenset({"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod",
                          "os.chown", "os.symlink", "os.link", "os.truncate", "shutil.rmtree",
                          "os.utime"})


def install_audit_hook(readable: list, writable: list) -> None:
    """Clear messages for what the kernel refuses anyway (``confine``): not a boundary, since
    code in the worker can reach around it (native code, descriptors relative to dir_fd)."""
    readable = tuple(os.path.realpath(p) for p in readable)
    writable = tuple(os.path.realpath(p) for p in writable)

    def inside(path, roots) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor
        try:
            real = os.path.realpath(os.fsdecode(path))
        except Exception:
            return False
        return any(real == root or real.startswith(root.rstrip("/") + "/") for root in roots)

    blocked, write_events = BLOCKED_EVENTS, WRITE_EVENTS  # not the module's names, which code may rebind

    def hook(event, args):
        if event in blocked:
            raise PermissionError(f"the grader's sandbox does not allow {event}")
        if event == "open":
            path, mode = args[0], args[1]
            writing = isinstance(mode, str) and any(c in mode for c in "wax+")
            if isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
                writing = True
            if not inside(path, writable if writing else readable + writable):
                raise PermissionError(f"the grader's sandbox does not allow opening {path!r}")
        elif event in write_events:
            if not inside(args[0], writable):
                raise PermissionError(f"the grader's sandbox does not allow {event} on {args[0]!r}")
        elif event in ("os.listdir", "os.scandir"):
            if not inside(args[0] if args[0] is not None else ".", readable + writable):
                raise PermissionError(f"the grader's sandbox does not allow listing {args[0]!r}")

    sys.addaudithook(hook)


class Channel:
    def __init__(self, request_fd: int, reply_fd: int):
        self.request_fd = request_fd
        self.reply_fd = reply_fd

    def send(self, message) -> bool:
        """Send ``message``; False if it could not be sent and a bad_return error went instead."""
        try:
            wire.write_frame(self.reply_fd, message)
            return True
        except wire.WireError as error:
            wire.write_frame(self.reply_fd, {"ok": False, "kind": "bad_return", "id": message.get("id"),
                                             "index": message.get("index"), "more": False,
                                             "printed": message.get("printed"),
                                             "message": f"returned {error}, which the grader cannot "
                                                        "accept (use numbers and numpy arrays)"})
            return False

    def receive(self):
        return wire.read_frame(self.request_fd)


def describe_exception(error: BaseException, filename: str) -> dict:
    name = type(error).__name__
    try:
        message = str(error)[:2000]
    except Exception:
        message = "<the exception's message could not be printed>"
    if isinstance(error, SystemExit):
        message = f"your code called sys.exit({message})"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    student_trace = "".join(traceback.format_list(frames))[-4000:]
    return {"ok": False, "kind": "exception", "type": name, "message": message,
            "traceback": student_trace}


def fresh_copy(value):
    """A copy of a decoded value that shares nothing with it, as a second decoding would be."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    return copy.deepcopy(value)


def row_arglists(spec: dict):
    """The argument lists of a map sent as rows (``grader.sandbox.submission.rows_request``): the
    template with row i at its slot, as a fresh array, or a float for 1-d rows, which is how
    each list's own copy of row i would have been decoded (a numpy float64 travels as a float)."""
    template, position, key, rows = spec["args"], spec["position"], spec["key"], spec["values"]
    # Methods of built-in types only: student code may rebind names such as float or dict in
    # this process, not these (the wire's decoder is not reached through them either).
    one_d = rows.ndim == 1
    for row in rows:
        args = template.copy()
        value = row.item() if one_d else row.copy()
        if key is None:
            args[position] = value
        else:
            args[position] = args[position].copy()
            args[position][key] = value
        yield args


class Worker:
    def __init__(self, channel: Channel):
        self.channel = channel
        self.module = None
        self.filename = "<submission>"
        # CPU seconds spent inside the student's functions (callbacks into the grader
        # included), for the benchmarks' "fraction of CPU in student code"; never trusted.
        # Read from this thread's clock: while RLIMIT_CPU is armed, Linux advances the process
        # clock only at scheduler ticks and switches, so a call shorter than a tick (4 ms)
        # mostly read 0 on it (measured: 0.0 for 0.85 ms loops; this clock gives 0.584).
        self.student_cpu = 0.0

    def load(self, request) -> dict:
        self.filename = request["filename"]
        source = request["source"]
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        module = types.ModuleType(request["module"])
        module.__file__ = self.filename
        sys.modules[request["module"]] = module
        try:
            code = compile(source, self.filename, "exec")
        except SyntaxError as error:
            return {"ok": False, "kind": "syntax", "type": type(error).__name__,
                    "message": error.msg or "invalid syntax", "line": error.lineno,
                    "offset": error.offset, "text": (error.text or "")[:300]}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(code, module.__dict__)
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            reply = describe_exception(error, self.filename)
            reply["kind"] = "import"
            return reply
        self.module = module
        defined = sorted(name for name, value in vars(module).items()
                         if callable(value) and not name.startswith("_"))
        return {"ok": True, "defined": defined}

    def resolve_args(self, request) -> tuple:
        args = list(request.get("args", []))
        kwargs = dict(request.get("kwargs", {}))
        for slot, callback_id in request.get("callbacks", []):
            stub = self.callback_stub(callback_id)
            if isinstance(slot, int):
                args[slot] = stub
            else:
                kwargs[slot] = stub
        return args, kwargs

    def callback_stub(self, callback_id: int):
        channel = self.channel

        def call_grader_function(*args, **kwargs):
            channel.send({"op": "callback", "callback": callback_id, "args": list(args),
                          "kwargs": kwargs})
            reply = channel.receive()
            if not reply.get("ok"):
                raise RuntimeError(reply.get("message", "the grader's function failed"))
            return reply["value"]

        return call_grader_function

    def function(self, name: str):
        value = getattr(self.module, name, None)
        return value if callable(value) else None

    def call(self, request) -> dict:
        function = self.function(request["function"])
        if function is None:
            return {"ok": False, "kind": "missing", "message": request["function"]}
        args, kwargs = self.resolve_args(request)
        np.seterr(all="warn", under="ignore")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.thread_time()
            try:
                value = function(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001
                return describe_exception(error, self.filename)
            finally:
                self.student_cpu += time.thread_time() - started
        reply = {"ok": True, "value": value,
                 "warnings": [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]]}
        if request.get("return_args"):
            reply["args_after"] = [a for a in args if not callable(a)]
        return reply

    def map(self, request) -> dict:
        """``function`` on each argument list, with its own copy of what the lists share."""
        function = self.function(request["function"])
        if function is None:
            return {"ok": False, "kind": "missing", "message": request["function"]}
        shared, only = request.get("shared", []), request.get("only")
        arglists = request["arglists"] if request.get("rows") is None else row_arglists(request["rows"])
        values = []
        started = time.thread_time()
        try:
            for args in arglists:
                args = list(args)
                for position, key, value in shared:
                    if key is None:
                        args[position] = fresh_copy(value)
                    else:
                        args[position][key] = fresh_copy(value)
                try:
                    values.append(wire.only_element(function(*args), only))
                except BaseException as error:  # noqa: BLE001
                    return describe_exception(error, self.filename)
        finally:
            self.student_cpu += time.thread_time() - started
        return {"ok": True, "values": values}

    def batch(self, request) -> None:
        """Answer the ``count`` request frames that follow, sending each reply once computed
        (the grader sends each request once it has read the reply before it).

        The grader (``grader.sandbox.speculation``) sends the calls a test makes when the
        student answers like the reference, and checks each against what the test really
        asks; a single live call is a batch of one. Each reply says whether the next one
        follows (``more``) and how far the capture file had grown (``printed``). With ``stop_on_error`` (speculation) the batch stops
        after the first error, where a test usually stops too; without it (rebuilding a
        worker's state) every request runs, as it did live.
        """
        handlers = {"call": self.call, "map": self.map}
        count = request.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            self.channel.send({"ok": False, "kind": "protocol", "id": request.get("id"), "index": 0,
                               "more": False})
            return
        stop_on_error = request.get("stop_on_error", True)
        for index in range(count):
            item = self.channel.receive()  # the grader sends each once the reply before it is read
            handler = handlers.get(item.get("op")) if isinstance(item, dict) else None
            reply = handler(item) if handler else {"ok": False, "kind": "protocol"}
            last = index == count - 1 or (stop_on_error and not reply.get("ok"))
            reply.update(id=request.get("id"), index=index, more=not last,
                         printed=os.fstat(2).st_size)
            if (not self.channel.send(reply) and stop_on_error) or last:
                return

    def stats(self, request) -> dict:
        """CPU seconds of this worker's thread: inside the student's functions, and in all."""
        return {"ok": True, "student_cpu": self.student_cpu, "cpu": time.thread_time()}

    def serve(self) -> None:
        # Calls and maps arrive only inside a batch (a live call is a batch of one).
        handlers = {"load": self.load, "stats": self.stats}
        while True:
            try:
                request = self.channel.receive()
            except EOFError:
                return
            if request.get("op") == "batch":
                self.batch(request)  # sends its own replies
                continue
            handler = handlers.get(request.get("op"))
            reply = handler(request) if handler else {"ok": False, "kind": "protocol"}
            reply["id"] = request.get("id")
            self.channel.send(reply)


def redirect_standard_streams() -> Channel:
    """Keep private copies of the pipes; point fds 0-2 at /dev/null and the capture file."""
    request_fd = os.dup(0)
    reply_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # stderr is the grader's capture file
    sys.stdin = open(0, "r", closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    return Channel(request_fd, reply_fd)


def run(config: dict) -> None:
    """Serve one submission until the grader closes the request pipe."""
    channel = redirect_standard_streams()
    sys.path[:] = [p for p in sys.path if p != os.path.dirname(os.path.abspath(__file__))]
    os.chdir(config["workdir"])
    os.environ["TMPDIR"] = os.environ["HOME"] = config["workdir"]
    tempfile.tempdir = config["workdir"]
    if config.get("audit_hook", True):  # the framework's own tests turn it off to test the kernel
        install_audit_hook(config["readable"], config["writable"] + [config["workdir"]])
    sys.argv = ["submission"]
    channel.send({"op": "ready"})
    Worker(channel).serve()
