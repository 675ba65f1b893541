"""Hostile review of ``grader collect`` (issue 18): what a student's file names and contents
can reach through an LMS download.

Each test states what must hold against one attack; every attack here once worked (the
finding's number is in the section heading) and is now withstood. Where a test shrinks
``Bounds``, it does so only to keep the download small: the same attack worked at the default
bounds with proportionally more files or bytes (e.g. 50,001 empty files, a zip of about 5 MB).
"""
import csv
import io
import json
import struct
import zipfile

import pytest

from grader.collect.layout import submission_times
from grader.collect.platforms import collect
from grader.collect.unpack import Bounds
from grader.course.policy import read_policy
from grader.outputs.canvas import ExportOptions, canvas_export, read_canvas_roster, read_out
from lms_downloads import TOPICS, canvas_name, gradescope_metadata, write_zip, zip_bytes

HONEST = "def honest():\n    return 1\n"


def collect_csv_rows(out):
    with (out / "collect.csv").open(newline="") as stream:
        return list(csv.DictReader(stream))


# -- helpers: malformed zips a student can upload -------------------------------------------

def _zip_with(name: str, data: bytes, compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def corrupt_member(compression: int) -> bytes:
    """A zip whose one member's compressed stream is garbage (headers and central directory
    intact): the decompressor, not the zip parser, meets the damage. An LZMA member's stream
    starts after zip's 4-byte LZMA header and the 5 bytes of properties."""
    raw = bytearray(_zip_with("regularization.py", b"x = 1\n" * 200, compression))
    name_length, extra_length = struct.unpack("<HH", raw[26:30])
    start = 30 + name_length + extra_length + (9 if compression == zipfile.ZIP_LZMA else 0)
    raw[start:start + 16] = b"\xff" * 16
    return bytes(raw)


def undecodable_utf8_name() -> bytes:
    """A zip whose member is flagged UTF-8 (bit 11) but whose name is not UTF-8."""
    raw = _zip_with("résumé.py", b"x = 1\n", zipfile.ZIP_DEFLATED)
    assert "résumé".encode() in raw
    return raw.replace("résumé".encode(), b"r\xc3(sum\xc3(")


def unsupported_version() -> bytes:
    """A zip whose central directory claims a format version zipfile refuses to read."""
    raw = bytearray(_zip_with("regularization.py", b"x = 1\n", zipfile.ZIP_DEFLATED))
    central = raw.index(b"PK\x01\x02")
    raw[central + 6] = 99  # "version needed to extract": 9.9
    return bytes(raw)


def canvas_class_with(tmp_path, attachment: bytes) -> object:
    """Eve's uploaded zip (``attachment``) beside Bob's honest file, as Canvas names them."""
    return write_zip(tmp_path / "submissions.zip", {
        canvas_name("evemallory", 2002, 6001, "homework.zip"): attachment,
        canvas_name("builderbob", 3003, 7001, "regularization.py"): HONEST,
    })


# -- finding 1: a student's damaged zip aborts the whole collect ---------------------------

@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA], ids=["deflate", "lzma"])
def test_a_corrupt_compressed_member_in_one_students_zip_costs_that_file_not_the_collect(
        tmp_path, compression):
    out = tmp_path / "S"
    summary = collect("canvas", canvas_class_with(tmp_path, corrupt_member(compression)), out, TOPICS)
    assert (out / "3003" / "regularization.py").read_text() == HONEST
    assert any("homework.zip" in path for path, _ in summary.unmatched)


@pytest.mark.parametrize("archive", [undecodable_utf8_name, unsupported_version],
                         ids=["utf8-flagged-name", "unsupported-version"])
def test_a_students_zip_that_cannot_be_opened_costs_that_archive_not_the_collect(tmp_path, archive):
    out = tmp_path / "S"
    summary = collect("canvas", canvas_class_with(tmp_path, archive()), out, TOPICS)
    assert (out / "3003" / "regularization.py").read_text() == HONEST
    assert any("homework.zip" in path for path, _ in summary.unmatched)


# -- finding 2: one student exhausts the bounds of the whole download ----------------------

