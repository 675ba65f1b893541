"""grader collect --from gradescope: "Export Submissions" (submission_metadata.yml + submission_<id>/)."""
import csv

import pytest

from grader.collect.platforms import CollectError, collect
from lms_downloads import TOPICS, gradescope_metadata, write_zip

METADATA = gradescope_metadata({
    "submission_101": {"submitters": [("Alice Liddell", "s001", "alice@uni.edu")],
                       "created_at": "2026-03-01 22:10:05.123456789 -0800", "score": 0.0},
    "submission_102": {"submitters": [("Tweedle Dee", "s002", "dee@uni.edu"),
                                      ("Tweedle Dum", None, "dum@uni.edu")],
                       "created_at": "2026-03-02 09:00:00.000000000 -0800"},
    "submission_103": {"submitters": [('=HYPERLINK("http://x")', "s003", "h@uni.edu")],
                       "created_at": "2026-03-01 10:00:00.000000000 -0800"},
})


def export(tmp_path):
    root = "assignment_77_export/"
    return write_zip(tmp_path / "export.zip", {
        root + "submission_metadata.yml": METADATA,
        root + "submission_101/regularization.py": "a = 1\n",
        root + "submission_101/notes.txt": "notes",
        root + "submission_102/solutions/kmeans.ipynb": "{}",
        root + "submission_103/Shapes.py": "s = 1\n",
        root + "submission_999/orphan.py": "who?",
    })


@pytest.fixture
def collected(tmp_path):
    out = tmp_path / "S"
    summary = collect("gradescope", export(tmp_path), out, TOPICS)
    with (out / "collect.csv").open(newline="") as stream:
        return out, summary, {(r["student_id"], r["topic"]): r for r in csv.DictReader(stream)}


def test_the_identity_is_the_sid_else_the_email(collected):
    out, _, _ = collected
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["dum@uni.edu", "s001", "s002", "s003"]


def test_a_group_submission_goes_to_every_member(collected):
    out, _, rows = collected
    assert (out / "s002" / "kmeans.ipynb").read_text() == "{}"
    assert (out / "dum@uni.edu" / "kmeans.ipynb").read_text() == "{}"
    assert rows[("dum@uni.edu", "kmeans")]["name"] == "Tweedle Dum"


def test_created_at_is_recorded_as_the_submission_time(collected):
    _, _, rows = collected
    assert rows[("s001", "regularization")]["submitted_at"] == "2026-03-01 22:10:05.123456789 -0800"
    assert rows[("s001", "regularization")]["email"] == "alice@uni.edu"


def test_a_name_that_is_a_formula_is_neutralised_in_collect_csv(collected):
    out, _, rows = collected
    assert rows[("s003", "shapes")]["name"] == "'=HYPERLINK(\"http://x\")"


def test_files_of_no_known_submission_and_unmatched_names_are_listed(collected):
    _, summary, _ = collected
    unmatched = dict(summary.unmatched)
    assert "names no student" in unmatched["assignment_77_export/submission_999/orphan.py"]
    assert "matches no topic" in unmatched["assignment_77_export/submission_101/notes.txt"]


def test_an_export_without_metadata_is_an_error(tmp_path):
    with pytest.raises(CollectError, match="no submission_metadata.yml"):
        collect("gradescope", write_zip(tmp_path / "e.zip", {"submission_1/a.py": "1"}), tmp_path / "S", TOPICS)


def test_the_exact_file_name_wins_over_a_suffixed_copy_in_one_submission(tmp_path):
    # Gradescope's autograder (grade-one) grades regularization.py: a regrade from the export
    # must grade the same file, and one submission's files have no upload order.
    root = "assignment_77_export/"
    out = tmp_path / "S"
    summary = collect("gradescope", write_zip(tmp_path / "export.zip", {
        root + "submission_metadata.yml": METADATA,
        root + "submission_101/regularization.py": "exact = 1\n",
        root + "submission_101/Regularization (1).py": "copy = 1\n",
    }), out, TOPICS)
    assert (out / "s001" / "regularization.py").read_text() == "exact = 1\n"
    assert summary.set_aside == [(root + "submission_101/Regularization (1).py",
                                  root + "submission_101/regularization.py")]
    assert "submission_101/Regularization (1).py: kept" in summary.text(out)
