"""What grading produces: results.json, report.html, charts, the class report, gradebooks,
similarity, how student ids are shown, and the one rule for what a student may see of a test
(``visibility``). Outputs read the result model (``grader.grading.outcomes``), never the sandbox."""
