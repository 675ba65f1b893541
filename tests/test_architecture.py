"""The package's rooms and which may import which, read from every module's imports (``ast``).

grader/course (the course as files) is the bottom; grading runs tests; sandbox/ runs student
code, and sandbox/inside/ is copied into the sandbox as plain files; outputs render the result
model; batch and authoring put it together; commands/ runs each command from its arguments;
cli.py only parses them, and imports a command's module when that command runs.
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader.sandbox.launcher import WORKER_DIR, WORKER_FILES

PACKAGE = ROOT / "grader"
INSIDE = PACKAGE / "sandbox" / "inside"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (functions, TYPE_CHECKING blocks included);
    ``from a import b`` counts as importing both ``a`` and ``a.b``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _room(room: str) -> dict[str, set[str]]:
    return {name: imports for name, imports in MODULES.items() if _within(name, f"grader.{room}")}


def test_the_rooms_are_found_by_the_architecture_test():
    for room in ("course", "grading", "sandbox", "sandbox.inside", "outputs", "batch", "authoring",
                 "collect", "commands"):
        assert _room(room), room


def test_code_inside_the_sandbox_imports_only_the_standard_library_numpy_and_its_siblings():
    siblings = {path.stem for path in INSIDE.glob("*.py")}
    allowed = set(sys.stdlib_module_names) | {"numpy"} | siblings
    for name, imports in _room("sandbox.inside").items():
        outside = {i for i in imports if i.split(".")[0] not in allowed}
        assert not outside, f"{name} imports {sorted(outside)}"


def test_the_files_inside_the_sandbox_folder_are_exactly_the_ones_copied_into_the_sandbox():
    assert WORKER_DIR == INSIDE.resolve()
    assert sorted(WORKER_FILES) == sorted(p.name for p in INSIDE.glob("*.py") if p.name != "__init__.py")


def test_outputs_never_import_the_sandbox():
    for name, imports in _room("outputs").items():
        assert not any(_within(i, "grader.sandbox") for i in imports), name


def test_outputs_read_the_result_model_not_the_runner():
    for name, imports in _room("outputs").items():
        grading = {i for i in imports if _within(i, "grader.grading")}
        assert all(_within(i, "grader.grading.outcomes") for i in grading), f"{name} imports {sorted(grading)}"


def test_the_course_imports_nothing_that_grades_runs_or_renders():
    for name, imports in _room("course").items():
        grader = {i for i in imports if _within(i, "grader")}
        assert all(_within(i, "grader.course") for i in grader), f"{name} imports {sorted(grader)}"


def test_collect_reads_the_course_and_writes_csv_cells_through_the_gradebook_only():
    # An LMS download is files and names: collecting never grades, runs or renders a report.
    allowed = ("grader.collect", "grader.course", "grader.outputs.gradebook")
    for name, imports in _room("collect").items():
        grader = {i for i in imports if _within(i, "grader")}
        assert all(any(_within(i, a) for a in allowed) for i in grader), f"{name} imports {sorted(grader)}"


def test_outputs_never_import_collect():
    # Exports get collect.csv's facts as course data (grader.course.policy), from the command.
    for name, imports in _room("outputs").items():
        assert not any(_within(i, "grader.collect") for i in imports), name


def test_nothing_in_the_package_imports_the_command_line_but_main():
    for name, imports in MODULES.items():
        if name not in ("grader.__main__", "grader.cli"):
            assert not any(_within(i, "grader.cli") for i in imports), name


def test_nothing_in_the_package_imports_the_commands_but_the_command_line_and_the_commands():
    for name, imports in MODULES.items():
        if name != "grader.cli" and not _within(name, "grader.commands"):
            assert not any(_within(i, "grader.commands") for i in imports), name


def _modules_after(code: str) -> set[str]:
    """The modules loaded once ``code`` has run in a fresh Python (``code`` prints nothing)."""
    code += "\nimport sys\nprint(*sys.modules, sep='\\n')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return set(result.stdout.split())


def _within_any(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(_within(m, p) for p in packages))


def test_importing_the_command_line_loads_none_of_the_commands_heavy_dependencies():
    # Every `grader check` and Gradescope's `grader grade-one` start by importing grader.cli.
    heavy = ("hypothesis", "nbformat", "grader.authoring", "grader.outputs.class_report")
    assert _within_any(_modules_after("import grader.cli"), heavy) == []


def test_grader_check_imports_no_grader_authoring_module():
    stub = ROOT / "exercises" / "regularization" / "regularization.py"
    code = ("import contextlib, io\nfrom grader.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['check', 'regularization', {str(stub)!r}]) == 1  # the stub fails: check ran")
    assert _within_any(_modules_after(code), ("grader.authoring",)) == []


@pytest.mark.parametrize("module", ["grader.otter_adapter", "grader.notebook_checks"])
def test_what_notebooks_import_loads_neither_the_command_line_nor_tqdm(module):
    # Otter grades in its own environment, which may lack tqdm (the batch's progress bar).
    code = f"import {module}, sys; print('tqdm' in sys.modules, 'grader.cli' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.split() == ["False", "False"], result.stdout + result.stderr
