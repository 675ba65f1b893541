"""The Gradescope autograder zip: ``setup.sh`` and ``run_autograder`` at its root, the course inside.

Gradescope unpacks the zip to ``/autograder/source`` (private to the instructor: the
references and hidden tests may live there), runs ``setup.sh`` once as root when it builds
the image, then ``run_autograder`` once per submission. The zip holds:

    setup.sh, run_autograder   Gradescope's two entry points
    wheels/                    the grader as a wheel (``grader.authoring.wheel``)
    requirements.txt           what grading needs, pinned to the versions this build ran with
    course/                    exercises/<topic>/ and solutions/<topic>/ for the chosen topics
    plans/                     test plans built at ``build`` time (issue 16); shipped as given
    gradescope.json            what was built: topics, options, grader and topic fingerprints

Python: the default image (Ubuntu 22.04) has Python 3.10, the grader needs 3.11. ``setup.sh``
uses a python3.11 (or newer) already on PATH; otherwise it installs deadsnakes' python3.11
with apt. Chosen over ``uv``: the interpreter lands in /usr, root-owned and world-readable,
which the sandbox already mounts read-only for the workers (a uv-managed Python would live
in root's 0700 home), it comes as signed apt packages, and no installer is piped from curl.
The grader's virtual environment is ``/autograder/grader-venv``, outside ``source``, so the
sandbox's view of Python never includes the course's solutions.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from grader.authoring.wheel import ZIP_TIME, build_wheel, core_requirements
from grader.course.fingerprint import grader_fingerprint, topic_fingerprint
from grader.course.policy import COURSE_FILE
from grader.course.topics import Topic
from grader.grading.runner import build_plan

PLANS_FOLDER = "plans"
MANIFEST = "gradescope.json"
VENV = "grader-venv"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class GradescopeError(Exception):
    pass


@dataclass(frozen=True)
class AutograderOptions:
    """What ``run_autograder`` passes to ``grader grade-one`` for every submission."""
    memory_mb: int = 768
    deadline_seconds: float = 570.0
    seed: int | None = None


SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04).
# AUTOGRADER_ROOT (default /autograder) lets the grader's own tests run it elsewhere.
set -euo pipefail
AUTOGRADER=${AUTOGRADER_ROOT:-/autograder}
SOURCE=$AUTOGRADER/source
VENV=$AUTOGRADER/@VENV@
export DEBIAN_FRONTEND=noninteractive

supported() {  # a Python 3.11 or newer with venv
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}
PYTHON=""
for candidate in ${GRADER_PYTHON:-} python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && supported "$(command -v "$candidate")"; then
        PYTHON=$(command -v "$candidate"); break
    fi
done
if [ -z "$PYTHON" ]; then
    echo "installing Python 3.11 (deadsnakes) with apt: the image's Python is older than 3.11"
    apt-get update -qq
    apt-get install -y -qq software-properties-common >/dev/null
    add-apt-repository -y ppa:deadsnakes/ppa >/dev/null
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv >/dev/null
    PYTHON=/usr/bin/python3.11
fi
# The sandbox for student code; without it grading runs in the limited fallback (reported).
if ! command -v bwrap >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null \
        || echo "note: bubblewrap could not be installed; student code runs in the fallback sandbox"
fi
echo "grader: Python $("$PYTHON" -c 'import platform; print(platform.python_version())') at $PYTHON"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# The grader and its core dependencies only, at the versions pinned in requirements.txt.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
    -r "$SOURCE/requirements.txt" "$SOURCE"/wheels/*.whl
# Nothing in source (references, hidden tests) is for anyone but root.
chmod -R go-rwx "$SOURCE"
chmod +x "$SOURCE/run_autograder"
"$VENV/bin/python" -I -m grader --course "$SOURCE/course" topics
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in /autograder. It grades
# /autograder/submission as one student and always leaves /autograder/results/results.json.
set -u
AUTOGRADER=${AUTOGRADER_ROOT:-/autograder}
SOURCE=$AUTOGRADER/source
RESULTS=$AUTOGRADER/results/results.json
mkdir -p "$AUTOGRADER/results"
rm -f "$RESULTS"
cd "$AUTOGRADER"
# -I: no PYTHON* variables, no user site, no current folder on sys.path.
timeout --kill-after=5 @HARD_SECONDS@ "$AUTOGRADER/@VENV@/bin/python" -I -m grader \
    --course "$SOURCE/course" grade-one "$AUTOGRADER/submission" --results "$RESULTS" \
    --metadata "$AUTOGRADER/submission_metadata.json" --plans "$SOURCE/plans" @OPTIONS@
status=$?
if [ ! -s "$RESULTS" ]; then  # the grader could not even start, or was killed
    printf '%s\n' '{"score": 0.0, "output": "The autograder could not grade this submission (it stopped with status '"$status"'); your instructor has been told.", "visibility": "visible", "stdout_visibility": "hidden", "tests": [], "extra_data": {"grader_failed": true, "status": '"$status"'}}' > "$RESULTS"
    echo "run_autograder: grader stopped with status $status; wrote a failure results.json"
fi
exit 0
"""

