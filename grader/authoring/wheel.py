"""The grader package as a wheel, built from its own files: no pip, setuptools or network.

The Gradescope autograder, the student bundle and the otter route all install the grader
with ``pip install <wheel>`` (on Gradescope, on Colab, in otter's environment). A pure-Python
wheel is a zip of the package plus a ``.dist-info`` folder; building it here keeps
``grader gradescope build`` and ``grader release`` fast, offline and byte-for-byte
reproducible. The metadata (version, dependencies, extras, the ``grader`` command) comes from
the checkout's pyproject.toml, else from the installed distribution's own metadata.
"""
from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PYPROJECT = PACKAGE.parent / "pyproject.toml"
DISTRIBUTION = "ml-exercise-grader"
# A fixed timestamp: the same sources give the same wheel bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
SKIPPED = ("__pycache__",)


class WheelError(Exception):
    pass


def _metadata_from_pyproject(path: Path) -> tuple[str, str, str]:
    """(version, METADATA text, entry_points.txt text) from pyproject.toml's [project]."""
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project.get('description', '')}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines += [f"Requires-Dist: {requirement}" for requirement in project.get("dependencies", [])]
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {requirement}; extra == "{extra}"' for requirement in requirements]
    scripts = project.get("scripts", {})
    entry_points = ("[console_scripts]\n" + "".join(f"{name} = {target}\n"
                                                     for name, target in scripts.items())) if scripts else ""
    return project["version"], "\n".join(lines) + "\n", entry_points


def _installed_metadata() -> tuple[str, str, str]:
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise WheelError("cannot build the grader's wheel: no pyproject.toml beside the grader "
                         f"package and no installed {DISTRIBUTION}") from None
    return (distribution.version, distribution.read_text("METADATA") or "",
            distribution.read_text("entry_points.txt") or "")


def wheel_metadata() -> tuple[str, str, str]:
    """The grader's version, METADATA and entry points."""
    return _metadata_from_pyproject(PYPROJECT) if PYPROJECT.is_file() else _installed_metadata()


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _package_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*")
                  if path.is_file() and not any(part in SKIPPED for part in path.parts)
                  and path.suffix != ".pyc")


def build_wheel(out_dir: Path) -> Path:
    """Write ``ml_exercise_grader-<version>-py3-none-any.whl`` into ``out_dir``; return its path."""
    version, metadata_text, entry_points = wheel_metadata()
    stem = f"{DISTRIBUTION.replace('-', '_')}-{version}"
    dist_info = f"{stem}.dist-info"
    entries = [(f"grader/{path.relative_to(PACKAGE).as_posix()}", path.read_bytes())
               for path in _package_files()]
    entries.append((f"{dist_info}/METADATA", metadata_text.encode()))
    entries.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: grader\n"
                                          b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    if entry_points:
        entries.append((f"{dist_info}/entry_points.txt", entry_points.encode()))
    record = "\n".join(_record_line(name, data) for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"\n{dist_info}/RECORD,,\n").encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return path
