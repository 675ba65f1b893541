"""grader collect --from canvas: Canvas's flat "Download Submissions" zip into SUBMISSIONS."""
import csv
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.collect.layout import match_topic
from grader.collect.platforms import CollectError, collect, read_roster
from lms_downloads import TOPICS, canvas_name, write_zip, zip_bytes


def canvas_download(tmp_path):
    return write_zip(tmp_path / "submissions.zip", {
        canvas_name("liddellalice", 1001, 5001, "regularization.py"): "first = 1\n",
        canvas_name("liddellalice", 1001, 5002, "regularization-1.py"): "second = 2\n",
        canvas_name("liddellalice", 1001, 5003, "regularization-2.py"): "third = 3\n",
        canvas_name("liddellalice", 1001, 5004, "Shapes.ipynb"): "{}",
        canvas_name("hatterthe", 1002, 5005, "Regularization (1).py", late="LATE"): "late = 1\n",
        canvas_name("hatterthe", 1002, 5006, "notes.txt"): "my notes",
        canvas_name("rabbitwhite", 1003, 5007, "homework.zip"): zip_bytes({
            "hw/kmeans.py": "k = 1\n", "hw/deeper/backprop.py": "b = 1\n", "../../evil.py": "x"}),
        "rabbitwhite_1003_text.html": "<p>see attachment</p>",
        canvas_name("", 1004, 5008, "optimizers.py", late="late"): "anonymous = 1\n",
        canvas_name("queenred", 1005, 5009, "readme.md"): "nothing",
    })


@pytest.fixture
def collected(tmp_path):
    out = tmp_path / "SUBMISSIONS"
    summary = collect("canvas", canvas_download(tmp_path), out, TOPICS)
    with (out / "collect.csv").open(newline="") as stream:
        rows = {(r["student_id"], r["topic"]): r for r in csv.DictReader(stream)}
    return out, summary, rows


def test_each_student_folder_is_the_canvas_user_id_with_one_file_per_topic(collected):
    out, _, _ = collected
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "1001/regularization.py", "1001/shapes.ipynb", "1002/regularization.py", "1003/kmeans.py",
        "1004/optimizers.py", "collect.csv"]


def test_the_latest_re_upload_is_kept(collected):
    out, summary, rows = collected
    assert (out / "1001" / "regularization.py").read_text() == "third = 3\n"
    assert rows[("1001", "regularization")]["attempt"] == "2"
    assert rows[("1001", "regularization")]["original_file"] == "regularization-2.py"
    assert len([s for s in summary.superseded if s[:2] == ("1001", "regularization")]) == 2


def test_the_late_marker_is_recorded_whatever_its_case(collected):
    _, _, rows = collected
    assert rows[("1002", "regularization")]["late"] == "true"
    assert rows[("1004", "optimizers")]["late"] == "true"
    assert rows[("1001", "shapes")]["late"] == "false"


def test_collect_csv_has_the_documented_columns_and_the_sortable_name(collected):
    out, _, rows = collected
    header = (out / "collect.csv").read_text().splitlines()[0]
    assert header == "student_id,name,email,original_file,topic,late,submitted_at,attempt,platform"
    assert rows[("1001", "shapes")]["platform"] == "canvas"
    assert rows[("1001", "shapes")]["name"] == "liddellalice"
    assert rows[("1004", "optimizers")]["name"] == ""  # anonymous grading: no name part


def test_a_file_in_a_students_zip_counts_one_folder_down_but_not_two(collected):
    _, summary, _ = collected
    unmatched = dict(summary.unmatched)
    assert unmatched["rabbitwhite_1003_5007_homework.zip/hw/deeper/backprop.py"] == \
        "it is more than one folder deep inside the student's submission"
    assert "leaves its folder" in unmatched["rabbitwhite_1003_5007_homework.zip/../../evil.py"]


def test_text_entries_and_files_matching_no_topic_are_listed_not_dropped(collected):
    _, summary, _ = collected
    unmatched = dict(summary.unmatched)
    assert "rabbitwhite_1003_text.html" in unmatched
    assert unmatched["hatterthe_1002_5006_notes.txt"].startswith("its name matches no topic")


def test_a_student_with_nothing_usable_is_listed_with_the_files_they_handed_in(collected):
    out, summary, _ = collected
    assert [(p.student, p.name, files) for p, files in summary.nothing_usable] == [
        ("1005", "queenred", ["readme.md"])]
    assert "1005 (queenred): readme.md" in summary.text(out)


def test_a_roster_student_absent_from_the_download_is_listed(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "    Points Possible,,,,\n"
                      "\"Liddell, Alice\",1001,A1,alice,S1\n\"Absent, Anne\",1099,A9,anne,S1\n")
    summary = collect("canvas", canvas_download(tmp_path), tmp_path / "S", TOPICS,
                      roster=roster)
    assert ("1099", "Absent, Anne", []) in [(p.student, p.name, f) for p, f in summary.nothing_usable]
    assert {c.person.name for c in summary.collected if c.person.student == "1001"} == {"Liddell, Alice"}
    assert len(read_roster(roster)) == 2