def test_one_students_gradescope_folder_cannot_exhaust_the_download_bounds_of_the_class(tmp_path):
    root = "assignment_77_export/"
    members = {root + "submission_metadata.yml": gradescope_metadata({
        "submission_1": {"submitters": [("Eve", "s666", "eve@uni.edu")],
                         "created_at": "2026-03-01 10:00:00.000000000 -0800"},
        "submission_2": {"submitters": [("Bob", "s002", "bob@uni.edu")],
                         "created_at": "2026-03-01 11:00:00.000000000 -0800"}})}
    # What Gradescope unpacks from Eve's uploaded zip: many empty files.
    members.update({f"{root}submission_1/junk{i}.txt": "" for i in range(60)})
    members[root + "submission_2/regularization.py"] = HONEST
    out = tmp_path / "S"
    collect("gradescope", write_zip(tmp_path / "export.zip", members), out, TOPICS,
            bounds=Bounds(total_files=50, nested_files=20))
    assert (out / "s002" / "regularization.py").read_text() == HONEST


def test_one_students_many_zips_cannot_exhaust_the_download_bounds_of_the_class(tmp_path):
    bomb = zip_bytes({"filler.txt": b"\0" * 9_000})  # within the nested bound, and tiny
    members = {canvas_name("evemallory", 2002, 6000 + i, f"part{i}.zip"): bomb for i in range(8)}
    members[canvas_name("builderbob", 3003, 7001, "regularization.py")] = HONEST
    out = tmp_path / "S"
    collect("canvas", write_zip(tmp_path / "submissions.zip", members), out, TOPICS,
            bounds=Bounds(total_bytes=50_000, nested_bytes=10_000, file_bytes=10_000))
    assert (out / "3003" / "regularization.py").read_text() == HONEST


# -- finding 3: a file name spoofs another student's identity ------------------------------

def test_a_moodle_flat_file_named_like_another_participant_never_reaches_their_folder(tmp_path):
    download = write_zip(tmp_path / "moodle.zip", {
        "Alice Liddell_1001_assignsubmission_file/regularization.py": HONEST,
        # Eve uploads a file named "x_1001_assignsubmission_file_regularization.py".
        "Eve Mallory_2002_assignsubmission_file_x_1001_assignsubmission_file_regularization.py":
            "def sabotaged():\n    return 0\n",
    })
    out = tmp_path / "S"
    collect("moodle", download, out, TOPICS)
    assert (out / "1001" / "regularization.py").read_text() == HONEST


def test_a_canvas_name_holding_another_users_id_never_puts_a_zip_into_their_folder(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        canvas_name("liddellalice", 1001, 5001, "regularization.py"): HONEST,
        # Eve (user 2002) set her name to last "Mallory_1001_", first "99999999": Canvas
        # removes the ", " of "last, first" and keeps the underscores (word characters).
        canvas_name("mallory_1001_99999999", 2002, 6001, "work.zip"):
            zip_bytes({"regularization.py": "def sabotaged():\n    return 0\n"}),
    })
    out = tmp_path / "S"
    collect("canvas", download, out, TOPICS)
    assert (out / "1001" / "regularization.py").read_text() == HONEST


def test_a_gradescope_sid_claimed_by_a_second_person_never_replaces_its_owners_file(tmp_path):
    root = "assignment_77_export/"
    download = write_zip(tmp_path / "export.zip", {
        root + "submission_metadata.yml": gradescope_metadata({
            "submission_1": {"submitters": [("Alice Liddell", "s001", "alice@uni.edu")],
                             "created_at": "2026-03-01 10:00:00.000000000 -0800"},
            # Eve enrolled herself with Alice's student id.
            "submission_2": {"submitters": [("Eve Mallory", "s001", "eve@uni.edu")],
                             "created_at": "2026-03-01 11:00:00.000000000 -0800"}}),
        root + "submission_1/regularization.py": HONEST,
        root + "submission_2/regularization.py": "def sabotaged():\n    return 0\n",
    })
    out = tmp_path / "S"
    collect("gradescope", download, out, TOPICS)
    assert (out / "s001" / "regularization.py").read_text() == HONEST


# -- finding 4: a student id that is collect's own file name -------------------------------

