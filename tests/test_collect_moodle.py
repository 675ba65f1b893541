"""grader collect --from moodle: "Download all submissions" (folders, or the older flat names)."""
import pytest

from grader.collect.platforms import collect
from lms_downloads import TOPICS, write_zip


@pytest.fixture
def collected(tmp_path):
    download = write_zip(tmp_path / "moodle.zip", {
        "Alice Liddell_4711_assignsubmission_file/regularization.py": "a = 1\n",
        "Alice Liddell_4711_assignsubmission_file/Regularization-1.py": "a = 2\n",
        "Alice Liddell_4711_assignsubmission_onlinetext/onlinetext.html": "<p>hi</p>",
        "Bob Müller_4712_assignsubmission_file_shapes.py": "s = 1\n",
        "Participant_4713_assignsubmission_file/work/kmeans.py": "k = 1\n",
        "Carol Lewis_4714_assignsubmission_file/essay.docx": "doc",
    })
    out = tmp_path / "S"
    return out, collect("moodle", download, out, TOPICS)


def test_folders_and_flat_files_go_to_the_participant_id(collected):
    out, _ = collected
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.py")) == [
        "4711/regularization.py", "4712/shapes.py", "4713/kmeans.py"]


def test_the_exact_file_name_wins_over_a_suffixed_copy_in_one_participants_folder(collected):
    # A folder's files have no upload order: "-1" is a copy, and the exact name is the one graded.
    out, summary = collected
    assert (out / "4711" / "regularization.py").read_text() == "a = 1\n"
    assert "Alice Liddell_4711_assignsubmission_file/Regularization-1.py: kept " \
           "Alice Liddell_4711_assignsubmission_file/regularization.py" in summary.text(out)


def test_the_full_name_is_recorded_and_blind_marking_shows_participant(collected):
    out, summary = collected
    names = {c.person.student: c.person.name for c in summary.collected}
    assert names == {"4711": "Alice Liddell", "4712": "Bob Müller", "4713": "Participant"}


def test_online_text_and_other_files_are_listed_and_their_student_has_nothing_usable(collected):
    _, summary = collected
    unmatched = dict(summary.unmatched)
    assert "not an uploaded file" in unmatched[
        "Alice Liddell_4711_assignsubmission_onlinetext/onlinetext.html"]
    assert [(p.student, files) for p, files in summary.nothing_usable] == [("4714", ["essay.docx"])]
