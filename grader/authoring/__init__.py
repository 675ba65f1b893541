"""What an instructor builds from a course: student notebooks, otter-grader master notebooks,
and the student bundle (``release``)."""
