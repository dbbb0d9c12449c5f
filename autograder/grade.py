"""Grade submissions with an autograder zip on this machine, without Docker (``otter run``).

``otter grade`` needs Docker; ``otter run`` unpacks the zip and runs the
notebook in a kernel of the current environment, which must therefore hold the
zip's requirements (the kit's virtual environment does).

Grade a folder of submissions (``make grade``)::

    python -m autograder.grade tp1_dense submissions/ [--out grades/tp1_dense] [--jobs 2]

writes ``grades.csv`` (one row per student, one column per question, the total)
and each student's ``results.json`` and ``feedback.txt``. Each submission runs
in its own bubblewrap sandbox (:mod:`autograder.sandbox`; ``--no-sandbox`` runs it
as you) under a time and a memory limit: a broken one is graded as broken, with a
message, and never stops the others. Only this process writes the grades. Re-running
skips the submissions already graded with the same autograder (their signed ``done.json``).
"""

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

from .sandbox import SandboxUnavailable, probe
from .sandbox import command as sandbox_command


class GradingError(RuntimeError):
    """Otter could not grade the submission at all (not: the submission lost points).

    ``reason`` is one of ``"timeout"``, ``"memory"``, ``"crash"``, ``"invalid"``, ``"failed"``
    (Otter ran but reported "Autograder Failed"), ``"error"`` (the hand-in could not even be
    read or copied: a dangling symlink, an unreadable file).
    """

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _process_table():
    """``{pid: (parent pid, resident bytes)}`` of every process, read from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the command name, which may itself hold spaces and parentheses.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we read
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[21]) * _PAGE)
    return table


def _tree(pid):
    """``(pids, resident bytes)`` of ``pid`` and all its descendants.

    The notebook's kernel runs in a session of its own (jupyter_client starts it
    so), so the tree is followed through parent pids, not through the session.
    """
    table = _process_table()
    children = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        if current in table:
            pids.append(current)
            todo.extend(children.get(current, []))
    return pids, sum(table[p][1] for p in pids)


def _kill_tree(pid):
    for child in _tree(pid)[0]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def watch(process, timeout, memory_mb=None):
    """Wait for ``process`` (a ``subprocess.Popen``) under a time and a memory limit.

    Memory is the resident memory of the process and all its descendants together
    (the notebook's kernel included), sampled every 0.2 s. Whatever happens, every
    process of the tree is killed at the end (a kernel left behind by a crash). In a
    sandbox the tree is the sandbox's PID namespace, whose processes all die with it
    (a double-forked daemon included); without one, a process that left the tree by
    double-forking escapes both the memory count and the kill.

    Returns
    -------
    peak : int
        The largest resident memory the tree held, in bytes.

    Raises
    ------
    GradingError
        ``"timeout"`` or ``"memory"`` when a limit was crossed (the tree is killed first).
    """
    start, peak, stopped = time.monotonic(), 0, None
    try:
        while process.poll() is None:
            _, resident = _tree(process.pid)
            peak = max(peak, resident)
            if time.monotonic() - start > timeout:
                stopped = GradingError(
                    "timeout", f"grading stopped after {timeout:.0f} s (an endless loop, or training far too long?)"
                )
            elif memory_mb and resident > memory_mb * 2**20:
                stopped = GradingError(
                    "memory",
                    f"grading stopped at {resident / 2**20:,.0f} MB of memory, over the {memory_mb:,.0f} MB limit",
                )
            if stopped:
                _kill_tree(process.pid)
                process.wait()
                raise stopped
            time.sleep(0.2)
    finally:
        _kill_tree(process.pid)
    return peak


def assignment_name(autograder_zip):
    """The assignment an autograder zip grades (its ``otter_config.json``; ``"robot_lab"`` for the robot lab's)."""
    with zipfile.ZipFile(autograder_zip) as z:
        if is_robot_lab_zip(z):
            return "robot_lab"
        return json.loads(z.read("otter_config.json")).get("assignment_name")


#: The robot lab's runner inside its zip (robot_lab/grading/run.py): no Otter there.
ROBOT_LAB_RUNNER = "grading/run.py"


def is_robot_lab_zip(z):
    """Whether the open ``zipfile.ZipFile`` is the robot lab's autograder (its own runner, no Otter)."""
    names = set(z.namelist())
    return ROBOT_LAB_RUNNER in names and "otter_config.json" not in names


#: What the parent reads of a sandboxed run's output (its tail) and of its results.json, in bytes:
#: a run that prints or writes more cannot fill the instructor's memory.
LOG_BYTES = 64 * 2**10
RESULTS_BYTES = 16 * 2**20


def copy_submission(submission, target):
    """Copy a hand-in (file or folder) to ``target``, a path the caller chose; returns ``target``.

    The student's own file name never becomes a path of the grader. A folder is copied
    with the files its symlinks point to: a dangling link raises ``OSError``.
    """
    submission, target = Path(submission), Path(target)
    if submission.is_dir():
        shutil.copytree(submission, target)
    else:
        shutil.copyfile(submission, target)
    return target


def read_bounded(path, limit, tail=False):
    """At most ``limit`` bytes of the file at ``path`` (its end when ``tail``), as text."""
    with open(path, "rb") as f:
        if tail:
            f.seek(max(0, f.seek(0, os.SEEK_END) - limit))
        return f.read(limit).decode(errors="replace")


def run_in_scratch(command, work, results_file, timeout, memory_mb, sandbox=True, hide=(), readable=(), env=None):
    """Run a grading ``command`` whose only writable folder is ``work``; returns ``(results, peak bytes)``.

    With ``sandbox`` it runs in bubblewrap (:mod:`autograder.sandbox`: the folders of
    ``hide`` unreadable, those of ``readable`` readable even under ``/tmp``, every process
    killed with it); without, as you, in ``work``.
    stdout and stderr go to ``work/grading.log``. The parent reads ``results_file``
    (at most :data:`RESULTS_BYTES`) and the log's last :data:`LOG_BYTES`.

    Raises
    ------
    GradingError
        ``"timeout"``/``"memory"`` (see :func:`watch`), ``"crash"`` when the run failed
        or wrote no results, ``"failed"`` when Otter reports "Autograder Failed".
    """
    work = Path(work)
    if sandbox:
        command = sandbox_command(command, work, memory_mb=memory_mb, hide=hide, readable=readable)
    log_path = work / "grading.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env)
    peak = watch(process, timeout, memory_mb)
    output = read_bounded(log_path, LOG_BYTES, tail=True)
    last_line = next((line for line in reversed(output.splitlines()) if line.strip()), "no output")
    if process.returncode != 0 or not results_file.is_file():
        raise GradingError("crash", f"the grading run failed: {last_line}\n\n{output[-3000:]}")
    if results_file.stat().st_size > RESULTS_BYTES:
        raise GradingError("crash", f"the grading run wrote a results.json over {RESULTS_BYTES / 2**20:g} MB")
    try:
        results = json.loads(read_bounded(results_file, RESULTS_BYTES))
    except ValueError as error:
        raise GradingError("crash", f"the grading run wrote an unreadable results.json ({error})") from None
    failed = [t for t in results.get("tests", []) if t.get("name") == "Autograder Failed"]
    if failed:
        raise GradingError(
            "failed", f"Otter could not grade the notebook (Autograder Failed): {last_line}\n\n{output[-3000:]}"
        )
    return results, peak


def run_robot_lab(autograder_zip, submission, output_dir=None, timeout=600, memory_mb=None, sandbox=True, hide=()):
    """Grade one robot-lab submission (a folder or a ``.zip`` of the files the student edits).

    Lays out Gradescope's tree in a scratch folder (``source/`` = the unpacked zip,
    ``submission/``, ``results/``) and runs the zip's own ``grading/run.py`` with this
    Python, under the same limits as :func:`run_otter`. The runner is not sandboxed: it puts
    the student's code (its worker) in the sandbox itself, the grades (``output_dir``, ``hide``)
    out of the worker's sight too; ``sandbox`` is accepted as for :func:`run_otter`. Returns the
    ``results.json`` content, plus ``peak_memory_mb``; raises ``GradingError`` as :func:`run_otter` does.
    """
    submission = Path(submission).resolve()
    if not (submission.is_dir() or submission.suffix == ".zip"):
        raise GradingError(
            "invalid", f"{submission.name}: a robot-lab submission is a folder or a .zip of the files you edited"
        )
    if submission.suffix == ".zip" and not zipfile.is_zipfile(submission):
        raise GradingError("invalid", f"{submission.name} is not a readable zip")
    output_dir = Path(output_dir or tempfile.mkdtemp(prefix="grade-"))
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="robot-lab-") as work:
        root = Path(work) / "autograder"
        with zipfile.ZipFile(autograder_zip) as z:
            z.extractall(root / "source")
        if submission.is_dir():
            copy_submission(submission, root / "submission")
        else:
            (root / "submission").mkdir(parents=True)
            copy_submission(submission, root / "submission" / "submission.zip")
        (root / "results").mkdir()
        command = [sys.executable, str(root / "source" / ROBOT_LAB_RUNNER), "--root", str(root)]
        # The zip's runner is the grader's code: it runs the student's code only in a worker that it
        # puts in this same sandbox itself (grading/run.py, worker_wrapper), with the reference and the
        # hidden answers out of sight, which a sandbox around the runner could not do (bwrap does not
        # nest here). The runner itself stays under this process's time and memory limits.
        # ROBOT_LAB_GRADING_HIDE: what the worker must not see besides the runner's root (the grades).
        hidden = os.pathsep.join(str(Path(p).resolve()) for p in (output_dir, *hide))
        results, peak = run_in_scratch(
            command,
            work,
            root / "results" / "results.json",
            timeout,
            memory_mb,
            sandbox=False,
            env={**os.environ, "ROBOT_LAB_GRADING_HIDE": hidden},
        )
    (output_dir / "results.json").write_text(json.dumps(results, indent=1))
    results["peak_memory_mb"] = round(peak / 2**20)
    return results


def read_submission(submission):
    """The notebook of ``submission``: a ``.ipynb``, or the ``.zip`` that ``grader.export()`` writes.

    Raises ``GradingError("invalid", ...)`` when it is neither, when the zip does not hold
    exactly one notebook, or when the notebook cannot be read.
    """
    submission = Path(submission)
    if not submission.is_file() or submission.suffix not in (".ipynb", ".zip"):
        raise GradingError(
            "invalid", f"{submission.name}: expected a .ipynb notebook or the .zip that grader.export() writes"
        )
    try:
        if submission.suffix == ".zip":
            with zipfile.ZipFile(submission) as z:
                notebooks = [n for n in z.namelist() if n.endswith(".ipynb") and not n.startswith("__MACOSX")]
                if len(notebooks) != 1:
                    raise GradingError(
                        "invalid", f"{submission.name}: the zip should hold one notebook, it holds {len(notebooks)}"
                    )
                return nbformat.reads(z.read(notebooks[0]).decode(), as_version=4)
        return nbformat.read(submission, as_version=4)
    except (zipfile.BadZipFile, ValueError, UnicodeDecodeError) as error:
        raise GradingError(
            "invalid", f"{submission.name} is not a readable notebook ({type(error).__name__}: {error})"
        ) from None


def check_submission(submission, expected_assignment):
    """Raise ``GradingError("invalid", ...)`` unless ``submission`` is a notebook of ``expected_assignment``.

    Checked before grading (:func:`read_submission`), so a wrong file gets a plain message, not a traceback.
    """
    found = read_submission(submission).metadata.get("otter", {}).get("assignment_name")
    if expected_assignment and found and found != expected_assignment:
        raise GradingError("invalid", f"{Path(submission).name} is a notebook of {found}, not of {expected_assignment}")


#: The tag Otter Assign gives a written (manually graded) question's answer cell.
ANSWER_CELL_TAG = "otter_answer_cell"


def written_answers(submission):
    """The answers of a notebook submission to its written questions (``manual: true``), as Markdown.

    Each answer cell (a Markdown cell Otter tagged ``otter_answer_cell``) follows its
    question's prompt, which starts with ``<!-- BEGIN QUESTION -->``: the text holds each
    prompt's heading, then the student's answer. Empty when the notebook has no written
    question, or the submission cannot be read.
    """
    try:
        nb = read_submission(submission)
    except (GradingError, OSError):
        return ""
    parts, prompt = [], None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if cell.source.startswith("<!-- BEGIN QUESTION -->"):
            prompt = next((line for line in cell.source.splitlines()[1:] if line.strip()), "")
        elif ANSWER_CELL_TAG in cell.metadata.get("tags", []):
            parts.append(f"{prompt or '(question)'}\n\n{cell.source.strip()}\n")
    return "\n".join(parts)


#: Cells the grader adds around the student's cells. Otter reads its tests by paths relative to the
#: kernel's starting folder ("./tests/q1.py"): a stray ``os.chdir`` in the notebook would make
#: them all missing ("Autograder Failed", 0 points). The first cell notes the folder, the last
#: one returns to it just before Otter's own final cell runs the tests.
PINNED_CELLS = (
    "import os as _grading_os\n_grading_cwd = _grading_os.getcwd()",
    "_grading_os.chdir(_grading_cwd)",
)


def write_graded_notebook(submission, target):
    """Write ``target``: the notebook of ``submission`` (:func:`read_submission`) between :data:`PINNED_CELLS`.

    The grader's own copy, under a name it chose: a zip's member names are never extracted.
    """
    nb = read_submission(submission)
    first, last = (nbformat.v4.new_code_cell(source) for source in PINNED_CELLS)
    nb.cells = [first, *nb.cells, last]
    nbformat.write(nb, target)
    return target


def run_otter(autograder_zip, submission, output_dir=None, timeout=600, memory_mb=None, sandbox=True, hide=()):
    """Grade ``submission`` (a notebook or an exported zip) with ``otter run``.

    Parameters
    ----------
    autograder_zip : path-like
        A ``dist/<name>/autograder.zip``.
    submission : path-like
        The student's ``.ipynb`` (or the zip that ``grader.export`` made).
    output_dir : path-like, optional
        Where ``results.json`` is written; a temporary folder when omitted.
    timeout : float
        Seconds before the grading run and every process it started are killed.
    memory_mb : float, optional
        Resident memory of the grading run's processes together (the notebook's
        kernel included) above which they are killed.
    sandbox : bool
        Run in bubblewrap (:func:`run_in_scratch`); ``False`` runs the student's code as you.
    hide : tuple of path-like
        Folders the run may not read (``output_dir`` always is).

    Returns
    -------
    results : dict
        Gradescope's ``results.json`` as Otter wrote it: ``tests`` is a list of
        ``{"name", "score", "max_score", "visibility", "output"}``; plus
        ``peak_memory_mb``, the largest resident memory the run's processes held together.

    Raises
    ------
    GradingError
        The submission could not be graded at all; ``reason`` says why.
    """
    submission = Path(submission).resolve()
    check_submission(submission, assignment_name(autograder_zip))
    output_dir = Path(output_dir or tempfile.mkdtemp(prefix="grade-"))
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "results.json").unlink(missing_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="judge-") as grader,
        tempfile.TemporaryDirectory(prefix="submission-") as work,
    ):
        kernel_zip, judge_dir = split_autograder(autograder_zip, Path(grader))
        copy = write_graded_notebook(submission, Path(work) / "submission.ipynb")
        exports = Path(work) / "exports"
        for folder in (Path(work) / "results", exports):
            folder.mkdir()
        command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(kernel_zip)]
        command += ["-o", str(Path(work) / "results"), str(copy)]
        environment = {**os.environ, EXPORT_DIR_VARIABLE: str(exports)}
        # The kernel: the student's code, with the students' half of the test set only.
        kernel_results, peak = run_in_scratch(
            command,
            work,
            Path(work) / "results" / "results.json",
            timeout,
            memory_mb,
            sandbox,
            (output_dir, judge_dir, *hide),
            readable=(kernel_zip,),
            env=environment,
        )
        # The clean process: the grader's own tests and held-out digits, the kernel's exports as data.
        with tempfile.TemporaryDirectory(prefix="clean-") as clean:
            (Path(clean) / "kernel.json").write_text(json.dumps(kernel_results))
            judged = Path(clean) / "results.json"
            command = [sys.executable, str(judge_dir / "kit_verify.py"), str(judge_dir), str(exports)]
            command += [str(Path(clean) / "kernel.json"), str(judged)]
            results, judge_peak = run_in_scratch(
                command, clean, judged, timeout, memory_mb, sandbox, (output_dir, *hide), readable=(judge_dir, exports)
            )
    (output_dir / "results.json").write_text(json.dumps(results, indent=1))
    results["peak_memory_mb"] = round(max(peak, judge_peak) / 2**20)
    return results


