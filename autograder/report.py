"""The class report: what a whole class got right and wrong, from what ``make grade`` stored.

Reads only what :func:`autograder.grade.grade_folder` writes in ``grades/<TP>/``:
``grades.csv`` and each student's ``results.json`` (Gradescope's format). Writes, beside
them, ``report.html`` (one self-contained page, its plots embedded as base64 PNG),
``report.md`` (the same content as Markdown tables) and ``final_grades.csv`` (the
columns of Otter Grader 7's ``otter grade``).

Rebuild it without grading again (``make report TP=tp1_dense``)::

    python -m autograder.report grades/tp1_dense [--lang fr]

Hook for ``make grade``: the last line of :func:`autograder.grade.grade_folder`, before it
returns the CSV's path, can be ``report.write_report(out, lang)`` (``from . import report``;
``lang`` "en" or "fr", e.g. a ``--lang`` option of ``python -m autograder.grade``): the report
then follows every grading, and this module still only reads what grading wrote.
"""

import base64
import csv
import html
import io
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

from .grade import question_scores

#: The files written beside grades.csv.
HTML_FILE, MARKDOWN_FILE, FINAL_GRADES_FILE = "report.html", "report.md", "final_grades.csv"
#: grades.csv's status of a submission that was graded (anything else: timeout, memory, crash, invalid).
GRADED = "graded"
#: Bins of the score histogram.
HISTOGRAM_BINS = 10
#: Longest example output shown for a mistake (its end is kept: a traceback's last lines say most).
MAX_EXAMPLE_CHARS = 1500
#: Most mistakes shown (the most frequent); the report says how many more there are.
MAX_MISTAKES = 30
#: Longest normalised message shown as a mistake's title.
MAX_MESSAGE_CHARS = 600
#: What normalisation puts in place of what differs between students.
NUMBER, PATH, ADDRESS, STUDENT = "#", "<path>", "<address>", "<student>"

#: Otter Grader 7's final_grades.csv (otter/grade/utils.py): its first row holds each question's points.
OTTER_FILE, OTTER_TOTAL, OTTER_PERCENT, OTTER_STATUS = (
    "file",
    "total_points_earned",
    "percent_correct",
    "grading_status",
)
OTTER_POINTS_ROW, OTTER_COMPLETED = "points-per-question", "Completed"

#: Every sentence of the report, in each language. French: non-breaking space before « : ; ! ? % ».
TEXT = {
    "en": {
        "title": "Class report: {tp}",
        "summary": "{graded} of {students} submissions graded; mean {mean} / {possible}, median {median}.",
        "distribution": "Score distribution",
        "histogram": "Total score of each graded submission",
        "score": "score",
        "students": "students",
        "questions": "Questions",
        "question": "question",
        "mean": "mean",
        "full_marks": "full marks",
        "cases": "Hidden tests (each test of results.json)",
        "case": "test",
        "failed": "failed",
        "failure_rate": "failure rate",
        "mistakes": "Mistakes made most",
        "no_mistakes": "No test failed.",
        "more_mistakes": "… and {count} other mistakes, each made by as few students or fewer.",
        "mistake": "{test}: {count} students",
        "mistake_one": "{test}: 1 student",
        "message": "Feedback they got (numbers and student-specific parts replaced by {number}, {path}):",
        "example": "Example ({who}):",
        "student": "student {n}",
        "flagged": "Flagged runs",
        "no_flagged": "No run was flagged.",
        "flags": "flags",
        "not_graded": "Submissions not graded",
        "all_graded": "Every submission was graded.",
        "status": "status",
        "why": "message",
        "time": "Grading time",
        "no_time": "The results hold no grading time (execution_time).",
        "time_summary": "mean {mean} s, longest {longest} s ({who}).",
        "seconds": "seconds",
        "student_column": "student",
    },
    "fr": {
        "title": "Bilan de la classe\u00a0: {tp}",
        "summary": "{graded} copies notées sur {students}\u00a0; moyenne {mean} / {possible}, médiane {median}.",
        "distribution": "Répartition des notes",
        "histogram": "Note totale de chaque copie notée",
        "score": "note",
        "students": "étudiants",
        "questions": "Questions",
        "question": "question",
        "mean": "moyenne",
        "full_marks": "tous les points",
        "cases": "Tests cachés (chaque test de results.json)",
        "case": "test",
        "failed": "échecs",
        "failure_rate": "taux d'échec",
        "mistakes": "Les erreurs les plus fréquentes",
        "no_mistakes": "Aucun test n'a échoué.",
        "more_mistakes": "… et {count} autres erreurs, chacune faite par autant d'étudiants ou moins.",
        "mistake": "{test}\u00a0: {count} étudiants",
        "mistake_one": "{test}\u00a0: 1 étudiant",
        "message": "Le retour qu'ils ont reçu (nombres et parties propres à chacun remplacés par {number}, "
        "{path})\u00a0:",
        "example": "Exemple ({who})\u00a0:",
        "student": "étudiant {n}",
        "flagged": "Copies signalées",
        "no_flagged": "Aucune copie n'a été signalée.",
        "flags": "signalements",
        "not_graded": "Copies non notées",
        "all_graded": "Toutes les copies ont été notées.",
        "status": "statut",
        "why": "message",
        "time": "Durée de la correction",
        "no_time": "Les résultats ne donnent pas la durée de la correction (execution_time).",
        "time_summary": "moyenne {mean} s, la plus longue {longest} s ({who}).",
        "seconds": "secondes",
        "student_column": "étudiant",
    },
}
LANGUAGES = tuple(TEXT)


