"""What the fixes for the hostile collect review (issue 18) promise beyond the attacks in
tests/test_hostile_collect.py: what is listed, what is refunded, what an instructor sees."""
import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.collect.layout import collect_csv, read_collect_csv
from grader.collect.platforms import CollectError, collect
from grader.collect.unpack import Bounds
from grader.course.policy import parse_time
from grader.course.sources import FOUND_NAMES, read_submissions
from grader.outputs.canvas import ExportOptions, canvas_export, read_canvas_roster, read_out
from grader.outputs.gradebook import spreadsheet_text
from lms_downloads import TOPICS, canvas_name, gradescope_metadata, write_zip, zip_bytes

HONEST = "def honest():\n    return 1\n"


def gradescope_export(tmp_path, eve_files: int):
    root = "assignment_77_export/"
    members = {root + "submission_metadata.yml": gradescope_metadata({
        "submission_1": {"submitters": [("Eve", "s666", "eve@uni.edu")],
                         "created_at": "2026-03-01 10:00:00.000000000 -0800"},
        "submission_2": {"submitters": [("Bob", "s002", "bob@uni.edu")],
                         "created_at": "2026-03-01 11:00:00.000000000 -0800"}})}
    members.update({f"{root}submission_1/junk{i}.txt": "" for i in range(eve_files)})
    members[root + "submission_1/regularization.py"] = "x = 1\n"
    members[root + "submission_2/regularization.py"] = HONEST
    return write_zip(tmp_path / "export.zip", members)


# -- a submission over its own budget ------------------------------------------------------

def test_a_submission_over_its_budget_is_refused_whole_and_listed_once(tmp_path):
    out = tmp_path / "S"
    summary = collect("gradescope", gradescope_export(tmp_path, 60), out, TOPICS,
                      bounds=Bounds(total_files=50))
    assert not (out / "s666").exists()
    refused = [path for path, why in summary.unmatched if "submission" in why and "not unpacked" in why]
    assert len(refused) == 1 and "submission_1" in refused[0]


def test_a_refused_submission_gives_its_share_of_the_download_back(tmp_path):
    # Eve's 20 files, refused at 25, would leave the download 30 of 50 if they stayed charged:
    # then Bob's and the metadata's files, and 29 more students' files, still fit.
    root = "assignment_77_export/"
    records = {f"submission_{i}": {"submitters": [(f"S{i}", f"s{i}", f"s{i}@uni.edu")],
                                   "created_at": "2026-03-01 10:00:00 -0800"} for i in range(2, 40)}
    records["submission_1"] = {"submitters": [("Eve", "s666", "eve@uni.edu")],
                               "created_at": "2026-03-01 10:00:00 -0800"}
    members = {root + "submission_metadata.yml": gradescope_metadata(records)}
    members.update({f"{root}submission_1/junk{i}.txt": "" for i in range(26)})
    members.update({f"{root}submission_{i}/regularization.py": HONEST for i in range(2, 40)})
    out = tmp_path / "S"
    collect("gradescope", write_zip(tmp_path / "export.zip", members), out, TOPICS,
            bounds=Bounds(total_files=50))
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(f"s{i}" for i in range(2, 40))


def test_a_submission_within_its_budget_is_collected(tmp_path):
    out = tmp_path / "S"
    collect("gradescope", gradescope_export(tmp_path, 10), out, TOPICS, bounds=Bounds(total_files=50))
    assert (out / "s666" / "regularization.py").is_file()


def test_a_download_zip_zipfile_cannot_open_is_a_collect_error(tmp_path):
    raw = bytearray(zip_bytes({"regularization.py": "x = 1\n"}))
    raw[raw.index(b"PK\x01\x02") + 6] = 99  # "version needed to extract": 9.9
    (tmp_path / "download.zip").write_bytes(bytes(raw))
    with pytest.raises(CollectError, match="cannot be read"):
        collect("canvas", tmp_path / "download.zip", tmp_path / "S", TOPICS)


def test_a_folder_download_gives_each_student_folder_its_own_budget(tmp_path):
    (tmp_path / "class" / "eve").mkdir(parents=True)
    for i in range(60):
        (tmp_path / "class" / "eve" / f"junk{i}.txt").write_text("")
    (tmp_path / "class" / "eve" / "regularization.py").write_text("x = 1\n")
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "regularization.py").write_text(HONEST)
    out = tmp_path / "S"
    collect("folders", tmp_path / "class", out, TOPICS, bounds=Bounds(total_files=50))
    assert (out / "bob" / "regularization.py").read_text() == HONEST
    assert not (out / "eve").exists()


# -- names that read as two people ---------------------------------------------------------

def test_a_canvas_file_name_that_reads_as_two_users_is_listed_with_both_ids(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        canvas_name("mallory_1001_99999999", 2002, 6001, "regularization.py"): "x = 1\n"})
    summary = collect("canvas", download, tmp_path / "S", TOPICS)
    [(path, why)] = summary.unmatched
    assert "1001" in why and "2002" in why