#: Where the kernel's ``kit_verify.export`` writes (autograder/verify.py).
EXPORT_DIR_VARIABLE = "KIT_EXPORT_DIR"
#: The autograder zip's folder for the clean process (autograder/build: ``JUDGE_DIR``).
JUDGE_DIR = "judge"


def split_autograder(autograder_zip, folder):
    """Split an autograder zip into what the kernel may see and what only the clean process reads.

    Returns ``(kernel_zip, judge_dir)``: ``folder/kernel.zip``, the zip without its ``judge/``
    folder (the grader's tests with their points and both halves of the test set), and
    ``folder/judge``, that folder unpacked. A zip built before the clean process existed (no
    ``judge/``) raises ``GradingError("invalid")``: rebuild it.
    """
    kernel_zip, judge_dir = folder / "kernel.zip", folder / JUDGE_DIR
    with zipfile.ZipFile(autograder_zip) as z, zipfile.ZipFile(kernel_zip, "w", zipfile.ZIP_STORED) as kernel:
        names = [n for n in z.namelist() if not n.endswith("/")]
        judged = [n for n in names if n.startswith(f"{JUDGE_DIR}/")]
        if not judged:
            raise GradingError("invalid", f"{autograder_zip} has no {JUDGE_DIR}/ folder: rebuild it (make assignments)")
        for name in names:
            if name in judged:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
            else:  # a copy of the entry's info: writestr sets its offset in the new zip
                info = z.getinfo(name)
                copy = zipfile.ZipInfo(name, date_time=info.date_time)
                copy.external_attr = info.external_attr
                kernel.writestr(copy, z.read(name))
    return kernel_zip, judge_dir


