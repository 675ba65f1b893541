"""Lets ``pytest exercises/<topic>`` run a topic's public tests as ``grader check`` does
(see grader/pytest_plugin.py): ``--submission PATH`` picks the file, by default the one
``grader check`` grades. Installed, the grader registers that plugin itself; this file only
stands in when the grader is used from a copy that was never installed."""
import sys

if "grader.pytest_plugin" not in sys.modules:  # the installed plugin is loaded before any conftest
    from grader.pytest_plugin import (pytest_addoption, pytest_pyfunc_call,  # noqa: F401
                                      pytest_terminal_summary, reference, student)
