"""Grade one robot-lab submission and write Gradescope's ``results.json``.

This file ships in the robot lab's autograder zip as ``grading/run.py`` and runs
with nothing but the standard library in the grading process itself: the
student's code only ever runs in worker processes, so a student function that
crashes, loops or kills its interpreter costs that test's points, never the run,
and nothing the worker says is a verdict: it hands back outputs, a trusted judge
process scores them.

Two uses. In the autograder zip, it grades a submission (Gradescope's layout, or any
folder with the same three parts, below). In the students' folder, ``python grading/run.py``
(``--local``, the default there) grades the folder's own ``robot_lab/`` on public scenes
with the same tests, and prints the points and what to fix.

Layout (Gradescope's, or any folder with the same three parts)::

    $AUTOGRADER_ROOT/               default /autograder
        source/                     the unpacked autograder zip: robot_lab/ (the solution package),
                                    template/<lang>/robot_lab/ (the student files with holes, per language),
                                    grading/ (this file, hidden_tests.py, config.json, the model, the hidden scenes)
        submission/                 what the student handed in: the files they edit
                                    (vision.py, classifier.py, ...), loose or in a zip, any folder depth
        results/results.json        written here

Environment: ``AUTOGRADER_ROOT`` (the folder above), ``ROBOT_LAB_GRADING_TIMEOUT``
(seconds, replaces every test's own time limit), ``ROBOT_LAB_GRADING_BUDGET`` (seconds
for all the tests together, default config.json's ``budget_s``), ``ROBOT_LAB_GRADING_HIDE``
(folders, ``os.pathsep``-separated, that the worker must not see besides the root: local grading
hides its grades), ``ROBOT_LAB_GRADING_ROS=never``
(grade ``fill_response`` with stand-ins for the ROS message classes even where ROS is installed),
``ROBOT_LAB_GRADING_LANG`` (``fr`` or ``en``: the feedback's language; default: the language of
the student's files, recognised from the templates they were given).

Steps: copy the solution package to a scratch folder, put each file the student
edits over it (the unfilled template when the submission lacks one, so that it
scores 0 there; zips are read by this process, only members whose basename is a
student file, streamed under our own names with size limits), then for each test:

- the *judge* (``--judge``, a second interpreter that never imports the student's code,
  with the reference package, the hidden answers and the network) writes the test's
  inputs (faces, sprites, scene images: no answers);
- the *worker* (``--worker``, in a sandbox folder holding only the student's package, the
  shipped network, the collect code and those inputs; a new session; in bubblewrap's
  sandbox where it runs (``grading/sandbox.py``), else user ``nobody`` when this runs as
  root and that user can run this Python; an environment naming nothing of
  the grader's) runs the student's function and writes its raw outputs;
- this process copies the outputs (bounded) out of the sandbox and the judge scores the
  copy: the fraction and the message come from the judge only.

After each worker, every process of its session and every descendant of this process
(a daemon is reparented here: ``PR_SET_CHILD_SUBREAPER``) is killed.
Run ``AUTOGRADER_ROOT=/some/folder python grading/run.py --root /some/folder``.
"""

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

GRADING_DIR = Path(__file__).resolve().parent
PACKAGE = "robot_lab"


# --- the submission -------------------------------------------------------------


#: Limits on the zips of a submission: members read, bytes of one member, bytes of all.
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 2 * 2**20
MAX_UNPACKED_BYTES = 20 * 2**20
CHUNK = 64 * 1024


def _ignored(parts):
    return "__MACOSX" in parts or parts[-1].startswith("._")