# --- reading what grading wrote ------------------------------------------------------------


def read_class(out_dir):
    """Read ``out_dir/grades.csv`` and each graded student's ``out_dir/<student>/results.json``.

    Returns
    -------
    rows : list of dict
        grades.csv's rows, in its order (sorted by student), each with its ``results``:
        the results.json dict for a ``graded`` row, ``None`` otherwise.
    questions : list of str
        grades.csv's question columns.

    Raises
    ------
    FileNotFoundError
        No grades.csv, or a graded student without results.json.
    """
    out_dir = Path(out_dir)
    csv_path = out_dir / "grades.csv"
    if not csv_path.is_file():
        raise FileNotFoundError(f"no grades.csv in {out_dir}: run `make grade` first")
    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        rows = list(reader)
    questions = header[header.index("status") + 1 : header.index("total")]
    for row in rows:
        row["results"] = None
        if row["status"] == GRADED:
            results_path = out_dir / row["student"] / "results.json"
            if not results_path.is_file():
                raise FileNotFoundError(
                    f"grades.csv says {row['student']} was graded, but {results_path} is missing: "
                    "run `make grade` again"
                )
            row["results"] = json.loads(results_path.read_text())
    return rows, questions


# --- what the class got wrong ---------------------------------------------------------------

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.@+-]+){2,}/?")
_NUMBER = re.compile(r"(?<!\w)[-+]?\d+(?:[\u00a0\u202f ,.]\d{3})*(?:[.,]\d+)?(?:[eE][-+]?\d+)?(?!\w)")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")