def test_a_student_id_named_collect_csv_costs_that_student_not_the_collect(tmp_path):
    (tmp_path / "class" / "collect.csv").mkdir(parents=True)
    (tmp_path / "class" / "collect.csv" / "regularization.py").write_text("x = 1\n")
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "regularization.py").write_text(HONEST)
    out = tmp_path / "S"
    summary = collect("folders", tmp_path / "class", out, TOPICS)
    assert (out / "bob" / "regularization.py").read_text() == HONEST
    assert [row["student_id"] for row in collect_csv_rows(out)] == ["bob"]
    assert any("collect.csv" in why for _, why in summary.unmatched)


# -- finding 5: the late policy -----------------------------------------------------------

def test_a_submission_time_without_offset_is_read_in_the_course_timezone(tmp_path):
    (tmp_path / "course.toml").write_text(
        'timezone = "Europe/Berlin"\n[late]\npercent_per_day = 10\n'
        '[topics.regularization]\ndue = 2026-03-01T23:59:00\n')
    download = write_zip(tmp_path / "dump.zip", {"bob_2026-03-01T23:30:00_regularization.py": HONEST})
    out = tmp_path / "S"
    collect("regex", download, out, TOPICS,
            pattern=r"(?P<student_id>[^_]+)_(?P<timestamp>[^_]+)_(?P<file>.+)")
    policy = read_policy(tmp_path / "course.toml")
    # 23:30 in Berlin, 29 minutes before the deadline in Berlin: on time.
    assert policy.days_late("regularization", "bob", submission_times(out)[("bob", "regularization")]) == 0


def test_collect_csv_gives_back_the_student_id_it_was_written_with(tmp_path):
    (tmp_path / "class" / "'=x").mkdir(parents=True)
    (tmp_path / "class" / "'=x" / "regularization.py").write_text(HONEST)
    out = tmp_path / "S"
    collect("folders", tmp_path / "class", out, TOPICS)
    assert (out / "'=x" / "regularization.py").is_file()
    assert set(submission_times(out)) == {("'=x", "regularization")}


def test_a_file_handed_in_to_another_assignment_never_replaces_a_topics_own_submission(tmp_path):
    (tmp_path / "course.toml").write_text("[late]\npercent_per_day = 10\nmarked_late_days = 1\n")
    kmeans = write_zip(tmp_path / "kmeans.zip", {
        canvas_name("liddellalice", 1001, 5001, "kmeans.py", late="late"): HONEST})
    # After the kmeans deadline, Alice hands kmeans.py in to the optimizers assignment, not yet
    # due: Canvas does not mark it late.
    optimizers = write_zip(tmp_path / "optimizers.zip", {
        canvas_name("liddellalice", 1001, 5002, "optimizers.py"): "o = 1\n",
        canvas_name("liddellalice", 1001, 5003, "kmeans.py"): "def improved():\n    return 2\n"})
    out = tmp_path / "S"
    # Each download collected as its assignment's (``grader collect --topics``).
    collect("canvas", kmeans, out, TOPICS, assignment=["kmeans"])
    summary = collect("canvas", optimizers, out, TOPICS, assignment=["optimizers"])
    assert any("kmeans.py" in path and "another assignment" in why for path, why in summary.unmatched)
    policy = read_policy(tmp_path / "course.toml")
    assert policy.days_late("kmeans", "1001", submission_times(out)[("1001", "kmeans")]) == 1
    assert (out / "1001" / "kmeans.py").read_text() == HONEST


# -- finding 7: collect.csv's submitted_at is written as the student wrote it ---------------

def test_a_timestamp_a_student_wrote_cannot_put_a_formula_in_collect_csv(tmp_path):
    download = write_zip(tmp_path / "dump.zip", {"bob_=HYPERLINK(\"http:x\")_regularization.py": HONEST})
    out = tmp_path / "S"
    collect("regex", download, out, TOPICS,
            pattern=r"(?P<student_id>[^_]+)_(?P<timestamp>[^_]+)_(?P<file>.+)")
    [row] = collect_csv_rows(out)
    assert not any(cell.lstrip(" ").startswith(("=", "+", "-", "@", "|", "%")) for cell in row.values())


# -- finding 8: folder entries are free ----------------------------------------------------

