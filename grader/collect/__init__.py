"""LMS downloads (Canvas, Gradescope, Moodle, plain folders, a regex) into the SUBMISSIONS layout."""
