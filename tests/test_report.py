"""The class report (autograder/report.py): grouping of mistakes, both languages, Otter's CSV, a real class."""

import base64
import csv
import io
import json
import os
import re
import shutil
import subprocess

import pytest

from autograder import grade, report
from autograder.grade import write_csv

#: Where a browser is needed: under `make test` (REPORT_REQUIRE_BROWSER=1) a missing one fails instead of skipping.
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def entry(name, score, top, output=""):
    """One scored results.json entry."""
    return {"name": name, "score": score, "max_score": top, "visibility": "after_published", "output": output}


def q1_failure(student, value):
    """An Otter failure whose traceback differs between students only by paths, numbers and the id."""
    return (
        f"q1_preprocess results:\n  File /tmp/submission-{value}x/{student}.ipynb, line {value + 3}\n"
        f"AssertionError: pixels should lie in 0..1, found a maximum of {value}.5 at 0x7f{value}ab"
    )


#: A class written as grading writes it: name -> (status, results.json or None, message, flags).
CLASS = {
    "ana": (
        "graded",
        {"tests": [{"name": "Public Tests", "output": "ok"}, entry("q1", 2, 2), entry("q2", 1, 1)]},
        "",
        [],
    ),
    "ben": ("graded", {"tests": [entry("q1", 0, 2, q1_failure("ben", 255)), entry("q2", 1, 1)]}, "", []),
    "cyd": (
        "graded",
        {"tests": [entry("q1", 0, 2, q1_failure("cyd", 17)), entry("q2", 0.5, 1, "width 9, not 10")]},
        "",
        [],
    ),
    "dee": (
        "graded",
        {"tests": [entry("q1", 1, 2, "other mistake"), entry("q2", 1, 1)]},
        "",
        ["q2: trained on x_test"],
    ),
    "eve": ("timeout", None, "grading stopped after 90 s (an endless loop?)", []),
}


def write_class(folder, klass=CLASS, execution_time=None):
    """Write ``klass`` into ``folder`` as grade.grade_folder does: results.json per graded student, then grades.csv."""
    rows = []
    for student, (status, results, message, flags) in klass.items():
        row = {"student": student, "status": status, "scores": {}, "message": message, "flags": flags}
        if results is not None:
            results = dict(results, tests=[dict(t) for t in results["tests"]])
            for t in results["tests"]:
                if "max_score" in t:
                    t["name"] = {"q1": "q1_preprocess", "q2": "q2_one_hot"}.get(t["name"], t["name"])
            if execution_time:
                results["execution_time"] = execution_time[student]
            (folder / student).mkdir(parents=True)
            (folder / student / "results.json").write_text(json.dumps(results))
            row["scores"] = {t["name"]: (t["score"], t["max_score"]) for t in results["tests"] if "max_score" in t}
        rows.append(row)
    questions = sorted({q for row in rows for q in row["scores"]})
    for row in rows:
        row["possible"] = 3
    write_csv(rows, questions, folder / "grades.csv")
    return folder


def test_normalise_strips_numbers_paths_addresses_and_the_student():
    assert report.normalise(q1_failure("ben", 255), "ben") == report.normalise(q1_failure("cyd", 17), "cyd")
    assert report.normalise("found 98,12 % of 5\u00a0000, 1e-3", None) == "found # % of #, #"
    assert report.normalise("width 9", None) != report.normalise("depth 9", None)


def test_alike_failures_group_with_a_count_and_an_anonymous_example(tmp_path):
    rows, _ = report.read_class(write_class(tmp_path))
    groups = report.group_mistakes(rows, "en")
    assert [(g["test"], len(g["students"])) for g in groups] == [
        ("q1_preprocess", 2),
        ("q1_preprocess", 1),
        ("q2_one_hot", 1),
    ]
    top = groups[0]
    assert top["students"] == ["ben", "cyd"] and top["who"] == "student 2"
    assert "ben" not in top["example"] and "student 2.ipynb" in top["example"]
    assert "0..1" not in top["message"] and "pixels should lie in #..#" in top["message"]


