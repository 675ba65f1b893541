"""Cost of the reports: one student's report.html, and the class outputs for a large class.

Grades the sample student bob (every topic, in the grader's process) once, then
times rendering his report; then writes N copies of his results.json and times
the class outputs (index.html, summary.json, canvas_grades.csv) and the
similarity pass over N copies of his files with a few tokens changed.
Usage: python benchmarks/reports.py [N]
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from grader.course.topics import discover_topics
from grader.grading.runner import grade_file
from grader.outputs.class_report import write_class_report
from grader.outputs.report import render_report
from grader.outputs.results import StudentResult, write_results_json
from grader.outputs.similarity import class_similarity

ROOT = Path(__file__).resolve().parent.parent


def main(students: int) -> None:
    topics = discover_topics(ROOT)
    bob = ROOT / "examples" / "class" / "bob"
    result = StudentResult("bob", [grade_file(t, bob / f"{name}.py") for name, t in topics.items()])
    render_report(result)  # compile the templates once, as a grading process does
    times = []
    for _ in range(200):
        started = time.perf_counter()
        html = render_report(result)
        times.append(time.perf_counter() - started)
    print(f"report.html: median {1000 * statistics.median(times):.2f} ms per student, {len(html) / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory() as folder:
        out, submissions = Path(folder) / "out", Path(folder) / "submissions"
        names = [f"s{i:05d}" for i in range(students)]
        for index, name in enumerate(names):
            write_results_json(out / name / "results.json", StudentResult(name, result.topics))
            (submissions / name).mkdir(parents=True)
            for topic in topics:
                source = (bob / f"{topic}.py").read_text().replace("np.sum(", f"np.sum(0 * {index} + ")
                (submissions / name / f"{topic}.py").write_text(source)
        started = time.perf_counter()
        write_class_report(out, names, {name: t.title for name, t in topics.items()})
        print(f"class outputs for {students} students: {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        class_similarity(submissions, names, list(topics.values()))
        print(f"similarity over {len(topics)} topics for {students} students: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