#: What ``kit_checks.check_test_set_use`` writes in a failed test's output (autograder/checks.py, ``FLAG``).
FLAG = "[test-set flag]"
#: What the clean process writes when the kernel's verdicts lied (autograder/verify.py, ``TAMPERED``).
TAMPERED = "[tampered]"


def flags(results):
    """The flags of a ``results.json``: one line per flagged question, ``"question: why"``.

    A test-set flag (a model trained on test digits) or a tampered run (the kernel's verdicts
    contradicted by the clean process).
    """
    found = []
    for test in results.get("tests", []):
        output = test.get("output") or ""
        for marker, kind in ((FLAG, ""), (TAMPERED, "tampered: ")):
            line = next((line for line in output.splitlines() if marker in line), None)
            if line is not None:
                found.append(f"{test.get('name', '?')}: {kind}{line.split(marker, 1)[1].strip()}")
    return found


def question_scores(results):
    """``{question: (score, max_score)}`` from a ``results.json`` (the public summary row left out)."""
    return {test["name"]: (test["score"], test["max_score"]) for test in results["tests"] if "max_score" in test}


def apply_changes(notebook_path, changes, target):
    """Write ``target``: the notebook at ``notebook_path`` with each ``(old, new)`` text change applied once.

    Used to make wrong submissions from a solution (reference/submissions) and the
    calibration's variants (reference/calibrate.py). Raises ``ValueError`` when a
    change does not match exactly one place, so a variant can never silently turn
    into the unchanged notebook.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    for old, new in changes:
        cells = [c for c in nb.cells if old in c.source]
        if len(cells) != 1 or cells[0].source.count(old) != 1:
            raise ValueError(f"a change must match exactly once; {old!r} matched {len(cells)} cells")
        cells[0].source = cells[0].source.replace(old, new)
    nbformat.write(nb, target)
    return target


# --- a folder of submissions ---------------------------------------------------

SUBMISSION_SUFFIXES = (".ipynb", ".zip")


def _sha256(*paths):
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def _files_of(submission):
    """A submission's files: itself, or every file of a folder (a robot-lab submission), sorted."""
    submission = Path(submission)
    return sorted(p for p in submission.rglob("*") if p.is_file()) if submission.is_dir() else [submission]


