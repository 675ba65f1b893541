"""The course as files: topics found in exercises/ and solutions/, their statements and
example data, reading students' submission files, and the seeds that vary them per student."""
