"""Lets ``pytest exercises/<topic>`` run a topic's public tests as ``grader check`` does
(see grader/pytest_plugin.py): ``--submission PATH`` picks the file, by default the one
``grader check`` grades."""
from grader.pytest_plugin import pytest_addoption, pytest_pyfunc_call, pytest_terminal_summary, student  # noqa: F401