PLANS_README = """Test plans (each topic's recorded examples) built at `grader gradescope build` time,
so that a submission on Gradescope does not pay for recording them; grade-one reads them
from /autograder/source/plans/. A plan made by another grader or from other tests is
ignored (and the examples recorded afresh), never trusted.
"""


def _grade_one_options(topics: list[Topic], options: AutograderOptions) -> str:
    words = ["--topics", *[topic.name for topic in topics], "--memory-mb", str(options.memory_mb),
             "--deadline", f"{options.deadline_seconds:g}"]
    if options.seed is not None:
        words += ["--seed", str(options.seed)]
    return " ".join(shlex.quote(word) for word in words)


def run_autograder_script(topics: list[Topic], options: AutograderOptions) -> str:
    hard = int(options.deadline_seconds) + 15  # past the grader's own watchdog
    return (RUN_AUTOGRADER.replace("@VENV@", VENV).replace("@HARD_SECONDS@", str(hard))
            .replace("@OPTIONS@", _grade_one_options(topics, options)))


def grading_requirements() -> str:
    """requirements.txt: the core dependencies at the versions installed here, which the
    instructor's own checks ran with."""
    lines = []
    for name in core_requirements():
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise GradescopeError(f"{name} is not installed here; install the grader first") from None
    return "\n".join(lines) + "\n"


def _stage_course(course: Path, topics: list[Topic], target: Path) -> None:
    for topic in topics:
        for part in ("exercises", "solutions"):
            folder = course / part / topic.name
            if part == "solutions" and (topic.reference is None or not folder.is_dir()):
                raise GradescopeError(f"topic {topic.name} has no reference in {course / 'solutions'}; "
                                      "the autograder needs the course's solutions")
            shutil.copytree(folder, target / part / topic.name, ignore=IGNORED)
    if (course / COURSE_FILE).is_file():  # its [limits]: a call gets the time it gets locally
        shutil.copyfile(course / COURSE_FILE, target / COURSE_FILE)


def _manifest(topics: list[Topic], options: AutograderOptions, plans: list[str]) -> str:
    return json.dumps({"grader": grader_fingerprint(), "options": asdict(options),
                       "topics": {topic.name: topic_fingerprint(topic) for topic in topics},
                       "plans": plans}, indent=2) + "\n"


def _zip_tree(root: Path, out: Path) -> None:
    """Zip the files of ``root`` ("zip the files, not the folder"), in a fixed order and time."""
    executables = {"setup.sh", "run_autograder"}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = (0o755 if name in executables else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def build_autograder(course: Path, topics: list[Topic], out: Path, *,
                     options: AutograderOptions = AutograderOptions(),
                     plans: Path | None = None) -> Path:
    """Write the autograder zip to ``out``; return it. Each topic's test plan (its recorded
    examples) is built here and shipped in ``plans/``, or ``plans`` (a folder) is shipped as
    given; ``grade-one`` reads them, so a submission does not pay for recording."""
    if not topics:
        raise GradescopeError("no topics to build an autograder for")
    if options.memory_mb < 256 or options.deadline_seconds < 30:
        raise GradescopeError("--memory-mb must be at least 256 and --deadline at least 30 s")
    with tempfile.TemporaryDirectory(prefix="gradescope-build-") as staging_name:
        staging = Path(staging_name)
        (staging / "setup.sh").write_text(SETUP_SH.replace("@VENV@", VENV), encoding="utf-8")
        (staging / "run_autograder").write_text(run_autograder_script(topics, options), encoding="utf-8")
        (staging / "requirements.txt").write_text(grading_requirements(), encoding="utf-8")
        build_wheel(staging / "wheels")
        _stage_course(course, topics, staging / "course")
        (staging / PLANS_FOLDER).mkdir()
        (staging / PLANS_FOLDER / "README.txt").write_text(PLANS_README, encoding="utf-8")
        if plans is not None:
            if not plans.is_dir():
                raise GradescopeError(f"--plans {plans} is not a folder")
            shutil.copytree(plans, staging / PLANS_FOLDER, ignore=IGNORED, dirs_exist_ok=True)
        else:  # recorded once here, so that no submission pays for it
            for topic in topics:
                build_plan(topic, staging / PLANS_FOLDER)
        shipped = sorted(p.relative_to(staging / PLANS_FOLDER).as_posix()
                         for p in (staging / PLANS_FOLDER).rglob("*") if p.is_file() and p.name != "README.txt")
        (staging / MANIFEST).write_text(_manifest(topics, options, shipped), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        _zip_tree(staging, out)
    return out