def normalise(output, student=None):
    """A failing test's output with what differs between students replaced, so alike mistakes group.

    The student's id becomes ``<student>``, memory addresses ``<address>``, file paths
    ``<path>``, numbers (``98.12``, ``98,12``, ``5 000``, ``1e-3``) ``#``; runs of spaces
    become one, blank lines and trailing spaces go. Returns a str.
    """
    text = output or ""
    if student:
        text = text.replace(student, STUDENT)
    text = _ADDRESS.sub(ADDRESS, text)
    text = _PATH.sub(PATH, text)
    text = _NUMBER.sub(NUMBER, text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def anonymous_names(rows, lang):
    """``{student id: "student 3"}``: each student's number in grades.csv's order (1 first)."""
    return {row["student"]: TEXT[lang]["student"].format(n=n) for n, row in enumerate(rows, 1)}


#: How Otter's output names each case of a test file (``    q1_preprocess - 2 result:``) and marks a failed one.
_OTTER_CASE = re.compile(r"^ {4}(\S.*?) result:$", re.M)
OTTER_FAILED = "Test case failed"


def cases(test):
    """The cases of one scored results.json entry, as ``[(name, passed, output)]``.

    Otter's entries hold one block per case of the question's test file (``q1_preprocess - 2``,
    ``hidden points``): each is a case. An entry without such blocks (the robot lab's, a
    catastrophic error, Otter's "All test cases passed!") is one case, named after the entry, passed
    when it scored full marks. Cases that are not named after their entry (``hidden points``) get its
    name in front (``q1_preprocess - hidden points``). Used to group mistakes finely; the failure rates
    are per entry, since Otter names no case of an entry that passed.
    """
    output = test.get("output") or ""
    starts = list(_OTTER_CASE.finditer(output))
    if not starts:
        return [(test["name"], test["score"] >= test["max_score"], output)]
    found = []
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        block = output[here.start() : after.start() if after else len(output)]
        block = block.split("\n    hidden points message:")[0]  # Otter's note on hidden points is not a case
        name = here.group(1) if here.group(1).startswith(test["name"]) else f"{test['name']} - {here.group(1)}"
        found.append((name, OTTER_FAILED not in block, block.strip("\n")))
    return found


def failing_cases(results):
    """``[(case name, output)]`` of the failed cases of a results.json dict's scored tests, in its order.

    A test that lost points although none of its cases says it failed counts as one failed case.
    """
    failed = []
    for test in results.get("tests", []):
        if "max_score" not in test:
            continue
        lost = [(name, output) for name, passed, output in cases(test) if not passed]
        if not lost and test["score"] < test["max_score"]:
            lost = [(test["name"], test.get("output") or "")]
        failed += lost
    return failed


def group_mistakes(rows, lang="en"):
    """Group the failed cases of a class (:func:`failing_cases`) by case and normalised output (:func:`normalise`).

    Parameters
    ----------
    rows : list of dict
        Each with ``student`` and ``results`` (a results.json dict, or None: not graded).

    Returns
    -------
    list of dict
        One per (case, normalised message), most students first: ``test`` (the case's name),
        ``message`` (the normalised output), ``students`` (their ids, in ``rows``' order),
        ``example`` (the first student's output, their id replaced by their anonymous name,
        its end kept) and ``who`` (that anonymous name).
    """
    names = anonymous_names(rows, lang)
    groups = {}
    for row in rows:
        for case, output in failing_cases(row["results"] or {}):
            key = (case, normalise(output, row["student"]))
            if key not in groups:
                example = output.replace(row["student"], names[row["student"]]).strip()
                if len(example) > MAX_EXAMPLE_CHARS:
                    example = "…" + example[-MAX_EXAMPLE_CHARS:]
                groups[key] = {"test": case, "message": key[1], "students": [], "example": example}
                groups[key]["who"] = names[row["student"]]
            if row["student"] not in groups[key]["students"]:
                groups[key]["students"].append(row["student"])
    return sorted(groups.values(), key=lambda g: (-len(g["students"]), g["test"], g["message"]))


# --- numbers and text in the instructor's language --------------------------------------------


def number(x, lang, digits=2):
    """``x`` with at most ``digits`` decimals, trailing zeros dropped; French: decimal comma."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)
    return text.replace(".", ",") if lang == "fr" else text


def percent(share, lang):
    """``share`` (0..1) as a percentage with one decimal: ``"62.5%"``, French ``"62,5 %"``."""
    text = number(round(100 * share, 1), lang, digits=1)
    return f"{text}\u00a0%" if lang == "fr" else f"{text}%"


# --- the report, as a list of blocks rendered twice (HTML and Markdown) ------------------------
# A block is ("h1", text), ("h2", text), ("h3", text), ("p", text), ("pre", text),
# ("table", header, rows) or ("plot", png bytes, alt text, header, rows): the table stands in for the plot in Markdown.


def _plot_png(draw):
    """PNG bytes of a matplotlib figure drawn by ``draw(ax)`` (the Agg backend: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def histogram_block(totals, possible, lang):
    """The score-distribution plot of ``totals`` (floats) out of ``possible``, with its table of bins."""
    t = TEXT[lang]
    edges = [possible * i / HISTOGRAM_BINS for i in range(HISTOGRAM_BINS + 1)]
    counts = [0] * HISTOGRAM_BINS
    for total in totals:
        counts[min(int(total / possible * HISTOGRAM_BINS), HISTOGRAM_BINS - 1) if possible else 0] += 1

    from matplotlib.ticker import FuncFormatter, MaxNLocator

    def draw(ax):
        ax.hist(totals, bins=edges, color="#3b6ea8", edgecolor="white")
        ax.set_xlabel(t["score"])
        ax.set_ylabel(t["students"])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(float(x), lang)))
        ax.set_title(t["histogram"])

    table = [
        [f"{number(lo, lang)}–{number(hi, lang)}", str(c)] for lo, hi, c in zip(edges, edges[1:], counts, strict=False)
    ]
    return ("plot", _plot_png(draw), t["histogram"], [t["score"], t["students"]], table)


