"""The commands behind ``grader`` (grader/cli.py parses; these run): one module per group of
commands, each command a function that takes the parsed arguments and returns the exit code.

``check`` (check, topics) is what students run; ``grade`` (grade, grade-one) grades a class or
one Gradescope submission; ``authoring`` (gradescope build, notebooks build, release, new-topic,
validate, audit) builds from the course; ``lms`` (collect, export canvas) reads and writes an
LMS's files; ``arguments`` is what commands read from their arguments (the course, topics,
limits, roster, TOPIC=VALUE pairs), with ``UsageError`` and the exit codes. A command's module
is imported only when it runs, so ``grader check`` never imports what building or auditing needs.
Only grader.cli imports this package.
"""
