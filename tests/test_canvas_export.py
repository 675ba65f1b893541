"""grader export canvas: a file Canvas's gradebook import applies to the existing assignments.

``canvas_import`` below applies the import rules of ECOSYSTEM_FACTS.md to a simulated Canvas
gradebook, so each test says what Canvas would do with the file, not what the file looks like.
"""
import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.course.policy import Policy, read_policy
from grader.outputs.canvas import ExportOptions, canvas_export, read_canvas_roster, read_out
from lms_downloads import TOPICS, canvas_name, write_zip

# A Canvas course: students (ID, SIS User ID, SIS Login ID, name) and assignments (id, title, points).
STUDENTS = [("1001", "S-001", "alice", "Liddell, Alice"), ("1002", "S-002", "hatter", "Hatter, The"),
            ("1003", "S-003", "rabbit", "Rabbit, White"), ("1004", "S-004", "queen", "Red, Queen")]
ASSIGNMENTS = {"4711": ("Regularization", 20.0), "4712": ("Shapes", 10.0)}
ROSTER = ("Student,ID,SIS User ID,SIS Login ID,Section,Regularization (4711),Shapes (4712),"
          "Current Score,Final Score\n"
          "    Points Possible,,,,,20,10,(read only),(read only)\n"
          + "".join(f"\"{name}\",{cid},{sis},{login},Section A,,,0,0\n"
                    for cid, sis, login, name in STUDENTS))
MAP = {"regularization": "Regularization (4711)", "shapes": "Shapes (4712)"}