def otter_output(question, line, found):
    """An Otter results.json output: case 1 passed, case 2 failed with ``found``, then the hidden-points case."""
    return (
        f"{question} results:\n    {question} - 1 result:\n        ✅ Test case passed\n\n"
        f"    {question} - 2 result:\n        ❌ Test case failed\n        Error at line {line} in test {question}:\n"
        f"        AssertionError: dense_params(3, 2) should be 8; found {found}\n\n"
        "    hidden points message: hidden tests hold 0.5 of this question's 1 points\n\n"
        "    hidden points result:\n        ✅ Test case passed\n"
    )


def test_otter_outputs_are_split_into_cases_and_grouped_per_case():
    results = {"tests": [entry("q3_parameters", 0.5, 1, otter_output("q3_parameters", 22, "8.5"))]}
    assert [(name, passed) for name, passed, _ in report.cases(results["tests"][0])] == [
        ("q3_parameters - 1", True),
        ("q3_parameters - 2", False),
        ("q3_parameters - hidden points", True),
    ]
    rows = [
        {"student": "ann", "results": results},
        {
            "student": "bo",
            "results": {"tests": [entry("q3_parameters", 0.5, 1, otter_output("q3_parameters", 23, "7"))]},
        },
        {
            "student": "cy",
            "results": {"tests": [entry("q3_parameters", 0.5, 1, otter_output("q3_parameters", 9, "None"))]},
        },
        {"student": "di", "results": {"tests": [entry("scenes, your sprites", 1.5, 3, "2 of 4 cubes found")]}},
        {"student": "ed", "results": None},
    ]
    groups = report.group_mistakes(rows, "en")
    assert [(g["test"], g["students"]) for g in groups] == [
        ("q3_parameters - 2", ["ann", "bo"]),  # found 8.5 and found 7: one mistake, the numbers aside
        ("q3_parameters - 2", ["cy"]),
        ("scenes, your sprites", ["di"]),  # the robot lab's tests have no cases: the test is one
    ]
    assert "hidden points" not in groups[0]["message"] and "line 22" in groups[0]["example"]


def markdown_sections(md):
    """``{"## title": text under it}`` of a Markdown report (level-2 headings)."""
    return dict(re.findall(r"^(## .+?)\n(.*?)(?=^## |\Z)", md, flags=re.S | re.M))


