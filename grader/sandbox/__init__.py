"""Running untrusted code: ``launcher`` starts sandboxed fork servers (bubblewrap, limits,
the fallback), ``submission`` is the grader's handle on a student's functions, and
``inside/`` holds the files that run inside the sandbox."""
