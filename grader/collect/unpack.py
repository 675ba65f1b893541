"""Reading an LMS download (a zip or a folder) without trusting a byte of it.

Every file is copied into a private staging folder under a name of our own (its index), so no
name in the download ever becomes a path: traversal (``../``, ``/etc``, ``C:\\``) cannot
write anywhere, and such names are refused and listed anyway. Links, devices and encrypted
entries are refused; a folder download is walked without following a link. Nested zips are
unpacked where they lie, as a folder of the same name. What is read is bounded as it is read,
never by what an archive's header claims: bytes per file, bytes and files per archive (a
nested archive over its bounds is refused as a whole, its siblings are kept), and nesting.
Each student's submission (as the platform's ``submission`` key names it) has a budget of its
own, never more than half the download's, and is refused as a whole when over it: one student
cannot exhaust the bounds of the class. Every entry, folders included, costs one file.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DRIVE = re.compile(r"[A-Za-z]:")
_CHUNK = 1 << 20


class UnpackError(Exception):
    """The download itself cannot be read (missing, not a zip, over the download's bounds)."""


@dataclass(frozen=True)
class Bounds:
    """What one collect reads at most. A student's submission gets ``submission_bytes`` and
    ``submission_files`` (never more than half the download's), and each nested archive
    ``nested_bytes`` and ``nested_files`` of its own, so a flood of files or one zip bomb
    costs its student, not the class."""
    file_bytes: int = 20_000_000
    total_bytes: int = 2_000_000_000
    total_files: int = 50_000
    nested_bytes: int = 100_000_000
    nested_files: int = 2_000
    submission_bytes: int = 200_000_000  # one student's submission (at most half the total)
    submission_files: int = 5_000
    depth: int = 3  # archives inside the download's own zip
    name_chars: int = 255
    path_parts: int = 12


@dataclass(frozen=True)
class Entry:
    """One file of the download. ``parts`` is its path (a nested zip is one part, as if it were
    a folder); ``staged`` is our copy of its bytes, None when it was refused (``problem``)."""
    parts: tuple[str, ...]
    staged: Path | None
    problem: str | None = None
    archives: frozenset[int] = field(default_factory=frozenset)  # indices of parts that are zips

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def path(self) -> str:
        return "/".join(self.parts)

    def folders_after(self, index: int) -> tuple[str, ...]:
        """The folders between part ``index`` and the file, nested archives not counted."""
        return tuple(part for number, part in enumerate(self.parts[index + 1:-1], index + 1)
                     if number not in self.archives)


class _Budget:
    def __init__(self, files: int, size: int, parent: "_Budget | None" = None, label: str = "") -> None:
        self.files, self.size, self.parent, self.label = files, size, parent, label
        self.initial = (files, size)

    def take(self, files: int = 0, size: int = 0) -> "_Budget | None":
        """Charge every budget up the chain alike; the innermost one exceeded, or None."""
        exceeded, budget = None, self
        while budget is not None:
            budget.files -= files
            budget.size -= size
            if exceeded is None and (budget.files < 0 or budget.size < 0):
                exceeded = budget
            budget = budget.parent
        return exceeded

    def reason(self) -> str:
        if self.files < 0:
            return f"{self.label} has more than the allowed number of files"
        return f"{self.label} unpacks to more bytes than allowed"

    def refund(self) -> None:
        """Give the parents back what this budget was charged (its content was refused)."""
        files, size = self.initial[0] - self.files, self.initial[1] - self.size
        if self.parent is not None:
            self.parent.take(-files, -size)


def _charge(budget: _Budget, files: int = 0, size: int = 0) -> None:
    exceeded = budget.take(files, size)
    if exceeded is not None:
        raise _Over(exceeded, exceeded.reason())


class _Over(Exception):
    def __init__(self, budget: _Budget, reason: str) -> None:
        super().__init__(reason)
        self.budget = budget


def _bad_name(parts: list[str], bounds: Bounds) -> str | None:
    if not parts or any(part in ("", ".", "..") for part in parts):
        return "its path leaves its folder (empty, '.' or '..' part)"
    if _DRIVE.match(parts[0]):
        return "its path is absolute"
    if any("\0" in part for part in parts):
        return "its name holds a NUL byte"
    if len(parts) > bounds.path_parts:
        return "its path is nested too deep"
    if any(len(part) > bounds.name_chars for part in parts):
        return "its name is too long"
    return None


def _split(name: str) -> tuple[list[str], str | None]:
    """A zip member's path as parts; absolute and Windows-separated names are caught here."""
    absolute = name.startswith(("/", "\\"))
    parts = [part for part in re.split(r"[/\\]", name)]
    if parts and parts[-1] == "":  # a folder entry's trailing slash
        parts = parts[:-1]
    return parts, "its path is absolute" if absolute else None


_UTF8_FLAG = 0x800  # general purpose bit 11: the name is UTF-8 (else cp437, by the zip spec)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it. Many zip writers (Windows' own, Canvas's and
    Moodle's downloads seen here) store UTF-8 names without the flag, which zipfile then reads
    as cp437 ("J├╢rg" for "Jörg"): a flagless name whose bytes are valid UTF-8 is taken as
    UTF-8 (ASCII names are the same either way; cp437 text is rarely valid UTF-8)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


class Download:
    """A download read into a staging folder; iterate ``entries``. Use as a context manager:
    the staging folder is removed on exit."""

    def __init__(self, path: Path, bounds: Bounds | None = None,
                 submission: Callable[[tuple[str, ...]], str | None] | None = None) -> None:
        """``submission``: the student submission a path of the download belongs to (a key
        that names it, "the submission of ..."; None for none), so each gets a budget of its own."""
        self.source = Path(path)
        self.bounds = bounds or Bounds()
        self.entries: list[Entry] = []
        self._submission = submission
        self._top: _Budget | None = None
        self._submissions: dict[str, _Budget] = {}
        self._owned: dict[str, list[Entry]] = {}
        self._staging: tempfile.TemporaryDirectory | None = None
        self._staged = 0

    def __enter__(self) -> "Download":
        self._staging = tempfile.TemporaryDirectory(prefix="grader-collect-")
        os.chmod(self._staging.name, 0o700)
        try:
            self._read()
        except BaseException:
            self._staging.cleanup()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._staging is not None:
            self._staging.cleanup()

    # -- staging --------------------------------------------------------------------------
    def _stage(self, stream: BinaryIO, budget: _Budget) -> tuple[Path | None, str | None]:
        """Copy at most ``file_bytes`` from ``stream``; charge what was read to ``budget``."""
        self._staged += 1
        target = Path(self._staging.name) / str(self._staged)
        size = 0
        with open(target, "xb") as out:
            while True:
                chunk = stream.read(min(_CHUNK, self.bounds.file_bytes + 1 - size))
                if not chunk:
                    break
                size += len(chunk)
                exceeded = budget.take(size=len(chunk))
                if exceeded is not None:
                    out.close()
                    target.unlink()
                    raise _Over(exceeded, exceeded.reason())
                if size > self.bounds.file_bytes:
                    out.close()
                    target.unlink()
                    return None, f"it is larger than {self.bounds.file_bytes / 1e6:g} MB"
                out.write(chunk)
        return target, None

    def _add(self, parts: tuple[str, ...], archives: frozenset[int], stream_open, budget: _Budget,
             depth: int) -> None:
        _charge(budget, files=1)
        try:
            with stream_open() as stream:
                staged, problem = self._stage(stream, budget)
        except _Over:
            raise
        except Exception as error:  # noqa: BLE001 - a damaged member (zlib.error, LZMAError, ...)
            self.entries.append(Entry(parts, None, f"it cannot be read ({type(error).__name__}: "
                                                   f"{str(error)[:100]})", archives))
            return
        if staged is not None and parts[-1].lower().endswith(".zip") and depth < self.bounds.depth:
            self._nested(parts, archives, staged, budget, depth + 1)
            return
        self.entries.append(Entry(parts, staged, problem, archives))

    def _nested(self, parts: tuple[str, ...], archives: frozenset[int], staged: Path, budget: _Budget,
                depth: int) -> None:
        nested = _Budget(self.bounds.nested_files, self.bounds.nested_bytes, budget, "/".join(parts))
        start = len(self.entries)
        try:
            archive = zipfile.ZipFile(staged)
        except zipfile.BadZipFile:
            self.entries.append(Entry(parts, staged, None, archives))  # a file named .zip: kept
            return
        except Exception as error:  # noqa: BLE001 - a zip zipfile cannot open (bad name, version)
            staged.unlink()
            self.entries.append(Entry(parts, None, "this archive was not unpacked: it cannot be read "
                                      f"({type(error).__name__}: {str(error)[:100]})", archives))
            return
        try:
            with archive:
                self._members(archive, parts, archives | {len(parts) - 1}, nested, depth)
        except Exception as error:  # noqa: BLE001 - over its bounds, or damaged past a member
            if isinstance(error, _Over) and error.budget is not nested:
                raise
            self._drop(self.entries[start:])
            staged.unlink(missing_ok=True)
            why = str(error) if isinstance(error, _Over) else \
                f"it cannot be read ({type(error).__name__}: {str(error)[:100]})"
            self.entries.append(Entry(parts, None, f"this archive was not unpacked: {why}", archives))
            return
        staged.unlink()
        if len(self.entries) == start:
            self.entries.append(Entry(parts, None, "this archive holds no file", archives))

    def _drop(self, entries: list[Entry]) -> None:
        gone = {id(entry) for entry in entries}
        for entry in entries:
            if entry.staged is not None:
                entry.staged.unlink(missing_ok=True)
        self.entries = [entry for entry in self.entries if id(entry) not in gone]

    def _item(self, parts: tuple[str, ...], budget: _Budget, read: Callable[[_Budget], None]) -> None:
        """Read one item of the download's own zip or folder, charged to its submission's budget;
        a submission over its budget is refused as a whole (and refunded to the download)."""
        key = self._submission(parts) if self._submission and budget is self._top else None
        if key is None:
            read(budget)
            return
        own = self._submissions.get(key)
        if own is None:
            files = min(self.bounds.submission_files, self.bounds.total_files // 2)
            size = min(self.bounds.submission_bytes, self.bounds.total_bytes // 2)
            own = self._submissions[key] = _Budget(files, size, budget, key)
            self._owned[key] = []
        elif own.files < 0 or own.size < 0:  # already refused: listed once, read no further
            return
        start = len(self.entries)
        try:
            read(own)
        except _Over as over:
            if over.budget is not own:
                raise
            self._drop(self._owned[key] + self.entries[start:])
            own.refund()
            own.files = own.size = -1  # stays refused
            self.entries.append(Entry(parts, None, f"this submission was not unpacked: {over}"))
            return
        self._owned[key] += self.entries[start:]

    def _members(self, archive: zipfile.ZipFile, prefix: tuple[str, ...], archives: frozenset[int],
                 budget: _Budget, depth: int) -> None:
        for info in archive.infolist():
            parts, absolute = _split(_member_name(info))
            full = prefix + tuple(parts)
            problem = absolute or _bad_name(parts, self.bounds)
            self._item(full, budget, lambda budget, info=info, full=full, problem=problem:
                       self._member(archive, info, full, problem, archives, budget, depth))

    def _member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, full: tuple[str, ...],
                problem: str | None, archives: frozenset[int], budget: _Budget, depth: int) -> None:
        mode = info.external_attr >> 16
        if problem is None and info.is_dir():
            _charge(budget, files=1)  # a folder entry costs what a file does
            return
        if problem is None and stat.S_ISLNK(mode):
            problem = "it is a symbolic link"
        elif problem is None and mode and not (stat.S_ISREG(mode) or stat.S_IFMT(mode) == 0):
            problem = "it is not a regular file"
        elif problem is None and info.flag_bits & 0x1:
            problem = "it is encrypted"
        if problem:
            _charge(budget, files=1)
            self.entries.append(Entry(full, None, problem, archives))
            return
        self._add(full, archives, lambda: archive.open(info), budget, depth)

    def _walk(self, folder: int, prefix: tuple[str, ...], budget: _Budget) -> None:
        for name in sorted(os.listdir(folder)):
            parts = prefix + (name,)
            problem = _bad_name(list(parts), self.bounds)
            info = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if problem is None and stat.S_ISDIR(info.st_mode):
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                dir_fd=folder)
                try:
                    self._walk(child, parts, budget)
                finally:
                    os.close(child)
                continue
            if problem is None and stat.S_ISLNK(info.st_mode):
                problem = "it is a symbolic link"
            elif problem is None and not stat.S_ISREG(info.st_mode):
                problem = "it is not a regular file"
            self._item(parts, budget, lambda budget, name=name, parts=parts, problem=problem:
                       self._walked(folder, name, parts, problem, budget))

    def _walked(self, folder: int, name: str, parts: tuple[str, ...], problem: str | None,
                budget: _Budget) -> None:
        if problem:
            _charge(budget, files=1)
            self.entries.append(Entry(parts, None, problem))
            return
        self._add(parts, frozenset(), lambda: os.fdopen(os.open(name, _FLAGS, dir_fd=folder), "rb"),
                  budget, 0)

    def _read(self) -> None:
        top = self._top = _Budget(self.bounds.total_files, self.bounds.total_bytes, None, "the download")
        try:
            if self.source.is_dir():
                folder = os.open(self.source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    self._walk(folder, (), top)
                finally:
                    os.close(folder)
            elif self.source.is_file():
                try:
                    archive = zipfile.ZipFile(self.source)
                except zipfile.BadZipFile:
                    raise UnpackError(f"{self.source} is neither a folder nor a zip file") from None
                except Exception as error:  # noqa: BLE001 - a zip zipfile cannot open
                    raise UnpackError(f"{self.source} cannot be read ({type(error).__name__}: "
                                      f"{str(error)[:100]})") from None
                with archive:
                    self._members(archive, (), frozenset(), top, 0)
            else:
                raise UnpackError(f"download not found: {self.source}")
        except _Over as over:
            raise UnpackError(f"{self.source}: {over}; raise the bounds if this download is "
                              "genuine") from None


def read_bytes(entry: Entry) -> bytes:
    """The staged bytes of an entry that was not refused."""
    assert entry.staged is not None
    return entry.staged.read_bytes()