def test_folder_entries_count_against_an_archives_file_bound(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(50):
            archive.writestr(zipfile.ZipInfo(f"d{i}/"), b"")
        archive.writestr("regularization.py", "x = 1\n")
    out = tmp_path / "S"
    summary = collect("canvas", canvas_class_with(tmp_path, buffer.getvalue()), out, TOPICS,
                      bounds=Bounds(nested_files=20))
    assert not (out / "2002").exists()
    assert any("homework.zip" in path and "number of files" in why for path, why in summary.unmatched)


# -- finding 9: an upload that holds no file vanishes from the summary ---------------------

def test_an_uploaded_zip_holding_no_file_is_still_in_the_summary(tmp_path):
    out = tmp_path / "S"
    summary = collect("canvas", canvas_class_with(tmp_path, zip_bytes({"work/": b""})), out, TOPICS)
    assert (any("homework.zip" in path for path, _ in summary.unmatched)
            or any(person.student == "2002" for person, _ in summary.nothing_usable))


# -- finding 10: an attempt number that is a digit but not a decimal -----------------------

def test_an_attempt_that_is_not_a_decimal_number_costs_that_file_not_the_collect(tmp_path):
    download = write_zip(tmp_path / "dump.zip", {"eve_²_regularization.py": "x = 1\n",
                                                "bob_1_regularization.py": HONEST})
    out = tmp_path / "S"
    collect("regex", download, out, TOPICS,
            pattern=r"(?P<student_id>[^_]+)_(?P<attempt>[^_]+)_(?P<file>.+)")
    assert (out / "bob" / "regularization.py").read_text() == HONEST


# -- finding 11: the Canvas export joins a folder to the first roster row that has its value --

def test_a_canvas_id_folder_is_joined_to_that_canvas_id_before_any_sis_id(tmp_path):
    (tmp_path / "roster.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Regularization (4711)\n"
        "    Points Possible,,,,,40\n"
        "\"Liddell, Alice\",1001,2002,alice,A,\n"  # her SIS user id is Bob's Canvas user id
        "\"Builder, Bob\",2002,9009,bob,A,\n")
    folder = tmp_path / "OUT" / "2002"  # Bob's results, collected from Canvas under his user id
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps({"score": 40.0, "max_score": 40.0, "tests": [],
        "extra_data": {"student": "2002", "topics": {"regularization": {
            "score": 40.0, "max_score": 40.0, "file": "regularization.py", "error": None}}}}))
    grades, _ = read_out(tmp_path / "OUT")
    export = canvas_export(grades, ExportOptions(topics=["regularization"],
                                                 titles={"regularization": "Regularization (4711)"}),
                           read_canvas_roster(tmp_path / "roster.csv"))
    scores = {row[1]: row[-1] for row in csv.reader(io.StringIO(export.text)) if row[1].isdigit()}
    assert scores == {"1001": "", "2002": "40"}


# -- attacks the code withstands (kept as guards) ------------------------------------------

def test_a_canvas_file_name_holding_another_users_id_stays_with_its_uploader(tmp_path):
    download = write_zip(tmp_path / "submissions.zip", {
        canvas_name("evemallory", 2002, 6001, "1001_99999999_regularization.py"): "x = 1\n",
        canvas_name("evemallory", 2002, 6002, "x.zip"): zip_bytes(
            {"liddellalice_1001_99999999_regularization.py": "x = 2\n"}),
    })
    out = tmp_path / "S"
    collect("canvas", download, out, TOPICS)
    assert not (out / "1001").exists()


def test_a_metadata_file_planted_in_a_gradescope_submission_is_not_the_exports(tmp_path):
    root = "assignment_77_export/"
    real = gradescope_metadata({"submission_1": {"submitters": [("Eve", "s666", "eve@uni.edu")],
                                                 "created_at": "2026-03-01 10:00:00 -0800"}})
    planted = gradescope_metadata({"submission_1": {"submitters": [("Alice", "s001", "alice@uni.edu")],
                                                    "created_at": "2026-03-01 10:00:00 -0800"}})
    download = write_zip(tmp_path / "export.zip", {
        root + "submission_1/submission_metadata.yml": planted,  # first in the zip
        root + "submission_metadata.yml": real,
        root + "submission_1/regularization.py": "x = 1\n"})
    out = tmp_path / "S"
    collect("gradescope", download, out, TOPICS)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["s666"]
