"""The files copied into the sandbox (``grader.sandbox.launcher.WORKER_FILES``) and run there
as top-level modules (``import wire``): standard library and numpy only, and each other
(tests/test_architecture.py enforces it). The grader imports ``wire`` as
``grader.sandbox.inside.wire``; this file is not copied."""