def student_id(submission):
    """The name a submission is filed under in ``grades/<TP>/``: safe as a folder name.

    The file's stem when it is only letters, digits, ``_`` and ``-``; otherwise that stem
    cleaned (anything else becomes ``_``) plus 8 hex digits of the file name's sha256, so
    that ``..ipynb``, ``a b.ipynb`` and ``José.ipynb`` never become paths and never collide.
    ``grades.csv`` keeps each id's file name (column ``submission``).
    """
    stem = Path(submission).stem
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:40]
    if safe == stem:
        return stem
    return f"{safe or 'student'}-{hashlib.sha256(Path(submission).name.encode()).hexdigest()[:8]}"


def signing_key(out):
    """The batch's HMAC key, ``out/.key`` (32 random bytes, mode 0600), created on first use.

    Only the parent reads it: the sandbox sees ``out`` as an empty folder.
    """
    path = Path(out) / ".key"
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(32))
    return path.read_bytes()


def _signature(key, row):
    return hmac.new(key, json.dumps(row, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def read_done(done, key):
    """The row stored in ``done`` (a ``done.json``), or ``None`` when missing, unreadable or not signed by ``key``."""
    try:
        stored = json.loads(read_bounded(done, RESULTS_BYTES))
        row, signature = stored["row"], stored["signature"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return row if isinstance(signature, str) and hmac.compare_digest(signature, _signature(key, row)) else None


def write_done(done, key, row):
    """Store ``row`` in ``done`` with its HMAC signature (see :func:`read_done`)."""
    done.write_text(json.dumps({"row": row, "signature": _signature(key, row)}, indent=1))


def grade_submission(autograder_zip, submission, folder, timeout, memory_mb, sandbox=True, key=b""):
    """Grade one submission into ``folder``; returns its CSV row (never raises for a bad submission).

    The row holds ``student`` (:func:`student_id`), ``submission`` (the file's name),
    ``status`` (``graded`` or why it could not be), one ``(score, possible)`` per question
    under ``scores``, and ``message``. ``folder/done.json`` records the row, signed with
    ``key``, with the checksum of the submission and of the autograder, so a second run
    reuses it; a done.json whose signature does not match is ignored (graded again).
    Only this process writes in ``folder``; the grading itself runs in a scratch folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    done = folder / "done.json"
    row = {"student": folder.name, "submission": submission.name, "scores": {}, "message": ""}
    try:
        checksum = _sha256(autograder_zip, *_files_of(submission))
    except OSError as error:
        checksum = None
        results, problem = None, GradingError("error", f"{submission.name} cannot be read ({error.strerror or error})")
    else:
        stored = read_done(done, key)
        if stored and stored.get("checksum") == checksum:
            return stored
        run = run_robot_lab if assignment_name(autograder_zip) == "robot_lab" else run_otter
        hide = (folder.parent,)
        try:
            results, problem = run(autograder_zip, submission, folder, timeout, memory_mb, sandbox, hide), None
        except GradingError as error:
            results, problem = None, error
        except OSError as error:  # shutil.Error too: a folder with a dangling symlink
            message = str(error.args[0][0][2]) if isinstance(error, shutil.Error) else str(error)
            results, problem = None, GradingError("error", f"{submission.name} cannot be copied ({message})")
    row["checksum"] = checksum
    if problem:
        row.update(status=problem.reason, message=str(problem).splitlines()[0])
        feedback = f"{submission.name} could not be graded: {problem}\n"
    else:
        row.update(
            status="graded",
            scores=question_scores(results),
            peak_memory_mb=results["peak_memory_mb"],
            flags=flags(results),
        )
        feedback = "\n\n".join(
            (f"{t['name']}: {t['score']:g} / {t['max_score']:g}" if "max_score" in t else t["name"])
            + f"\n{t.get('output', '')}"
            for t in results["tests"]
        )
    (folder / "feedback.txt").write_text(feedback)
    answers = written_answers(submission) if problem is None and submission.is_file() else ""
    if answers:
        (folder / "answers.md").write_text(answers)
    write_done(done, key, row)
    return row


def write_csv(rows, questions, path):
    """One row per student: status, one column per question, total, possible total, message, flags, file name."""
    import csv

    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "status", *questions, "total", "possible", "message", "flags", "submission"])
        for row in sorted(rows, key=lambda r: r["student"]):
            scores = [row["scores"].get(q, (0, None))[0] for q in questions]
            writer.writerow(
                [
                    row["student"],
                    row["status"],
                    *(f"{x:g}" for x in scores),
                    f"{sum(scores):g}",
                    f"{row['possible']:g}",
                    row["message"],
                    " | ".join(row.get("flags", [])),
                    row.get("submission", ""),
                ]
            )


def grade_folder(autograder_zip, submissions, out, jobs=2, timeout=600, memory_mb=4000, sandbox=True):
    """Grade every ``.ipynb`` and ``.zip`` of ``submissions`` into ``out``; returns the CSV's path.

    Parameters
    ----------
    autograder_zip : path-like
    submissions : path-like
        A folder of student files, one per student, named after the student.
    out : path-like
        Gets ``grades.csv`` and one folder per student (``results.json``, ``feedback.txt``).
    jobs : int
        Submissions graded at the same time.
    timeout, memory_mb : float
        Limits of one grading run (see ``run_otter``).
    sandbox : bool
        Grade each submission in bubblewrap (:mod:`autograder.sandbox`); checked once
        first, ``SandboxUnavailable`` says what to do when it cannot run here.
    """
    from concurrent.futures import ThreadPoolExecutor

    from tqdm import tqdm

    autograder_zip, submissions, out = Path(autograder_zip), Path(submissions), Path(out)
    if not autograder_zip.is_file():
        raise FileNotFoundError(f"no autograder at {autograder_zip}: run `make assignments` first")
    if not submissions.is_dir():
        raise FileNotFoundError(f"no folder of submissions at {submissions}")
    robot_lab = assignment_name(autograder_zip) == "robot_lab"
    if robot_lab:  # a .zip, or a folder, of the files the student edited
        files = sorted(p for p in submissions.iterdir() if p.suffix == ".zip" or (p.is_dir() and p.name[0] != "."))
    else:
        files = sorted(p for p in submissions.iterdir() if p.suffix in SUBMISSION_SUFFIXES)
    if not files:
        kinds = ".zip or folder" if robot_lab else ".ipynb or .zip"
        raise FileNotFoundError(f"no {kinds} submission in {submissions}")
    names = [student_id(p) for p in files]
    if len(set(names)) != len(names):
        raise ValueError(f"two submissions of the same student in {submissions}: keep one file per name")
    out.mkdir(parents=True, exist_ok=True)
    if sandbox:
        with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as scratch:
            probe(scratch)
    key = signing_key(out)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(grade_submission, autograder_zip, p, out / name, timeout, memory_mb, sandbox, key)
            for p, name in zip(files, names)
        ]
        rows = [f.result() for f in tqdm(futures, desc=f"grading {len(files)} submissions", unit="submission")]

    questions = sorted({q for row in rows for q in row["scores"]})
    possible = sum(max(row["scores"][q][1] for row in rows if q in row["scores"]) for q in questions)
    for row in rows:
        row["possible"] = possible
    csv_path = out / "grades.csv"
    write_csv(rows, questions, csv_path)
    return csv_path


def main(argv=None):
    import argparse

    from . import REPO_ROOT

    parser = argparse.ArgumentParser(
        prog="python -m autograder.grade", description="Grade a folder of submissions without Docker."
    )
    parser.add_argument("assignment", help="e.g. tp1_dense or robot_lab: grades with dist/<assignment>/autograder.zip")
    parser.add_argument(
        "submissions",
        type=Path,
        help="folder of .ipynb or .zip files, one per student (robot_lab: a .zip or a folder per student)",
    )
    parser.add_argument("--out", type=Path, help="default: grades/<assignment>")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per submission (default 600)")
    parser.add_argument("--memory-mb", type=float, default=4000, help="memory per submission (default 4000)")
    parser.add_argument("--zip", type=Path, help="the autograder zip (default: dist/<assignment>/autograder.zip)")
    parser.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help="grade without bubblewrap (unsafe: student code runs as you, can read and write your files)",
    )
    args = parser.parse_args(argv)
    out = args.out or REPO_ROOT / "grades" / args.assignment
    try:
        csv_path = grade_folder(
            args.zip or REPO_ROOT / "dist" / args.assignment / "autograder.zip",
            args.submissions,
            out,
            args.jobs,
            args.timeout,
            args.memory_mb,
            args.sandbox,
        )
    except (FileNotFoundError, ValueError, SandboxUnavailable) as error:
        sys.exit(f"error: {error}")
    print(csv_path.read_text(), end="")
    print(f"grades: {csv_path}; feedback: {out}/<student>/feedback.txt")


if __name__ == "__main__":
    main()