def table_rows(text):
    """The data rows of the first pipe table in ``text``, as lists of cells."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]


def test_report_in_english_counts_questions_cases_flags_and_broken_runs(tmp_path):
    times = {"ana": 41.0, "ben": 39.5, "cyd": 60.25, "dee": 40.0}
    html_path, md_path, final = report.write_report(write_class(tmp_path, execution_time=times), "en")
    md = md_path.read_text()
    sections = markdown_sections(md)
    assert "4 of 5 submissions graded" in md
    assert table_rows(sections["## Questions"]) == [
        ["q1_preprocess", "0.75 / 2", "1 / 4 (25%)"],
        ["q2_one_hot", "0.88 / 1", "3 / 4 (75%)"],
    ]
    cases = table_rows(sections["## Hidden tests (each test of results.json)"])
    assert cases == [["q1_preprocess", "3 / 4", "75%"], ["q2_one_hot", "1 / 4", "25%"]]
    assert "### q1_preprocess: 2 students" in md and "Example (student 2):" in md
    assert table_rows(sections["## Flagged runs"]) == [["dee", "q2: trained on x_test"]]
    assert table_rows(sections["## Submissions not graded"]) == [
        ["eve", "timeout", "grading stopped after 90 s (an endless loop?)"]
    ]
    assert "longest 60.2 s (cyd)" in md or "longest 60.3 s (cyd)" in md

    page = html_path.read_text()
    assert 'src="http' not in page and "<link" not in page and "<script" not in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 1
    from PIL import Image

    assert Image.open(io.BytesIO(base64.b64decode(images[0]))).size[0] > 300

    with open(final, newline="") as f:
        otter = list(csv.reader(f))
    assert otter[0] == [
        "file",
        "q1_preprocess",
        "q2_one_hot",
        "total_points_earned",
        "percent_correct",
        "grading_status",
    ]
    assert otter[1] == ["points-per-question", "2", "1", "3", "1", "--"]
    assert otter[3] == ["ben", "0", "1", "1", "0.3333", "Completed"]
    assert otter[-1][0] == "eve" and otter[-1][1:5] == ["0", "0", "0", "0"] and "90 s" in otter[-1][5]


def test_report_in_french_uses_french_typography(tmp_path):
    _, md_path, _ = report.write_report(write_class(tmp_path), "fr")
    md = md_path.read_text()
    assert "# Bilan de la classe\u00a0: " in md
    assert "4 copies notées sur 5\u00a0; moyenne 1,62 / 3" in md
    assert "| q2_one_hot | 0,88 / 1 | 3 / 4 (75\u00a0%) |" in md
    assert "### q1_preprocess\u00a0: 2 étudiants" in md and "Exemple (étudiant 2)\u00a0:" in md
    assert " :" not in md.replace("\u00a0:", "") and "Flagged" not in md


def test_only_the_most_frequent_mistakes_are_shown_and_the_rest_counted(tmp_path):
    words = [a + b for a in "abcdefghijk" for b in "xyz"]  # more distinct messages than the report shows
    klass = {f"s{i:02}": ("graded", {"tests": [entry("q1", 0, 2, f"wrong {w}")]}, "", []) for i, w in enumerate(words)}
    klass["t"] = ("graded", {"tests": [entry("q1", 0, 2, "wrong ax")]}, "", [])  # a second student: the top one
    md = report.write_report(write_class(tmp_path, klass), "en")[1].read_text()
    headings = re.findall(r"^### (.+)$", md, re.M)
    assert len(headings) == report.MAX_MISTAKES and headings[0] == "q1_preprocess: 2 students"
    assert f"… and {len(words) - report.MAX_MISTAKES} other mistakes" in md


def test_missing_grades_and_unknown_language_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make grade` first"):
        report.write_report(tmp_path)
    with pytest.raises(ValueError, match="--lang fr or en"):
        report.write_report(write_class(tmp_path), "de")


def test_the_command_rebuilds_the_report_from_stored_results(tmp_path):
    import sys

    folder = write_class(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "autograder.report", str(folder), "--lang", "fr"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (folder / "report.html").is_file() and "Bilan" in (folder / "report.md").read_text()
    missing = subprocess.run(
        [sys.executable, "-m", "autograder.report", str(tmp_path / "none")], capture_output=True, text=True
    )
    assert missing.returncode != 0 and "run `make grade` first" in missing.stderr


def points_of(grades, rows):
    """``{question: points}`` that grading recorded in each graded student's done.json (grade.py's own record)."""
    return {
        q: top
        for r in rows
        for q, (_, top) in grade.read_done(grades / r["student"] / "done.json", (grades / ".key").read_bytes())[
            "scores"
        ].items()
    }


def screenshot(page, target):
    """Take a 1200×2000 screenshot of ``page`` in headless Chromium; returns the PNG's path."""
    if not BROWSER:
        if os.environ.get("REPORT_REQUIRE_BROWSER") == "1":
            pytest.fail("no chromium: `make test` installs it (apt-get install chromium)")
        pytest.skip("no chromium on this machine (apt-get install chromium; `make test` installs it)")
    subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={target}", "--window-size=1200,2000",
         page.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return target