def _unzip_wanted(archive, names, unpacked, notes):
    """The members of ``archive`` named one of ``names`` (basename), copied under names of our own.

    Streams each member in chunks and stops at the limits above (a zip bomb costs at
    most a chunk of memory); a broken zip is a note, never a crash. Returns
    ``[(shown path, path of the copy)]``.
    """
    found, total = [], 0
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                notes.append(f"{archive.name}: {len(members)} files, only the first {MAX_MEMBERS} were read")
            for info in members[:MAX_MEMBERS]:
                parts = tuple(p for p in info.filename.replace("\\", "/").split("/") if p)
                if info.is_dir() or not parts or parts[-1] not in names or _ignored(parts):
                    continue
                copy = unpacked / f"{len(list(unpacked.iterdir()))}-{parts[-1]}"
                size = 0
                with z.open(info) as member, open(copy, "wb") as out:
                    while chunk := member.read(CHUNK):
                        size += len(chunk)
                        if size > MAX_MEMBER_BYTES or total + size > MAX_UNPACKED_BYTES:
                            break
                        out.write(chunk)
                if size > MAX_MEMBER_BYTES or total + size > MAX_UNPACKED_BYTES:
                    copy.unlink()
                    notes.append(
                        f"{archive.name}: {'/'.join(parts)[:200]} is larger than the {MAX_MEMBER_BYTES // 2**20} MB "
                        f"a file may have (or the zip than {MAX_UNPACKED_BYTES // 2**20} MB): ignored"
                    )
                    continue
                total += size
                found.append((f"{archive.name}/{'/'.join(parts)}"[:300], copy))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        notes.append(f"{archive.name}: not a readable zip ({type(error).__name__}): ignored")
    return found


def _candidates(submission, names, unpacked, notes):
    """The submission's files named one of ``names``, those in its zips included: ``[(shown path, path)]``.

    Only regular files count (a folder named ``x.zip``, a link: ignored); from a zip, only the
    members' basenames are used, and each is copied to ``unpacked`` under a name of our own.
    """
    files = sorted(p for p in submission.rglob("*") if p.is_file() and not p.is_symlink())
    found = [
        (p.relative_to(submission).as_posix(), p)
        for p in files
        if p.name in names and not _ignored(p.relative_to(submission).parts)
    ]
    for archive in (p for p in files if p.suffix == ".zip"):
        found += _unzip_wanted(archive, names, unpacked, notes)
    return found


def place_submission(submission, package, template, student_files):
    """Put the student's files over the solution package.

    Parameters
    ----------
    submission : Path
        The folder of what the student handed in.
    package : Path
        A copy of the solution package (``.../robot_lab``), modified in place.
    template : Path
        The student version of the package (files with holes).
    student_files : list of str
        Paths relative to the package of the files students edit (``"vision.py"``).

    Returns
    -------
    notes : list of str
        What was taken from where, for the student's feedback.
    """
    unpacked = Path(tempfile.mkdtemp(prefix="unpacked-"))
    notes = []
    files = _candidates(submission, {Path(r).name for r in student_files}, unpacked, notes)
    for relative in student_files:
        name = Path(relative).name
        found = [(shown, path) for shown, path in files if Path(shown).name == name]
        # Prefer robot_lab/<relative> (a zip of the whole folder), then the shallowest file.
        found.sort(key=lambda f: (not f[0].endswith(f"{PACKAGE}/{relative}"), f[0].count("/"), f[0]))
        if found:
            shown, path = found[0]
            shutil.copyfile(path, package / relative)
            notes.append(
                f"{relative}: graded from your {shown}"
                + (f" ({len(found) - 1} other file(s) named {name} ignored)" if len(found) > 1 else "")
            )
        else:
            shutil.copyfile(template / relative, package / relative)
            notes.append(f"{relative}: not found in your submission, graded as the unfilled file")
    shutil.rmtree(unpacked, ignore_errors=True)
    return notes


def _lines(path):
    """The stripped, non-empty lines of a text file (a set)."""
    try:
        return {line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()}
    except OSError:
        return set()


def detect_language(package, templates, student_files, default):
    """The language of the templates the student's files share most lines with (their docstrings, hints).

    ``templates``: ``{lang: folder of that language's student package}``; ``default`` when none is closer.
    """
    shared = dict.fromkeys(templates, 0)
    for relative in student_files:
        mine = _lines(package / relative)
        common = set.intersection(*(_lines(folder / relative) for folder in templates.values()))
        for lang, folder in templates.items():
            shared[lang] += len((mine & _lines(folder / relative)) - common)
    best = max(shared.values(), default=0)
    winners = [lang for lang, count in shared.items() if count == best]
    return winners[0] if best > 0 and len(winners) == 1 else default


