"""Gradescope's container as ``grade-one`` is made for it by default, apart from grade_one.py
so that the command line can show these defaults without importing the grader's runner."""

# Gradescope's defaults: 768 MB for the whole container, 10 minutes per submission.
GRADESCOPE_MEMORY_MB = 768
GRADESCOPE_SECONDS = 600.0
# grade-one's total time for one submission, results included: under Gradescope's timeout.
DEADLINE_SECONDS = GRADESCOPE_SECONDS - 30.0
