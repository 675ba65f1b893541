"""Reading an LMS download (a zip or a folder) without trusting a byte of it.

Every file is copied into a private staging folder under a name of our own (its index), so no
name in the download ever becomes a path: traversal (``../``, ``/etc``, ``C:\\``) cannot
write anywhere, and such names are refused and listed anyway. Links, devices and encrypted
entries are refused; a folder download is walked without following a link. Nested zips are
unpacked where they lie, as a folder of the same name. What is read is bounded as it is read,
never by what an archive's header claims: bytes per file, bytes and files per archive (a
nested archive over its bounds is refused as a whole, its siblings are kept), and nesting.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_DRIVE = re.compile(r"[A-Za-z]:")
_CHUNK = 1 << 20


class UnpackError(Exception):
    """The download itself cannot be read (missing, not a zip, over the download's bounds)."""


@dataclass(frozen=True)
class Bounds:
    """What one collect reads at most. A student's nested archive gets ``nested_bytes`` and
    ``nested_files`` of its own, so one zip bomb costs its student, not the class."""
    file_bytes: int = 20_000_000
    total_bytes: int = 2_000_000_000
    total_files: int = 50_000
    nested_bytes: int = 100_000_000
    nested_files: int = 2_000
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

    def take(self, files: int = 0, size: int = 0) -> str | None:
        """None if there was room, else which bound was exceeded; charged all the way up."""
        budget = self
        while budget is not None:
            budget.files -= files
            budget.size -= size
            if budget.files < 0:
                return f"{budget.label} has more than the allowed number of files"
            if budget.size < 0:
                return f"{budget.label} unpacks to more bytes than allowed"
            budget = budget.parent
        return None


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


class Download:
    """A download read into a staging folder; iterate ``entries``. Use as a context manager:
    the staging folder is removed on exit."""

    def __init__(self, path: Path, bounds: Bounds | None = None) -> None:
        self.source = Path(path)
        self.bounds = bounds or Bounds()
        self.entries: list[Entry] = []
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
                over = budget.take(size=len(chunk))
                if over:
                    out.close()
                    target.unlink()
                    raise _Over(budget, over)
                if size > self.bounds.file_bytes:
                    out.close()
                    target.unlink()
                    return None, f"it is larger than {self.bounds.file_bytes / 1e6:g} MB"
                out.write(chunk)
        return target, None

    def _add(self, parts: tuple[str, ...], archives: frozenset[int], stream_open, budget: _Budget,
             depth: int) -> None:
        over = budget.take(files=1)
        if over:
            raise _Over(budget, over)
        try:
            with stream_open() as stream:
                staged, problem = self._stage(stream, budget)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
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
            with zipfile.ZipFile(staged) as archive:
                self._members(archive, parts, archives | {len(parts) - 1}, nested, depth)
        except zipfile.BadZipFile:
            self.entries.append(Entry(parts, staged, None, archives))  # a file named .zip: kept
            return
        except _Over as over:
            if over.budget is not nested:
                raise
            for entry in self.entries[start:]:
                if entry.staged is not None:
                    entry.staged.unlink(missing_ok=True)
            del self.entries[start:]
            self.entries.append(Entry(parts, None, f"this archive was not unpacked: {over}", archives))
            return
        staged.unlink()

    def _members(self, archive: zipfile.ZipFile, prefix: tuple[str, ...], archives: frozenset[int],
                 budget: _Budget, depth: int) -> None:
        for info in archive.infolist():
            parts, absolute = _split(info.filename)
            full = prefix + tuple(parts)
            mode = info.external_attr >> 16
            problem = absolute or _bad_name(parts, self.bounds)
            if problem is None and info.is_dir():
                continue
            if problem is None and stat.S_ISLNK(mode):
                problem = "it is a symbolic link"
            elif problem is None and mode and not (stat.S_ISREG(mode) or stat.S_IFMT(mode) == 0):
                problem = "it is not a regular file"
            elif problem is None and info.flag_bits & 0x1:
                problem = "it is encrypted"
            if problem:
                over = budget.take(files=1)
                if over:
                    raise _Over(budget, over)
                self.entries.append(Entry(full, None, problem, archives))
                continue
            self._add(full, archives, lambda info=info: archive.open(info), budget, depth)

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
            if problem:
                over = budget.take(files=1)
                if over:
                    raise _Over(budget, over)
                self.entries.append(Entry(parts, None, problem))
                continue
            self._add(parts, frozenset(), lambda name=name: os.fdopen(
                os.open(name, _FLAGS, dir_fd=folder), "rb"), budget, 0)

    def _read(self) -> None:
        top = _Budget(self.bounds.total_files, self.bounds.total_bytes, None, "the download")
        try:
            if self.source.is_dir():
                folder = os.open(self.source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
                try:
                    self._walk(folder, (), top)
                finally:
                    os.close(folder)
            elif self.source.is_file():
                try:
                    with zipfile.ZipFile(self.source) as archive:
                        self._members(archive, (), frozenset(), top, 0)
                except zipfile.BadZipFile:
                    raise UnpackError(f"{self.source} is neither a folder nor a zip file") from None
            else:
                raise UnpackError(f"download not found: {self.source}")
        except _Over as over:
            raise UnpackError(f"{self.source}: {over}; raise the bounds if this download is "
                              "genuine") from None


def read_bytes(entry: Entry) -> bytes:
    """The staged bytes of an entry that was not refused."""
    assert entry.staged is not None
    return entry.staged.read_bytes()