@pytest.mark.slow
def test_a_real_class_report_matches_its_grades_and_feedback(built, tmp_path):
    """Grade a small class through the real path; the report's counts are grades.csv's and feedback.txt's."""
    from autograder.grade import apply_changes, grade_folder
    from reference.submissions import tp1_dense

    out = built("tp1_dense")
    solution = out["dist"] / "en" / "tp1_dense" / "solution" / "tp1_dense.ipynb"
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes(solution.read_bytes())
    changes, _ = tp1_dense.MUTANTS["parameters_hard_coded"]
    for student in ("bob", "carol"):  # the same mistake twice: one group of two
        apply_changes(solution, changes, folder / f"{student}.ipynb")
    (folder / "dave.ipynb").write_text("this is not JSON")
    grades = tmp_path / "grades" / "tp1_dense"
    grade_folder(out["zip"], folder, grades, jobs=2)

    html_path, md_path, final = report.write_report(grades, "en")
    with open(grades / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    sections = markdown_sections(md_path.read_text())
    graded = [r for r in rows if r["status"] == "graded"]
    questions = table_rows(sections["## Questions"])
    tops = points_of(grades, graded)
    for q, _, full in questions:  # the full-marks count of each question is grades.csv's
        expected = sum(float(r[q]) == tops[q] for r in graded)
        assert full.startswith(f"{expected} / {len(graded)} "), (q, full)
    # Each student's feedback.txt says which tests lost points: the report's groups count exactly those.
    lost = {}
    for r in graded:
        for name, score, top in re.findall(
            r"^(\S+): ([\d.]+) / ([\d.]+)$", (grades / r["student"] / "feedback.txt").read_text(), re.M
        ):
            if float(score) < float(top):
                lost.setdefault(name, set()).add(r["student"])
    assert lost == {"q3_parameters": {"bob", "carol"}}
    md = md_path.read_text()
    assert re.findall(r"^### (.+): (\d+) students?$", md, re.M) == [("q3_parameters - 2", "2")]
    assert "bob" not in md.split("## Mistakes made most")[1].split("## Flagged")[0]
    assert table_rows(sections["## Submissions not graded"])[0][:2] == ["dave", "invalid"]
    with open(final, newline="") as f:
        otter = {row["file"]: row for row in csv.DictReader(f)}
    for r in rows:
        assert float(otter[r["student"]]["total_points_earned"]) == float(r["total"])

    from PIL import Image

    (plot,) = re.findall(r'src="data:image/png;base64,([^"]+)"', html_path.read_text())
    assert Image.open(io.BytesIO(base64.b64decode(plot))).getbbox()  # the histogram decodes, not empty
    shot = Image.open(screenshot(html_path, tmp_path / "report.png"))
    assert shot.size == (1200, 2000) and len(set(shot.convert("L").getdata())) > 20  # more than a blank page


@pytest.mark.slow
def test_a_robot_lab_class_report_has_its_tests_and_grading_times(robot_model, tmp_path):
    """The robot lab's results.json (tests named "scenes: ...", execution_time), graded for real."""
    from autograder import REPO_ROOT
    from autograder.build import robot_lab as rlb
    from autograder.grade import grade_folder

    zip_path = rlb.build_lab(dist=tmp_path / "dist", work=tmp_path / "work", model_path=robot_model[1])
    folder = tmp_path / "submissions"
    student = tmp_path / "dist" / "en" / "robot_lab" / "robot_lab"
    for name, source in (("ana", REPO_ROOT / "robot_lab"), ("ben", student)):  # the solution; the untouched files
        (folder / name).mkdir(parents=True)
        for file in ("classifier.py", "ros_service.py", "vision.py"):
            shutil.copy(source / file, folder / name / file)
    grades = tmp_path / "grades" / "robot_lab"
    grade_folder(zip_path, folder, grades, jobs=1)

    md = report.write_report(grades, "en")[1].read_text()
    sections = markdown_sections(md)
    with open(grades / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    titles = [t["name"] for t in json.loads((grades / "ana" / "results.json").read_text())["tests"]]
    assert any(t.startswith("scenes: recognise() with your face_to_sprite") for t in titles)
    tops = points_of(grades, rows.values())
    failed = {t: sum(float(r[t]) < tops[t] for r in rows.values()) for t in titles}  # grades.csv's scores
    assert table_rows(sections["## Hidden tests (each test of results.json)"]) == [
        [t, f"{failed[t]} / 2", f"{round(100 * failed[t] / 2, 1):g}%"] for t in titles
    ]
    assert sum(int(n) for n in re.findall(r"^### .+: (\d+) students?$", md, re.M)) >= sum(failed.values())
    assert [row[0] for row in table_rows(sections["## Grading time"])] == ["ana", "ben"]