def test_a_sid_claimed_by_a_second_person_is_listed(tmp_path):
    root = "assignment_77_export/"
    download = write_zip(tmp_path / "export.zip", {
        root + "submission_metadata.yml": gradescope_metadata({
            "submission_1": {"submitters": [("Alice", "s001", "alice@uni.edu")],
                             "created_at": "2026-03-01 10:00:00 -0800"},
            "submission_2": {"submitters": [("Eve", "s001", "eve@uni.edu")],
                             "created_at": "2026-03-01 11:00:00 -0800"}}),
        root + "submission_1/regularization.py": HONEST,
        root + "submission_2/regularization.py": "x = 0\n"})
    summary = collect("gradescope", download, tmp_path / "S", TOPICS)
    assert any("submission_2" in path and "eve@uni.edu" in why for path, why in summary.unmatched)


# -- what collect writes and reads back -----------------------------------------------------

def test_an_unreadable_timestamp_is_collected_without_a_time_and_remarked(tmp_path):
    download = write_zip(tmp_path / "dump.zip", {"bob_yesterday_regularization.py": HONEST})
    out = tmp_path / "S"
    summary = collect("regex", download, out, TOPICS,
                      pattern=r"(?P<student_id>[^_]+)_(?P<timestamp>[^_]+)_(?P<file>.+)")
    assert (out / "bob" / "regularization.py").is_file()
    assert [row.submitted_at for row in read_collect_csv(out)] == [""]
    assert any("yesterday" in why for _, why in summary.remarks)
    assert "collected with a remark" in summary.text(out)


def test_a_time_without_offset_stays_naive_until_the_policy_gives_it_the_course_zone():
    assert parse_time("2026-03-01T23:30:00").tzinfo is None


@pytest.mark.parametrize("text", ["'", "''x", "'=x", "=x", " -1", "plain", ""])
def test_spreadsheet_text_is_undone_by_removing_one_leading_quote(text):
    quoted = spreadsheet_text(text)
    assert (quoted[1:] if quoted.startswith("'") else quoted) == text


def test_collect_csv_round_trips_every_cell(tmp_path):
    from grader.collect.layout import Collected, Person
    row = Collected(Person("'7", "'=name", "@mail"), "kmeans", ".py", "'kmeans.py", True,
                    "2026-03-01T10:00:00", 2)
    (tmp_path / "collect.csv").write_text(collect_csv([row]))
    assert read_collect_csv(tmp_path) == [row]


def test_the_files_found_are_bounded_to_what_the_message_shows_plus_a_count(tmp_path):
    folder = tmp_path / "ana"
    folder.mkdir()
    for i in range(FOUND_NAMES + 5):
        (folder / f"f{i:02}.txt").write_text("")
    submitted = read_submissions(folder, ["kmeans"])["kmeans"]
    assert len(submitted.found) == FOUND_NAMES and submitted.found_more == 5
    assert submitted.error.endswith(f"f{FOUND_NAMES - 1:02}.txt and 5 more; expected kmeans.py "
                                    "or kmeans.ipynb, so this topic scores 0")


# -- collect --topics --------------------------------------------------------------------------

def test_topics_naming_no_course_topic_is_an_error(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        canvas_name("liddellalice", 1001, 5001, "kmeans.py"): HONEST})
    with pytest.raises(CollectError, match="unknown topic kmean"):
        collect("canvas", download, tmp_path / "S", TOPICS, assignment=["kmean"])


def test_the_command_takes_the_assignments_topics(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        canvas_name("liddellalice", 1001, 5001, "kmeans.py"): HONEST,
        canvas_name("liddellalice", 1001, 5002, "optimizers.py"): HONEST})
    run = subprocess.run([sys.executable, "-m", "grader", "--course", str(ROOT), "collect",
                          str(download), "--from", "canvas", "--out", str(tmp_path / "S"),
                          "--topics", "optimizers"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "S" / "1001").iterdir()) == ["optimizers.py"]
    assert "another assignment" in run.stdout


# -- the Canvas export's join ------------------------------------------------------------------

def results(out, student):
    folder = out / student
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"score": 40.0, "max_score": 40.0, "tests": [],
        "extra_data": {"student": student, "topics": {"regularization": {
            "score": 40.0, "max_score": 40.0, "file": "regularization.py", "error": None}}}}))


def export(tmp_path, roster_rows, students):
    (tmp_path / "roster.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Regularization (4711)\n"
        "    Points Possible,,,,,40\n" + roster_rows)
    for student in students:
        results(tmp_path / "OUT", student)
    grades, _ = read_out(tmp_path / "OUT")
    return canvas_export(grades, ExportOptions(topics=["regularization"],
                                               titles={"regularization": "Regularization (4711)"}),
                         read_canvas_roster(tmp_path / "roster.csv"))


def scores(text):
    return {row[1]: row[-1] for row in csv.reader(io.StringIO(text)) if row[1].isdigit()}


def test_two_folders_joining_one_roster_row_are_both_left_out_and_listed(tmp_path):
    result = export(tmp_path, "\"Liddell, Alice\",1001,S-1,alice,A,\n", ["1001", "alice"])
    assert scores(result.text) == {"1001": ""}
    assert result.ambiguous == ["1001", "alice"]


def test_a_folder_whose_value_is_in_several_rows_of_its_column_is_left_out_and_listed(tmp_path):
    result = export(tmp_path, "\"Liddell, Alice\",1001,S-1,pat,A,\n\"Builder, Bob\",2002,S-2,pat,A,\n",
                    ["pat"])
    assert scores(result.text) == {"1001": "", "2002": ""}
    assert result.ambiguous == ["pat"]