def build_blocks(tp, rows, questions, lang):
    """The report's blocks (see the comment above) for one class: ``rows`` and ``questions`` from :func:`read_class`."""
    t = TEXT[lang]
    graded = [row for row in rows if row["results"] is not None]
    totals = [float(row["total"]) for row in graded]
    possible = float(rows[0]["possible"]) if rows else 0.0
    blocks = [
        ("h1", t["title"].format(tp=tp)),
        (
            "p",
            t["summary"].format(
                graded=len(graded),
                students=len(rows),
                mean=number(statistics.mean(totals), lang) if totals else "–",
                possible=number(possible, lang),
                median=number(float(statistics.median(totals)), lang) if totals else "–",
            ),
        ),
        ("h2", t["distribution"]),
    ]
    if totals and possible:
        blocks.append(histogram_block(totals, possible, lang))

    blocks.append(("h2", t["questions"]))
    table = []
    for q in questions:
        scores = [question_scores(row["results"]).get(q) for row in graded]
        scores = [s for s in scores if s is not None]
        full = sum(score >= top for score, top in scores)
        mean = statistics.mean(score for score, _ in scores) if scores else 0.0
        top = max((top for _, top in scores), default=0)
        share = percent(full / len(scores), lang) if scores else "–"
        table.append(
            [q, f"{number(float(mean), lang)} / {number(float(top), lang)}", f"{full} / {len(scores)} ({share})"]
        )
    blocks.append(("table", [t["question"], t["mean"], t["full_marks"]], table))

    blocks.append(("h2", t["cases"]))
    runs, failures = Counter(), Counter()
    for row in graded:
        for test in row["results"].get("tests", []):
            if "max_score" in test:
                runs[test["name"]] += 1
                failures[test["name"]] += test["score"] < test["max_score"]
    table = [[name, f"{failures[name]} / {runs[name]}", percent(failures[name] / runs[name], lang)] for name in runs]
    blocks.append(("table", [t["case"], t["failed"], t["failure_rate"]], table))

    blocks.append(("h2", t["mistakes"]))
    mistakes = group_mistakes(rows, lang)
    if not mistakes:
        blocks.append(("p", t["no_mistakes"]))
    for group in mistakes[:MAX_MISTAKES]:
        message = group["message"]
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[:MAX_MESSAGE_CHARS] + "…"
        blocks += [
            (
                "h3",
                t["mistake" if len(group["students"]) > 1 else "mistake_one"].format(
                    test=group["test"], count=len(group["students"])
                ),
            ),
            ("p", t["message"].format(number=NUMBER, path=PATH)),
            ("pre", message),
            ("p", t["example"].format(who=group["who"])),
            ("pre", group["example"]),
        ]

    if len(mistakes) > MAX_MISTAKES:
        blocks.append(("p", t["more_mistakes"].format(count=len(mistakes) - MAX_MISTAKES)))

    blocks.append(("h2", t["flagged"]))
    flagged = [[row["student"], row["flags"]] for row in rows if row.get("flags")]
    blocks.append(("table", [t["student_column"], t["flags"]], flagged) if flagged else ("p", t["no_flagged"]))

    blocks.append(("h2", t["not_graded"]))
    broken = [[row["student"], row["status"], row["message"]] for row in rows if row["status"] != GRADED]
    blocks.append(("table", [t["student_column"], t["status"], t["why"]], broken) if broken else ("p", t["all_graded"]))

    blocks.append(("h2", t["time"]))
    times = {row["student"]: row["results"]["execution_time"] for row in graded if "execution_time" in row["results"]}
    if times:
        slowest = max(times, key=times.get)
        summary = t["time_summary"].format(
            mean=number(float(statistics.mean(times.values())), lang, 1),
            longest=number(float(times[slowest]), lang, 1),
            who=slowest,
        )
        blocks += [
            ("p", summary),
            ("table", [t["student_column"], t["seconds"]], [[s, number(float(x), lang, 1)] for s, x in times.items()]),
        ]
    else:
        blocks.append(("p", t["no_time"]))
    return blocks


def french_typography(text):
    """Non-breaking spaces before ``: ; ! ?`` and ``%`` (none doubled); « » with non-breaking spaces inside."""
    text = re.sub(r'"([^"\n]*)"', "«\u00a0\\1\u00a0»", text)
    return re.sub(r"(?<=[^\s«])[ \u00a0]?([:;!?%])(?=\s|$)", "\u00a0\\1", text)


def to_markdown(blocks):
    """The report as Markdown: GitHub pipe tables, ``pre`` as fenced blocks, a plot as its table."""

    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    def table(header, rows):
        lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(map(cell, r)) + " |" for r in rows])

    parts = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3"):
            parts.append("#" * int(kind[1]) + " " + rest[0])
        elif kind == "p":
            parts.append(rest[0])
        elif kind == "pre":
            parts.append("```text\n" + rest[0].replace("```", "ʼʼʼ") + "\n```")
        elif kind == "table":
            parts.append(table(*rest))
        elif kind == "plot":
            parts.append(table(rest[2], rest[3]))
    return "\n\n".join(parts) + "\n"


STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#eef}pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap;max-height:20em;overflow:auto}
img{max-width:100%}"""


def to_html(blocks, lang):
    """The report as one self-contained HTML page: inline CSS, each plot a ``data:image/png;base64`` <img>."""
    e = html.escape
    parts = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3", "p", "pre"):
            parts.append(f"<{kind}>{e(rest[0])}</{kind}>")
        elif kind == "table":
            header, rows = rest
            head = "".join(f"<th>{e(h)}</th>" for h in header)
            body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "plot":
            png, alt = rest[0], rest[1]
            parts.append(f'<img alt="{e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    title = e(blocks[0][1])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def localise(blocks, lang):
    """The blocks with French typography applied to the report's own text (not to students' outputs)."""
    if lang != "fr":
        return blocks
    fixed = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "h3", "p"):
            rest = [french_typography(rest[0])]
        elif kind == "table":
            rest = [[french_typography(h) for h in rest[0]], rest[1]]
        fixed.append((kind, *rest))
    return fixed


# --- Otter's final_grades.csv ------------------------------------------------------------------


def write_final_grades(rows, questions, path):
    """Write ``path`` in Otter Grader 7's ``final_grades.csv`` format (``otter grade``'s output).

    Columns: ``file``, one per question (sorted), ``total_points_earned``, ``percent_correct``
    (earned / possible, to 4 decimals), ``grading_status`` (``Completed``, or why it could not
    be graded; its questions then score 0). The first row, ``points-per-question``, holds each
    question's points. ``file`` is the student's id (grades.csv's ``student``).
    """
    questions = sorted(questions)
    graded = [row for row in rows if row["results"] is not None]
    points = {}
    for row in graded:
        for q, (_, top) in question_scores(row["results"]).items():
            points[q] = max(points.get(q, 0), top)
    possible = sum(points.get(q, 0) for q in questions)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([OTTER_FILE, *questions, OTTER_TOTAL, OTTER_PERCENT, OTTER_STATUS])
        if graded:
            writer.writerow([OTTER_POINTS_ROW, *(f"{points.get(q, 0):g}" for q in questions), f"{possible:g}", 1, "--"])
        for row in rows:
            if row["results"] is None:
                writer.writerow([row["student"], *(0 for _ in questions), 0, 0, row["message"] or row["status"]])
                continue
            scores = question_scores(row["results"])
            earned = [scores.get(q, (0, 0))[0] for q in questions]
            share = round(sum(earned) / possible, 4) if possible else 0
            writer.writerow(
                [row["student"], *(f"{x:g}" for x in earned), f"{sum(earned):g}", f"{share:g}", OTTER_COMPLETED]
            )


# --- entry points ----------------------------------------------------------------------------------


def write_report(out_dir, lang="en"):
    """Write ``report.html``, ``report.md`` and ``final_grades.csv`` into ``out_dir`` (a ``grades/<TP>/``).

    Reads only what grading stored there (:func:`read_class`), so it can be called at the
    end of ``grade.grade_folder`` or any time later. ``lang`` is ``"en"`` or ``"fr"``, the
    instructor's language. Returns the three paths (html, md, csv).

    Raises ``FileNotFoundError`` (no grades.csv: grade first) or ``ValueError`` (a language
    the report is not written in).
    """
    if lang not in TEXT:
        raise ValueError(f"the report is written in {' or '.join(LANGUAGES)}, not {lang!r}: pass --lang fr or en")
    out_dir = Path(out_dir)
    rows, questions = read_class(out_dir)
    blocks = localise(build_blocks(out_dir.name, rows, questions, lang), lang)
    paths = out_dir / HTML_FILE, out_dir / MARKDOWN_FILE, out_dir / FINAL_GRADES_FILE
    paths[0].write_text(to_html(blocks, lang))
    paths[1].write_text(to_markdown(blocks))
    write_final_grades(rows, questions, paths[2])
    return paths


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m autograder.report",
        description="Rebuild the class report (report.html, report.md, final_grades.csv) from stored grading results.",
    )
    parser.add_argument("grades", type=Path, help="the folder `make grade` wrote, e.g. grades/tp1_dense")
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="the instructor's language (default en)")
    args = parser.parse_args(argv)
    try:
        paths = write_report(args.grades, args.lang)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")
    print("\n".join(map(str, paths)))


if __name__ == "__main__":
    main()
