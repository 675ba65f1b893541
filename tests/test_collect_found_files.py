"""A topic whose file is missing says which files the student handed in instead (issue 18, item 2)."""
from grader.course.sources import read_submissions
from grader.grading.outcomes import TopicResult
from grader.outputs.report import render_report
from grader.outputs.results import StudentResult, gradescope_results


def submit(tmp_path, *names):
    folder = tmp_path / "ana"
    folder.mkdir()
    for name in names:
        (folder / name).write_text("x = 1\n")
    return folder


def test_the_message_names_the_files_found_and_the_names_expected(tmp_path):
    submitted = read_submissions(submit(tmp_path, "Regularization (1).py", "notes.txt"),
                                 ["regularization"])["regularization"]
    assert submitted.found == ("Regularization (1).py", "notes.txt")
    assert submitted.error == ("found Regularization (1).py, notes.txt; expected regularization.py "
                               "or regularization.ipynb, so this topic scores 0")


def test_another_topics_own_file_is_not_listed_as_found(tmp_path):
    submitted = read_submissions(submit(tmp_path, "shapes.py"), ["shapes", "kmeans"])
    assert submitted["kmeans"].found == ()
    assert submitted["kmeans"].error == "no file kmeans.py or kmeans.ipynb in your submission, so this topic scores 0"


def test_many_and_huge_names_are_bounded(tmp_path):
    submitted = read_submissions(submit(tmp_path, "a" * 250, *(f"f{i:02}.txt" for i in range(20))),
                                 ["kmeans"])["kmeans"]
    assert submitted.found[0] == "a" * 79 + "…"
    assert submitted.error.startswith("found " + "a" * 79 + "…, f00.txt, ")
    assert ", f08.txt and 11 more; expected kmeans.py" in submitted.error


def test_hostile_names_are_escaped_in_the_report_and_results_json(tmp_path):
    names = ("<img src=x onerror=alert(1)>.py", "\x1b]8;;evil\x07link.py", "\u202egnp.py")
    submitted = read_submissions(submit(tmp_path, *names), ["kmeans"])["kmeans"]
    result = StudentResult("ana", [TopicResult("kmeans", "K-means", None, submitted.error, "none", [])])
    html = render_report(result)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.py" in html
    assert "\x1b" not in html and "\x07" not in html and "\u202e" not in html
    assert "\\x1b]8;;evil\\x07link.py" in html and "\\u202egnp.py" in html
    output = gradescope_results(result)["extra_data"]["topics"]["kmeans"]["error"]
    assert "\x1b" not in output and "\\u202egnp.py" in output


def test_a_name_that_is_not_utf8_is_shown_escaped(tmp_path):
    folder = submit(tmp_path)
    with open(bytes(folder) + b"/M\xfcller.py", "w") as stream:
        stream.write("x = 1\n")
    submitted = read_submissions(folder, ["kmeans"])["kmeans"]
    assert submitted.found == ("M\\xfcller.py",)