def canvas_import(text: str) -> dict:
    """What Canvas's gradebook import does with ``text``: scores per (user id, assignment id),
    new assignments it would create, and rows it cannot match to a student."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert "Student" in header[0] and header[1] == "ID", header
    last_identity = header.index("Section")
    assert set(header[2:last_identity]) <= {"SIS User ID", "SIS Login ID", "Integration ID", "Root Account"}
    by_title_id = {f"{title} ({aid})": aid for aid, (title, _) in ASSIGNMENTS.items()}
    by_title = {title: aid for aid, (title, _) in ASSIGNMENTS.items()}
    ignored = {f"{a} {b}" for a in ("Current", "Final", "Unposted Current", "Unposted Final")
               for b in ("Score", "Points", "Grade")}
    columns, new = {}, []
    for index, title in enumerate(header[last_identity + 1:], last_identity + 1):
        if title in ignored:
            continue
        aid = by_title_id.get(title) or by_title.get(title)
        if aid is None:
            new.append(title)
        else:
            columns[index] = aid
    scores, unknown = {}, []
    position = {name: header.index(name) for name in ("ID", "SIS User ID", "SIS Login ID") if name in header}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            continue
        student = None
        for column, key in (("ID", 0), ("SIS User ID", 1), ("SIS Login ID", 2)):
            value = row[position[column]] if column in position else ""
            student = student or next((s[0] for s in STUDENTS if value and s[key] == value), None)
        student = student or next((s[0] for s in STUDENTS if s[3] == row[0]), None)
        if student is None:
            unknown.append(row[0])
            continue
        for index, aid in columns.items():
            cell = row[index].strip()
            if cell not in ("", "-"):
                scores[(student, aid)] = "EX" if cell == "EX" else float(cell)
    return {"scores": scores, "new": new, "unknown": unknown}


def write_results(out, student, topics: dict):
    """OUT/<student>/results.json as grader grade writes it; topics: name -> (score, max, file)."""
    folder = out / student
    folder.mkdir(parents=True)
    data = {"score": sum(t[0] for t in topics.values()), "max_score": sum(t[1] for t in topics.values()),
            "tests": [], "extra_data": {"student": student, "topics": {
                name: {"score": s, "max_score": m, "file": f, "error": None if f else "no file"}
                for name, (s, m, f) in topics.items()}}}
    (folder / "results.json").write_text(json.dumps(data))


@pytest.fixture
def out(tmp_path):
    out = tmp_path / "OUT"
    write_results(out, "1001", {"regularization": (40.0, 40.0, "regularization.py"),
                                "shapes": (10.0, 20.0, "shapes.py")})
    write_results(out, "S-002", {"regularization": (20.0, 40.0, "regularization.py"),
                                 "shapes": (0.0, 20.0, None)})
    write_results(out, "rabbit", {"regularization": (0.0, 40.0, "regularization.py"),
                                  "shapes": (20.0, 20.0, "shapes.ipynb")})
    write_results(out, "stranger", {"regularization": (40.0, 40.0, "regularization.py")})
    return out


def export(out, tmp_path, **options):
    (tmp_path / "roster.csv").write_text(ROSTER)
    grades, _ = read_out(out)
    settings = {"topics": ["shapes", "regularization"], "titles": MAP} | options
    return canvas_export(grades, ExportOptions(**settings), read_canvas_roster(tmp_path / "roster.csv"))


def test_with_a_roster_canvas_updates_the_existing_assignments_and_creates_none(out, tmp_path):
    result = canvas_import(export(out, tmp_path).text)
    assert result["new"] == [] and result["unknown"] == []


def test_students_are_joined_on_canvas_id_sis_user_id_or_sis_login_id(out, tmp_path):
    scores = canvas_import(export(out, tmp_path).text)["scores"]
    assert {student for student, _ in scores} == {"1001", "1002", "1003"}


def test_points_are_scaled_to_the_canvas_assignments_points(out, tmp_path):
    scores = canvas_import(export(out, tmp_path, points={"regularization": 20.0, "shapes": 10.0}).text)["scores"]
    assert scores[("1001", "4711")] == 20.0 and scores[("1001", "4712")] == 5.0
    assert scores[("1002", "4711")] == 10.0 and scores[("1003", "4712")] == 10.0


def test_a_topic_not_handed_in_is_blank_not_zero_unless_asked(out, tmp_path):
    assert ("1002", "4712") not in canvas_import(export(out, tmp_path).text)["scores"]
    zero = canvas_import(export(out, tmp_path, missing="zero").text)["scores"]
    assert zero[("1002", "4712")] == 0.0
    assert zero[("1004", "4711")] == 0.0  # in the roster, nothing in OUT at all


def test_a_submitted_file_that_scored_zero_is_zero(out, tmp_path):
    assert canvas_import(export(out, tmp_path).text)["scores"][("1003", "4711")] == 0.0


def test_the_identity_columns_are_copied_verbatim_from_the_roster(out, tmp_path):
    rows = list(csv.reader(io.StringIO(export(out, tmp_path).text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Shapes (4712)", "Regularization (4711)"]
    assert rows[2][:5] == ["Liddell, Alice", "1001", "S-001", "alice", "Section A"]


def test_graded_students_missing_from_the_roster_are_reported(out, tmp_path):
    result = export(out, tmp_path)
    assert result.not_in_roster == ["stranger"]
    assert result.without_grades == ["Red, Queen"]


def test_without_a_map_a_topic_column_would_create_a_new_assignment(out, tmp_path):
    # Why --map (or course.toml's title) matters: the bare topic name is no Canvas title.
    assert canvas_import(export(out, tmp_path, titles={}).text)["new"] == ["shapes", "regularization"]


def test_late_penalties_are_applied_and_detailed(out, tmp_path):
    (tmp_path / "course.toml").write_text(
        "[late]\npercent_per_day = 25\n[topics.regularization]\ndue = 2026-03-01T00:00:00Z\n"
        "points = 20\ntitle = \"Regularization (4711)\"\n")
    from grader.course.policy import SubmissionTime, parse_time
    times = {("1001", "regularization"): SubmissionTime(parse_time("2026-03-02T12:00:00Z"))}
    result = export(out, tmp_path, policy=read_policy(tmp_path / "course.toml"), times=times,
                    titles={"shapes": "Shapes (4712)"})
    assert canvas_import(result.text)["scores"][("1001", "4711")] == 10.0  # 40/40, 2 days: -50%
    details = {(r["student_id"], r["topic"]): r for r in csv.DictReader(io.StringIO(result.details))}
    assert {k: details[("1001", "regularization")][k] for k in
            ("raw", "max", "days_late", "penalty_percent", "penalty", "final", "canvas_score")} == {
        "raw": "40", "max": "40", "days_late": "2", "penalty_percent": "50", "penalty": "20",
        "final": "20", "canvas_score": "10"}


def test_without_a_roster_a_canvas_user_id_goes_in_id(out, tmp_path):
    grades, _ = read_out(out)
    text = canvas_export(grades, ExportOptions(["regularization"], MAP, names={"1001": "=cmd|' /C calc'!A0"},
                                               canvas_ids=frozenset({"1001"}))).text
    rows = list(csv.reader(io.StringIO(text)))
    by_student = {row[1] or row[3]: row for row in rows[2:]}
    assert by_student["1001"][:4] == ["'=cmd|' /C calc'!A0", "1001", "", ""]
    assert by_student["rabbit"][:4] == ["rabbit", "", "", "rabbit"]
    assert canvas_import(text)["scores"][("1001", "4711")] == 40.0


def test_without_a_roster_a_number_that_is_no_canvas_user_id_never_goes_in_id(out, tmp_path):
    # A Gradescope sid or a Moodle participant 1001 is not Canvas user 1001.
    grades, _ = read_out(out)
    rows = list(csv.reader(io.StringIO(canvas_export(grades, ExportOptions(["regularization"], MAP)).text)))
    assert {row[3]: row[1] for row in rows[2:]}["1001"] == ""


def test_missing_zero_keeps_a_student_the_roster_excuses(out, tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER.replace("Section A,,,0,0\n", "Section A,,EX,0,0\n", 2))
    grades, _ = read_out(out)
    result = canvas_export(grades, ExportOptions(["shapes", "regularization"], MAP, missing="zero"),
                           read_canvas_roster(tmp_path / "roster.csv"))
    scores = canvas_import(result.text)["scores"]
    assert scores[("1002", "4712")] == "EX"  # not handed in, excused: stays excused
    assert scores[("1001", "4712")] == 5.0 and result.excused_graded == ["Liddell, Alice (Shapes (4712))"]


def test_without_configured_points_the_rosters_points_possible_are_used(out, tmp_path):
    scores = canvas_import(export(out, tmp_path).text)["scores"]
    assert scores[("1001", "4711")] == 20.0 and scores[("1001", "4712")] == 5.0  # 40/40 of 20, 10/20 of 10


def test_without_submission_times_the_penalty_results_json_recorded_is_applied(out, tmp_path):
    path = out / "1001" / "results.json"
    data = json.loads(path.read_text())
    data["extra_data"]["topics"]["regularization"]["late"] = {
        "days_late": 1, "penalty_percent": 10.0, "penalty": 4.0, "final": 36.0}
    path.write_text(json.dumps(data))
    result = export(out, tmp_path)
    assert canvas_import(result.text)["scores"][("1001", "4711")] == 18.0
    details = {(r["student_id"], r["topic"]): r for r in csv.DictReader(io.StringIO(result.details))}
    assert details[("1001", "regularization")]["days_late"] == "1"


def test_collect_grade_and_export_work_end_to_end(tmp_path):
    """A Canvas zip of two students, collected, graded with the real grader, exported and imported."""
    alice = (ROOT / "examples" / "class" / "alice" / "shapes.py").read_text()
    download = write_zip(tmp_path / "canvas.zip", {
        canvas_name("liddellalice", 1001, 1, "Shapes.py"): "def broken(:\n",
        canvas_name("liddellalice", 1001, 2, "Shapes-1.py"): alice,
        canvas_name("hatterthe", 1002, 3, "Shapes (2).py", late="late"): alice,
        canvas_name("rabbitwhite", 1003, 4, "notes.txt"): "I will hand it in later",
    })
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "course.toml").write_text("[late]\npercent_per_day = 10\n")

    def grader(*args):
        result = subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    summary = grader("collect", download, "--from", "canvas", "--out", tmp_path / "S",
                     "--roster", tmp_path / "roster.csv")
    assert "1003 (Rabbit, White): notes.txt" in summary and "1004 (Red, Queen): no files" in summary
    grader("grade", tmp_path / "S", "--out", tmp_path / "OUT", "--no-progress")
    alice_results = json.loads((tmp_path / "OUT" / "1001" / "results.json").read_text())
    assert alice_results["score"] == alice_results["max_score"] > 0
    grader("export", "canvas", tmp_path / "OUT", "--out", tmp_path / "canvas.csv",
           "--roster", tmp_path / "roster.csv", "--map", "shapes=Shapes (4712)",
           "--points", "shapes=10", "--submissions", tmp_path / "S", "--policy", tmp_path / "course.toml")
    result = canvas_import((tmp_path / "canvas.csv").read_text())
    assert result["new"] == [] and result["unknown"] == []
    assert result["scores"][("1001", "4712")] == 10.0
    assert result["scores"][("1002", "4712")] == 9.0  # marked late by Canvas: one day, 10%
    assert ("1003", "4712") not in result["scores"]
    class_file = (tmp_path / "OUT" / "canvas_grades.csv").read_text()
    assert canvas_import(class_file)["unknown"] == []  # Canvas user ids, in ID
    assert [row[1] for row in csv.reader(io.StringIO(class_file))][2:] == ["1001", "1002"]


def test_a_roster_with_integration_id_and_root_account_keeps_all_its_identity_columns(out, tmp_path):
    (tmp_path / "roster.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Integration ID,Root Account,Section,Shapes (4712)\n"
        ",,,,,,,Manual Posting\n"
        "    Points Possible,,,,,,,10\n"
        "\"Liddell, Alice\",1001,S-001,alice,INT-1,uni.instructure.com,Section A,\n")
    grades, _ = read_out(out)
    text = canvas_export(grades, ExportOptions(["shapes"], MAP),
                         read_canvas_roster(tmp_path / "roster.csv")).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Root Account",
                       "Section", "Shapes (4712)"]
    assert rows[2] == ["Liddell, Alice", "1001", "S-001", "alice", "INT-1", "uni.instructure.com",
                       "Section A", "5"]  # 10 of 20, of the roster's 10 points
    assert len(rows) == 3


def test_a_csv_that_is_not_a_canvas_export_is_refused_as_roster(tmp_path):
    from grader.outputs.canvas import CanvasExportError
    (tmp_path / "roster.csv").write_text("student_id,name\n1,a\n")
    with pytest.raises(CanvasExportError, match="not a Canvas gradebook export"):
        read_canvas_roster(tmp_path / "roster.csv")


@pytest.mark.parametrize("option, message", [
    (["--map", "shapes"], "--map 'shapes': expected TOPIC=VALUE"),
    (["--points", "shapes=many"], "--points 'shapes=many': expected TOPIC=VALUE"),
    (["--roster", "missing.csv"], "cannot be read"),
    (["--map", "shapez=Shapes (4712)"], "unknown topic shapez"),
])
def test_a_bad_export_option_exits_2_with_one_line(out, tmp_path, capsys, option, message):
    from grader.cli import main
    assert main(["export", "canvas", str(out), "--out", str(tmp_path / "c.csv"), *option]) == 2
    assert message in capsys.readouterr().err
