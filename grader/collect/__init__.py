"""LMS downloads (Canvas, Gradescope, Moodle, plain folders, a regex) into the SUBMISSIONS layout."""

PLATFORMS = ("canvas", "gradescope", "moodle", "folders", "regex")  # whose naming rule: --from
