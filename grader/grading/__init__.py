"""Grading one submission: the runner behind every entry point, the result model it fills
(``outcomes``), replaying hypothesis's examples, and the memoized reference."""