# --- the processes: a trusted judge, an untrusted worker ---------------------------------------


def _proc_table():
    """``{pid: (ppid, session id)}`` of every process, read from /proc (empty where there is none)."""
    table = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                table[int(entry)] = (int(fields[1]), int(fields[3]))
            except (OSError, IndexError, ValueError):
                pass  # gone meanwhile
    return table


def _become_subreaper():
    """Make this process the one orphans of its descendants are given to (Linux), so none escapes it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def kill_leftovers(session, keep=()):
    """Kill every process of the worker's ``session`` and every descendant of this process but ``keep``'s pids.

    A daemon started by the student's code (double fork, ``setsid``) is reparented to this
    process (:func:`_become_subreaper`), so it is a descendant; repeated until none is left
    (a process forking meanwhile). Returns the number of processes killed.
    """
    me, killed = os.getpid(), 0
    for _ in range(20):
        table = _proc_table()
        children = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        mine, todo = set(), [me]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in mine and child not in keep:
                    mine.add(child)
                    todo.append(child)
        targets = (mine | {pid for pid, (_, sid) in table.items() if session and sid == session}) - {me, *keep}
        if not targets:
            break
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        for pid in targets:
            if table.get(pid, (0,))[0] == me or pid in mine:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
        time.sleep(0.02)
    return killed


def worker_user(sandbox, env, log):
    """``(uid, gid)`` of the unprivileged user (``nobody``) the worker runs as, or None: same user as here.

    Only when this process is root (Gradescope's container). Probed first: when that user
    cannot import numpy and the grading code from here (a venv in a folder only root may
    read, as in the kit's own tests), the worker runs as root, with a note in the log.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        log.write("note: no user 'nobody': the worker runs as root\n")
        return None
    _chown_tree(sandbox, (user.pw_uid, user.pw_gid))
    if not _worker_can_start(sandbox, env, user={"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}):
        log.write(f"note: user nobody cannot run {sys.executable} here: the worker runs as root\n")
        _chown_tree(sandbox, (os.geteuid(), os.getegid()))
        return None
    return user.pw_uid, user.pw_gid


def _worker_can_start(sandbox, env, wrap=list, user=None):
    """Whether a worker started as ``wrap([python, ...])`` (as ``user``) imports numpy and reads the sandbox's files.

    Importing hidden_tests itself would cost Otter's import: numpy and two file opens tell the same.
    """
    argv = [sys.executable, "-c", "import numpy; open('grading/hidden_tests.py').close(); open('digits.keras').close()"]
    try:
        probe = subprocess.run(wrap(argv), cwd=sandbox, env=env, capture_output=True, timeout=120, **(user or {}))
    except (OSError, subprocess.SubprocessError):  # e.g. no setuid inside another sandbox: PermissionError
        return False
    return probe.returncode == 0


def worker_wrapper(sandbox, env, hide, log):
    """``wrap(argv)``: the worker's command in a bubblewrap sandbox (``grading/sandbox.py``), or None without one.

    The sandbox module is the one local grading uses, shipped in the autograder zip: the file
    system read-only, ``/tmp`` and the folders ``hide`` (the grader's root) empty, the worker's
    ``sandbox`` folder the only one it writes, no network, a PID namespace of its own; Python's
    own folder (``sys.prefix``) stays readable. None where bubblewrap is missing or refused
    here: then the worker runs as ``nobody`` when this is root (:func:`worker_user`).
    """
    try:
        import sandbox as isolation  # noqa: PLC0415 (only in the autograder zip)
    except ImportError:
        return None

    def wrap(argv):
        return isolation.command(argv, sandbox, hide=hide)

    try:
        if _worker_can_start(sandbox, env, wrap):
            return wrap
    except isolation.SandboxUnavailable as error:
        log.write(f"note: {error}\n")
        return None
    log.write("note: bubblewrap cannot start the worker here\n")
    return None


def _chown_tree(folder, owner):
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, *owner, follow_symlinks=False)


class Judge:
    """The trusted judge process: ``hidden_tests`` with the reference package, the answers and the network.

    It never imports the student's code. Requests and answers are JSON lines on its stdin and stdout.
    """

    def __init__(self, pythonpath, env, log):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--judge"],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, pythonpath)), **env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )

    def ask(self, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the judge process ended (exit code {self.process.wait()}): see the grader's log")
        return json.loads(answer)

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def judge_loop():
    """``--judge``: answer the runner's requests (``inputs`` and ``judge``) until stdin closes."""
    import importlib

    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever else prints (Keras, TensorFlow) goes to the log, not into the answers
    hidden_tests = importlib.import_module(os.environ.get("ROBOT_LAB_GRADING_TESTS", "hidden_tests"))
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "inputs":
                hidden_tests.write_inputs(request["test"], request["path"])
                os.chmod(request["path"], 0o644)  # for the worker, which may run as another user
                answer = {}
            else:
                fraction, message = hidden_tests.judge(request["test"], request["path"])
                answer = {"fraction": fraction, "message": message}
        except Exception as error:  # noqa: BLE001  (locally, the "reference" is the student's own code)
            traceback.print_exc()
            shown = hidden_tests.describe_error(error) if hidden_tests.LOCAL else type(error).__name__
            answer = {"fraction": 0.0, "message": f"the grader could not run this test: {shown}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class Worker:
    """The untrusted worker: imports the student's files and runs each test's collect half.

    Runs in ``sandbox`` (all it may read: the student's package, the shipped network, the
    collect code, each test's inputs), in a new session, as ``owner`` when given, with an
    environment that names nothing of the grader's. Requests and replies go through two
    pipes; a reply only says which test's outputs are written (the outputs are data the
    judge checks, never a verdict).
    """

    def __init__(self, sandbox, env, owner, log, wrap=list):
        to_worker, self._requests = os.pipe()
        self._replies, from_worker = os.pipe()
        user = {"user": owner[0], "group": owner[1], "extra_groups": []} if owner else {}
        self.process = subprocess.Popen(
            wrap([sys.executable, str(sandbox / "grading" / "run.py"), "--worker", str(to_worker), str(from_worker)]),
            cwd=sandbox,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(to_worker, from_worker),
            **user,
        )
        os.close(to_worker)
        os.close(from_worker)
        self._buffer = b""

    def run(self, name, inputs, outputs, limit_s):
        """Ask for test ``name``; ``"done"``, ``"timeout"`` (after ``limit_s`` s) or ``"died"``."""
        try:
            os.write(self._requests, (json.dumps([name, str(inputs), str(outputs)]) + "\n").encode())
        except BrokenPipeError:
            return "died"
        end = time.monotonic() + limit_s
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                if line.decode(errors="replace") == json.dumps(name):
                    return "done"
            left = end - time.monotonic()
            if left <= 0:
                return "timeout"
            ready, _, _ = select.select([self._replies], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self._replies, 4096)
                if not chunk:
                    return "died"
                self._buffer = (self._buffer + chunk)[-65536:]

    def stop(self, keep=()):
        """End the worker and everything it started (:func:`kill_leftovers`); returns its exit code."""
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        kill_leftovers(self.process.pid, keep)
        return self.process.wait()


def worker_loop(requests_fd, replies_fd):
    """``--worker``: run each requested test's collect half (``hidden_tests.collect``) until the pipe closes."""
    import contextlib
    import importlib
    import io

    hidden_tests = importlib.import_module(os.environ.get("ROBOT_LAB_GRADING_TESTS", "hidden_tests"))
    replies = os.fdopen(replies_fd, "w")
    for line in os.fdopen(requests_fd):
        name, inputs, outputs = json.loads(line)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            hidden_tests.collect(name, inputs, outputs)
        replies.write(json.dumps(name) + "\n")
        replies.flush()


def _copy_bounded(source, target, limit):
    """Copy ``source`` to ``target``, at most ``limit`` bytes (a file written by the worker: it could be anything)."""
    with open(source, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"more than {limit} bytes")
    target.write_bytes(data)


def run_tests(tests, sandbox, private, judge, env, owner, budget_s=540, wrap=list):
    """Run ``tests`` (config entries): ``{name: (fraction of the points, output)}``.

    For each test in order: the judge writes its inputs into ``sandbox/io``, the worker
    collects the student's outputs there, the runner copies them (bounded) into ``private``
    (which the worker cannot read or write) and the judge scores that copy. One worker runs
    the tests in order (TensorFlow is imported once); a test over its time limit, or whose
    worker dies, gets 0 with a message and a fresh worker takes the rest. All together stop
    after ``budget_s`` seconds (under Gradescope's own limit, so that ``results.json`` is
    always written); the tests not run by then get 0.
    """
    deadline = time.monotonic() + budget_s
    # ROBOT_LAB_GRADING_TIMEOUT (seconds) replaces every test's own limit: for a slow
    # grading machine, or for the kit's tests of the limit itself.
    override = os.environ.get("ROBOT_LAB_GRADING_TIMEOUT")
    limits = {t["name"]: float(override) if override else t["timeout_s"] for t in tests}
    io_dir = sandbox / "io"
    io_dir.mkdir(exist_ok=True)
    if owner:
        os.chown(io_dir, *owner)
    log_path = private / "worker.log"
    results, worker = {}, None
    keep = (judge.process.pid,)
    # Tests whose inputs would give away other tests' answers run last (hidden_tests.REVEALS_SPRITES).
    for test in sorted(tests, key=lambda t: bool(t.get("run_last"))):
        name = test["name"]
        if time.monotonic() >= deadline:
            break
        inputs, outputs = io_dir / f"{name}.in.npz", io_dir / f"{name}.out.npz"
        try:
            failed = judge.ask(op="inputs", test=name, path=str(inputs))
        except (OSError, RuntimeError) as error:
            failed = {"fraction": 0.0, "message": f"the grader could not run this test ({error})"}
        if failed:
            results[name] = (failed["fraction"], failed["message"])
            continue
        if worker is None:
            with open(log_path, "a") as log:
                worker = Worker(sandbox, env, owner, log, wrap)
        limit = min(limits[name], deadline - time.monotonic())
        state = worker.run(name, inputs, outputs, limit)
        if state == "done":
            try:
                _copy_bounded(outputs, private / outputs.name, 64 * 2**20 + 1)
                results[name] = tuple(judge.ask(op="judge", test=name, path=str(private / outputs.name)).values())
            except (OSError, ValueError, RuntimeError) as error:
                results[name] = (0.0, f"the grader could not read what your code returned ({error})")
            for path in (inputs, outputs):
                path.unlink(missing_ok=True)
            continue
        code = worker.stop(keep)
        worker = None
        if state == "timeout" and limit < limits[name]:
            results[name] = (0.0, f"stopped: the grading run's {budget_s:.0f} s were used up")
        elif state == "timeout":
            results[name] = (0.0, f"stopped after {limits[name]:.0f} s: an endless loop, or far too slow?")
        else:
            tail = log_path.read_text(errors="replace")[-1500:]
            results[name] = (
                0.0,
                f"the grading process died while running this test (exit code {code}):\n{tail}",
            )
    if worker is not None:
        worker.stop(keep)
    for test in tests:
        results.setdefault(
            test["name"],
            (
                0.0,
                f"not run: the grading run's {budget_s:.0f} s were used up by the tests before it "
                "(does a module loop or wait when it is imported?)",
            ),
        )
    return results


def worker_environment(sandbox, lang):
    """The worker's environment: this one without what names the grader (``AUTOGRADER_*``, ``ROBOT_LAB_*``...)."""
    hidden = ("AUTOGRADER", "ROBOT_LAB_", "PYTEST", "PWD", "OLDPWD", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(hidden)}
    env.update(
        HOME=str(sandbox),
        PYTHONPATH=os.pathsep.join([str(sandbox), str(sandbox / "grading")]),
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(sandbox / ".matplotlib"),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONDONTWRITEBYTECODE="1",
        ROBOT_LAB_GRADING_LANG=lang,
        ROBOT_LAB_WORKER_MODEL=str(sandbox / "digits.keras"),
    )
    if os.environ.get("ROBOT_LAB_GRADING_ROS"):
        env["ROBOT_LAB_GRADING_ROS"] = os.environ["ROBOT_LAB_GRADING_ROS"]
    return env


def grade_package(package, tests_file, model, config, judge_path, judge_env, lang, log_lines, hide=None):
    """Grade the package folder ``package`` (the student's files already in it): ``{name: (fraction, output)}``.

    ``tests_file``: the hidden tests' file (its collect half is copied for the worker);
    ``model``: the shipped network (the worker's copy); ``judge_path``: the judge's
    ``PYTHONPATH`` (the reference package's parent folder, the grading folder); ``hide``:
    the folders the worker must not see (the grader's root), None for a student's own checks
    (no sandbox: their own code on public scenes).
    """
    _become_subreaper()
    private = Path(tempfile.mkdtemp(prefix="robot-lab-judge-"))
    sandbox = Path(tempfile.mkdtemp(prefix="robot-lab-worker-"))
    judge = None
    try:
        shutil.copytree(package, sandbox / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "grading"))
        (sandbox / "grading").mkdir()
        shutil.copyfile(tests_file, sandbox / "grading" / tests_file.name)
        shutil.copyfile(Path(__file__).resolve(), sandbox / "grading" / "run.py")
        shutil.copyfile(model, sandbox / "digits.keras")
        env = worker_environment(sandbox, lang)
        env["ROBOT_LAB_GRADING_TESTS"] = tests_file.stem
        with open(private / "worker.log", "a") as log:
            wrap = worker_wrapper(sandbox, env, hide, log) if hide is not None else None
            owner = None if wrap else worker_user(sandbox, env, log)
        log_lines.append(
            "worker in a bubblewrap sandbox"
            if wrap
            else f"worker as uid {owner[0]}"
            if owner
            else "worker as this process's user"
        )
        with open(private / "judge.log", "a") as judge_log:
            judge = Judge(judge_path, {**judge_env, "ROBOT_LAB_GRADING_LANG": lang}, judge_log)
        budget = float(os.environ.get("ROBOT_LAB_GRADING_BUDGET", config.get("budget_s", 540)))
        return run_tests(config["tests"], sandbox, private, judge, env, owner, budget, wrap or list)
    finally:
        if judge is not None:
            judge.close()
        kill_leftovers(0)
        log_lines.append((private / "judge.log").read_text(errors="replace")[-3000:] if private.exists() else "")
        shutil.rmtree(sandbox, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)


# --- results.json ----------------------------------------------------------------------


def score_tests(config, outcome, lang):
    """Gradescope's ``tests`` entries from ``{name: (fraction, output)}``: points x fraction, to 0.01."""
    tests = []
    for test in config["tests"]:
        fraction, output = outcome[test["name"]]
        points = float(test["points"])
        tests.append(
            {
                "name": test.get(f"title_{lang}", test["title"]),
                "score": round(points * fraction, 2),
                "max_score": points,
                "status": "passed" if fraction >= 1 else "failed",
                "visibility": config.get("visibility", "visible"),
                "output": output,
            }
        )
    return tests


def grade(root):
    """Grade the submission in ``root/submission``; writes and returns ``root/results/results.json``'s content."""
    start = time.monotonic()
    source, submission, results_dir = root / "source", root / "submission", root / "results"
    config = json.loads((source / "grading" / "config.json").read_text())
    results_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="robot-lab-grading-"))
    languages = config.get("languages", ["en"])
    templates = {lang: source / "template" / lang / PACKAGE for lang in languages}
    log_lines = []
    try:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            for folder in (source, submission, results_dir):
                folder.chmod(0o700)  # the grader's files: root's only (the worker runs as nobody)
        shutil.copytree(source / PACKAGE, workdir / PACKAGE)
        # Files the submission lacks come from the first language's template (the same code in every language).
        notes = place_submission(submission, workdir / PACKAGE, templates[languages[0]], config["student_files"])
        lang = os.environ.get("ROBOT_LAB_GRADING_LANG") or detect_language(
            workdir / PACKAGE, templates, config["student_files"], languages[0]
        )
        outcome = grade_package(
            workdir / PACKAGE,
            source / "grading" / "hidden_tests.py",
            source / "grading" / "digits.keras",
            config,
            [source, source / "grading"],
            {"ROBOT_LAB_GRADING_DATA": str(source / "grading")},
            lang,
            log_lines,
            # The grader's root, and what the caller hides too (local grading: the grades).
            hide=[root, *filter(None, os.environ.get("ROBOT_LAB_GRADING_HIDE", "").split(os.pathsep))],
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(log_lines))
    tests = score_tests(config, outcome, lang)
    results = {
        "score": round(sum(t["score"] for t in tests), 2),
        "execution_time": round(time.monotonic() - start, 1),
        "output": "Files graded:\n" + "\n".join(notes),
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    (results_dir / "results.json").write_text(json.dumps(results, indent=1))
    return results


def grade_local(folder):
    """Grade the student folder ``folder``'s own ``robot_lab/`` on the public scenes of ``folder/grading``.

    Nothing of the folder changes: the package is copied to a scratch folder, which the
    tests import first (another ``robot_lab`` installed elsewhere is never used).
    Returns the ``tests`` entries (as in ``results.json``).
    """
    config = json.loads((GRADING_DIR / "config.json").read_text())
    lang = os.environ.get("ROBOT_LAB_GRADING_LANG") or config.get("language", "en")
    workdir = Path(tempfile.mkdtemp(prefix="robot-lab-checks-"))
    try:
        # The judge's "reference" is the folder's own package, copied (another robot_lab installed is never used).
        shutil.copytree(folder / PACKAGE, workdir / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
        tests_file = GRADING_DIR / f"{config.get('tests_module', 'hidden_tests')}.py"
        judge_env = {
            "ROBOT_LAB_GRADING_DATA": str(GRADING_DIR),
            "ROBOT_LAB_GRADING_MODEL": str(folder / config["model"]),
            "ROBOT_LAB_GRADING_TESTS": tests_file.stem,
            "ROBOT_LAB_GRADING_LOCAL": "1",
        }
        outcome = grade_package(
            workdir / PACKAGE, tests_file, folder / config["model"], config, [workdir, GRADING_DIR], judge_env, lang, []
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return score_tests(config, outcome, lang)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")),
        help="the folder holding source/, submission/ and results/ (default $AUTOGRADER_ROOT or /autograder)",
    )
    parser.add_argument(
        "--local",
        action="store_true",
        help="grade the robot_lab/ folder beside grading/ on public scenes (the default in a student folder)",
    )
    parser.add_argument("--worker", nargs=2, type=int, metavar=("REQUESTS", "REPLIES"), help=argparse.SUPPRESS)
    parser.add_argument("--judge", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_loop(*args.worker)
        return
    if args.judge:
        judge_loop()
        return
    local = args.local or json.loads((GRADING_DIR / "config.json").read_text()).get("local", False)
    if local:
        tests = grade_local(GRADING_DIR.parent)
        for test in tests:
            print(f"{test['score']:g} / {test['max_score']:g}  {test['name']}")
            print("    " + test["output"].replace("\n", "\n    "))
        total = round(sum(t["score"] for t in tests), 2)
        print(f"total {total:g} / {sum(t['max_score'] for t in tests):g}")
        return
    results = grade(args.root)
    for test in results["tests"]:
        print(f"{test['score']:g} / {test['max_score']:g}  {test['name']}")
    print(f"total {results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