def test_collecting_a_second_download_merges_into_collect_csv(tmp_path):
    out = tmp_path / "S"
    collect("canvas", canvas_download(tmp_path), out, TOPICS)
    second = write_zip(tmp_path / "two.zip", {canvas_name("liddellalice", 1001, 6001, "backprop.py"): "b\n"})
    collect("canvas", second, out, TOPICS)
    topics = [line.split(",")[4] for line in (out / "collect.csv").read_text().splitlines()[1:]
              if line.startswith("1001,")]
    assert topics == ["backprop", "regularization", "shapes"]


def test_a_notebook_replacing_a_py_file_removes_the_py_file(tmp_path):
    out = tmp_path / "S"
    collect("canvas", write_zip(tmp_path / "a.zip", {canvas_name("a", 7, 1, "kmeans.py"): "1"}), out, TOPICS)
    collect("canvas", write_zip(tmp_path / "b.zip", {canvas_name("a", 7, 2, "kmeans.ipynb"): "{}"}), out, TOPICS)
    assert sorted(p.name for p in (out / "7").iterdir()) == ["kmeans.ipynb"]


@pytest.mark.parametrize("name, expected", [
    ("regularization.py", ("regularization", ".py", 0)),
    ("Regularization-2.IPYNB", ("regularization", ".ipynb", 2)),
    ("Linear Classifiers (3).py", ("linear_classifiers", ".py", 3)),
    ("linear-classifiers-1.py", ("linear_classifiers", ".py", 1)),
    ("regularization.py.txt", None),
    ("my_regularization.py", None),
    ("-1.py", None),
])
def test_file_names_map_to_topics_case_insensitively_with_re_upload_suffixes(name, expected):
    assert match_topic(name, TOPICS) == expected


def test_hostile_names_are_escaped_in_the_summary(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        canvas_name("x", 9, 1, "\x1b[2J\x1b]0;pwned\x07.txt"): "x",
        canvas_name("y", 8, 2, "\u202egnp.py"): "x",
    })
    text = collect("canvas", download, tmp_path / "S", TOPICS).text(tmp_path / "S")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text


def test_the_output_inside_the_download_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(CollectError, match="must not be inside the download"):
        collect("canvas", tmp_path / "d", tmp_path / "d" / "S", TOPICS)


def test_the_command_prints_the_summary_and_a_missing_download_exits_2(tmp_path):
    run = [sys.executable, "-m", "grader", "collect", "--from", "canvas", "--out", str(tmp_path / "S")]
    result = subprocess.run(run + [str(canvas_download(tmp_path))], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("collected 5 files of 4 students into ")
    missing = subprocess.run(run + [str(tmp_path / "nope.zip")], cwd=ROOT, capture_output=True,
                             text=True, timeout=120)
    assert missing.returncode == 2 and "download not found" in missing.stderr


def test_the_latest_upload_keeps_its_own_suffix_whatever_the_order_in_the_zip(tmp_path):
    out = tmp_path / "S"
    collect("canvas", write_zip(tmp_path / "a.zip", {canvas_name("a", 7, 2, "kmeans-1.ipynb"): "{}",
                                                     canvas_name("a", 7, 1, "kmeans.py"): "old"}),
            out, TOPICS)
    assert sorted(p.name for p in (out / "7").iterdir()) == ["kmeans.ipynb"]


def test_a_zip_bomb_in_one_students_upload_costs_that_student_only(tmp_path):
    bomb = zip_bytes({"regularization.py": b"\0" * 30_000_000})  # 30 MB in about 30 kB
    out = tmp_path / "S"
    summary = collect("canvas", write_zip(tmp_path / "d.zip", {
        canvas_name("bomber", 66, 1, "work.zip"): bomb,
        canvas_name("honest", 67, 2, "regularization.py"): "r = 1\n"}), out, TOPICS)
    assert dict(summary.unmatched)["bomber_66_1_work.zip/regularization.py"] == "it is larger than 20 MB"
    assert [p.student for p, _ in summary.nothing_usable] == ["66"]
    assert (out / "67" / "regularization.py").read_text() == "r = 1\n"


# -- a file name that reads as more than one user id ----------------------------------------
# The student controls the whole name (sortable name and original file name), so only the
# roster (Canvas's gradebook export: Student "Last, First" and ID) tells the readings apart.

def gradebook(tmp_path, *students: tuple[str, int]):
    roster = tmp_path / "gradebook.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n" +
                      "".join(f'"{name}",{user},,,S1\n' for name, user in students))
    return roster


