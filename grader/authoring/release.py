"""The student bundle: what students get, and nothing derived from the references.

    README.md               for students: install, ``grader check``, the notebooks, hidden
                            tests, how to name and submit files (not the instructor's README)
    scripts/install         installs the grader wheel and its core dependencies only: no
                            apt packages, no browser, no test tools, no otter, no Dask
    wheels/<grader>.whl     the grader as a wheel, so ``pip install`` works anywhere (Colab)
    exercises/<topic>/      each topic's stub and public tests; exercises/conftest.py so that
                            ``pytest exercises/TOPIC`` runs them as ``grader check`` does
    notebooks/<topic>.ipynb freshly built student notebooks

Never copied: solutions/ (references, hidden tests), the master notebooks, the sample class,
the framework's tests and their fixtures (correct submissions). The bundle is a course
folder: ``grader check`` finds its topics from ``exercises/`` there. The grader package holds
no secrets; it travels inside the wheel.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from grader.authoring.notebooks import build_student_notebooks
from grader.authoring.wheel import build_wheel
from grader.course.topics import Topic

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")

STUDENT_INSTALL = r"""#!/usr/bin/env bash
# Install the grader for `grader check` and the notebooks' check cells: the wheel in wheels/
# and what it needs (numpy, hypothesis, nbformat, jinja2, tqdm). Nothing else, no root.
# With a virtual environment active (or PYTHON=...), installs there; otherwise into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${VIRTUAL_ENV:-}" ] || [ -n "${PYTHON:-}" ]; then
    PY=${PYTHON:-python}
else
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "the grader needs Python 3.11 or newer" >&2; exit 1; }
    [ -x .venv/bin/python ] || python3 -m venv .venv
    PY=.venv/bin/python
    echo "installed into .venv: run 'source .venv/bin/activate' before 'grader check'"
fi
"$PY" -m pip install --quiet --disable-pip-version-check wheels/*.whl
"$PY" -m grader topics
"""


def student_readme(topics: list[Topic], wheel: str) -> str:
    """The bundle's README, for students."""
    listed = "\n".join(f"- `{topic.name}`: {topic.title}" for topic in topics)
    first = topics[0].name if topics else "TOPIC"
    return f"""# Exercises

Topics:

{listed}

## Install

You need Python 3.11 or newer. In this folder:

```
bash scripts/install          # makes .venv and installs the grader there
source .venv/bin/activate
```

On Google Colab (or in any environment of your own), upload this folder and install the
grader's wheel directly:

```
!pip install wheels/{wheel}
```

## Check your work

Write your functions in `exercises/<topic>/<topic>.py`, or in a copy named `<topic>.py` in
the folder you run the command in, then:

```
grader check {first}                  # the public tests of one topic
grader check {first} -k FUNCTION      # only the tests that call FUNCTION
grader check {first} path/to/{first}.py
```

A function you have not written yet (it still raises `NotImplementedError`) shows as one
`TODO` line; every other failing test says what went wrong, on which call, with a hint.

## Notebooks

`notebooks/<topic>.ipynb` holds each topic's statement, the stubs to complete, an example
cell and, last, a check cell that prints what `grader check` prints for the functions you
defined in the notebook. Open the notebooks from inside this folder (the check cell finds
the public tests in `exercises/`).

## Hidden tests

Your grade comes from the public tests and from hidden tests that check more (other inputs,
edge cases, properties). Hidden tests do not show their inputs or expected values; passing
every public test is a good sign, not a promise.

## Submitting

Submit one file per topic, named after the topic: `<topic>.py` or `<topic>.ipynb`
(for example `{first}.py`). Upper or lower case and a browser's ` (1)` suffix are
forgiven; other names are not graded. Submit only your own code: it runs in a sandbox
without network or files besides its own.
"""


class ReleaseError(Exception):
    pass


def release(course: Path, topics: list[Topic], out: Path, *, course_seed: int | None = None,
            roster: list[str] | None = None) -> list[Path]:
    """Write the bundle into ``out`` (which must not exist or be empty); return its files."""
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty; give a new folder for the student bundle")
    if out.resolve() == course.resolve() or course.resolve() in out.resolve().parents:
        raise ReleaseError("the bundle cannot be written inside the course folder")
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(out / "wheels")
    (out / "scripts").mkdir()
    (out / "scripts" / "install").write_text(STUDENT_INSTALL, encoding="utf-8")
    (out / "scripts" / "install").chmod(0o755)
    (out / "README.md").write_text(student_readme(topics, wheel.name), encoding="utf-8")
    (out / "exercises").mkdir()
    if (course / "exercises" / "conftest.py").is_file():
        shutil.copy2(course / "exercises" / "conftest.py", out / "exercises" / "conftest.py")
    for topic in topics:
        folder = out / "exercises" / topic.name
        folder.mkdir(parents=True)
        shutil.copy2(topic.stub, folder / topic.stub.name)
        shutil.copy2(topic.public_tests, folder / topic.public_tests.name)
    build_student_notebooks(topics, out / "notebooks", course_seed=course_seed, roster=roster)
    return sorted(path for path in out.rglob("*") if path.is_file())
