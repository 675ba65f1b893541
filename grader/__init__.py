"""Auto-graded exercises for machine-learning courses: sandboxed grading, reports, notebooks."""