@pytest.mark.parametrize("name", ["dateszip", ""], ids=["named", "anonymous"])
def test_an_original_name_holding_digits_goes_to_the_user_whose_roster_row_it_names(tmp_path, name):
    # Named: the reading whose id and sortable name are a roster row's; anonymous (no name to
    # compare): the one reading whose id is in the roster.
    download = write_zip(tmp_path / "d.zip", {
        canvas_name(name, 1011, 5011, "hw_2024_03_01.zip"): zip_bytes({"regularization.py": "r = 1\n"})})
    out = tmp_path / "S"
    collect("canvas", download, out, TOPICS, roster=gradebook(tmp_path, ("Dates, Zip", 1011)))
    assert (out / "1011" / "regularization.py").read_text() == "r = 1\n"


def test_without_a_roster_a_name_reading_as_two_users_is_refused_saying_roster_resolves_it(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        canvas_name("dateszip", 1011, 5011, "hw_2024_03_01.zip"): zip_bytes({"regularization.py": "r = 1\n"})})
    summary = collect("canvas", download, tmp_path / "S", TOPICS)
    why = dict(summary.unmatched)["dateszip_1011_5011_hw_2024_03_01.zip/regularization.py"]
    assert "1011, 2024" in why and "--roster" in why


def test_a_name_imitating_another_students_is_refused_even_with_a_roster_holding_both_ids(tmp_path):
    # Eve (user 2002) set her name to last "Liddellalice_1001_", first "99999999": both readings
    # are a roster row's id with that row's sortable name.
    download = write_zip(tmp_path / "d.zip", {
        canvas_name("liddellalice_1001_99999999", 2002, 6001, "work.zip"):
            zip_bytes({"regularization.py": "def sabotaged():\n    return 0\n"})})
    out = tmp_path / "S"
    summary = collect("canvas", download, out, TOPICS, roster=gradebook(
        tmp_path, ("Liddell, Alice", 1001), ("Liddellalice_1001_, 99999999", 2002)))
    assert not (out / "1001").exists() and not (out / "2002").exists()
    assert "more than one reading" in dict(summary.unmatched)[
        "liddellalice_1001_99999999_2002_6001_work.zip/regularization.py"]


def test_a_name_holding_another_users_id_goes_with_a_roster_to_its_uploader_never_to_them(tmp_path):
    download = write_zip(tmp_path / "d.zip", {
        canvas_name("mallory_1001_99999999", 2002, 6001, "work.zip"): zip_bytes({"regularization.py": "m = 1\n"})})
    out = tmp_path / "S"
    collect("canvas", download, out, TOPICS, roster=gradebook(
        tmp_path, ("Liddell, Alice", 1001), ("Mallory_1001_, 99999999", 2002)))
    assert not (out / "1001").exists()
    assert (out / "2002" / "regularization.py").read_text() == "m = 1\n"


def test_a_sortable_name_of_digits_does_not_pass_as_that_users_anonymous_upload(tmp_path):
    # Eve (user 2002) named herself "1001": her file also reads as user 1001's, anonymously.
    download = write_zip(tmp_path / "d.zip", {
        canvas_name("1001", 2002, 6001, "work.zip"): zip_bytes({"regularization.py": "m = 1\n"})})
    out = tmp_path / "S"
    collect("canvas", download, out, TOPICS, roster=gradebook(tmp_path, ("Liddell, Alice", 1001), ("1001", 2002)))
    assert not (out / "1001").exists() and not (out / "2002").exists()

def test_a_re_upload_suffix_still_wins_over_the_exact_name_on_canvas(tmp_path):
    out = tmp_path / "S"
    summary = collect("canvas", write_zip(tmp_path / "d.zip", {
        canvas_name("a", 7, 2, "kmeans-1.py"): "second = 1\n",
        canvas_name("a", 7, 1, "kmeans.py"): "first = 1\n"}), out, TOPICS)
    assert (out / "7" / "kmeans.py").read_text() == "second = 1\n"
    assert summary.set_aside == []


def test_the_roster_joins_a_student_column_by_column_as_canvas_does(tmp_path):
    # O'Brien's SIS User ID is Alice's Canvas ID: every row's ID is tried before any SIS id.
    roster = tmp_path / "gradebook.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "\"O'Brien, Sean\",1003,1001,sean,S1\n\"Liddell, Alice\",1001,S1001,alice,S1\n")
    download = write_zip(tmp_path / "d.zip", {canvas_name("liddellalice", 1001, 5001, "kmeans.py"): "k\n"})
    summary = collect("canvas", download, tmp_path / "S", TOPICS, roster=roster)
    assert [c.person.name for c in summary.collected] == ["Liddell, Alice"]
    assert [(p.student, p.name) for p, _ in summary.nothing_usable] == [("1003", "O'Brien, Sean")]
