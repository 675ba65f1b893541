"""Shared helpers for the framework's own tests."""
import importlib.util
import sys
from pathlib import Path

import pytest

from grader.topics import get_topic

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"_fixture_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def course_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def regularization():
    return get_topic(ROOT, "regularization")
