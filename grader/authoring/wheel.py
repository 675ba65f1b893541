"""The grader package as a wheel, built by pip from the checkout's pyproject.toml.

The Gradescope autograder, the student bundle and the otter route all install the grader
with ``pip install <wheel>`` (on Gradescope, on Colab, in otter's environment). pip builds it
with the project's own build backend (setuptools), so the wheel's metadata (dependencies,
extras, the ``grader`` command, the pytest plugin) is what ``pip install .`` would give;
``SOURCE_DATE_EPOCH`` fixes the time stamps, so the same sources give the same bytes.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PROJECT = PACKAGE.parent
DISTRIBUTION = "ml-exercise-grader"
# 2020-01-01: the time stamp of every file in the wheel (and of the zips that carry it).
SOURCE_DATE_EPOCH = 1577836800
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


class WheelError(Exception):
    pass


def build_wheel(out_dir: Path) -> Path:
    """Write ``ml_exercise_grader-<version>-py3-none-any.whl`` into ``out_dir``; return its path."""
    if not (PROJECT / "pyproject.toml").is_file():
        raise WheelError("cannot build the grader's wheel: this grader was installed from a wheel, "
                         "not run from its checkout (its pyproject.toml is not beside the package)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-wheel-") as folder:
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
             "--wheel-dir", folder, str(PROJECT)],
            env=os.environ | {"SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH)},
            capture_output=True, text=True)
        wheels = list(Path(folder).glob("*.whl"))
        if built.returncode != 0 or len(wheels) != 1:
            raise WheelError("pip could not build the grader's wheel (it needs setuptools from PyPI, "
                             f"or installed): {(built.stderr or built.stdout).strip()[-800:]}")
        target = out_dir / wheels[0].name
        target.write_bytes(wheels[0].read_bytes())
    return target


def core_requirements() -> list[str]:
    """The names of the grader's core dependencies (no extras), from its installed metadata."""
    requirements = metadata.requires(DISTRIBUTION) or []
    return [re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
            for requirement in requirements if "extra ==" not in requirement]
