"""Points verified outside the student's code: the kernel exports, a clean process judges.

Otter runs the hidden tests inside the student's kernel, where the student's code can change
anything (Otter's runner, numpy, ``kit_checks``, the support files). So the test cases that
can be judged from what the notebook *made* are judged again, in a fresh interpreter that the
student's code never ran in, with the grader's own copies of the tests, checks, thresholds
and held-out digits. This file ships twice in every autograder zip: as ``kit_verify.py``
beside the notebook (the kernel's side: :func:`export`) and in ``judge/`` (the clean side:
:func:`judge`, run by ``make grade`` and by Gradescope's ``run_autograder``). It imports
nothing from the kit.

Which test cases are judged outside: those whose every argument is in :data:`JUDGED`:

- values the notebook made: the trained ``model`` (saved in Keras's format, loaded with
  ``safe_mode``: a model class of the student's own does not load), its ``history``, its
  test arrays and its constants;
- the student's functions, *recorded*: each call a test case makes in the kernel is saved
  (arguments' digests, result, arguments it modified) and replayed in the clean process;
  ``preprocess`` and ``to_images`` are also probed once, and replayed on inputs the kernel
  never saw (the held-out digits) when they are a pixel-wise affine map (x / 255, ...).

The kernel's copy of a judged case has 0 points (its verdict earns nothing) and runs as
before with the students' half of the test set standing in for the grader's, which the
kernel never gets. The clean process runs each judged case twice: on that stand-in, to
compare with the kernel's verdict (a case the kernel passed and the stand-in fails means the
kernel lied: the run is flagged :data:`TAMPERED`), and on the real held-out digits, for the
points. Every other case (functions that train a model they are given) keeps its kernel
verdict.
"""

import argparse
import hashlib
import inspect
import json
import os
import re
from pathlib import Path

import numpy as np

#: Where the kernel writes what it exports (the runner sets it; else ``kit_exports/`` beside this file).
EXPORT_DIR_VARIABLE = "KIT_EXPORT_DIR"
#: Marker of a run whose in-kernel verdicts disagree with the clean process's (``make grade`` lists it).
TAMPERED = "[tampered]"

# Argument name -> how the kernel exports it and the clean process rebuilds it.
VALUES = (
    "model",
    "history",
    "x_train",
    "y_train",
    "y_train_1h",
    "x_test",
    "y_test",
    "BATCH_SIZE",
    "VALIDATION_SPLIT",
    "MAX_EPOCHS",
    "EPOCHS",
)
#: Functions recorded call by call; the clean process replays each call.
FUNCTIONS = (
    "build_model",
    "build_convnet",
    "make_early_stopping",
    "preprocess",
    "to_images",
    "one_hot",
    "dense_params",
    "conv_params",
    "conv_output_size",
    "confusion",
    "misclassified",
)
#: Functions of uint8 images also replayed on new images when they are a pixel-wise affine map.
IMAGE_MAPS = ("preprocess", "to_images")
JUDGED = frozenset(VALUES + FUNCTIONS)

#: Largest array the kernel exports, in bytes (x_train as float32: 188 MB).
ARRAY_BYTES = 256 * 2**20


def _export_dir():
    folder = Path(os.environ.get(EXPORT_DIR_VARIABLE) or Path(__file__).resolve().parent / "kit_exports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def digest(value):
    """A text that two equal arguments share, in the kernel and in the clean process.

    Arrays by dtype, shape and bytes; numbers, strings and ``None`` by value; lists, tuples
    and dicts element by element; anything else by its type's name only.
    """
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return "object-array"
        data = np.ascontiguousarray(value)
        return f"a{data.dtype.str}{data.shape}:{hashlib.sha1(data.tobytes()).hexdigest()}"
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}[" + ",".join(digest(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{digest(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    return f"<{type(value).__name__}>"


# --- the kernel's side ---------------------------------------------------------------------


class _Writer:
    """Writes values as JSON trees whose arrays, models and callbacks are files of ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        self.seen = {}  # id -> (object, its tree): the same object twice is one file, seen as the same
        self.arrays = {}  # digest -> $id: equal arrays are one file
        self.count = len(list(folder.iterdir()))

    def _file(self, suffix):
        self.count += 1
        return f"{self.count:04d}{suffix}"

    def tree(self, value):
        if id(value) in self.seen and self.seen[id(value)][0] is value:
            return {"$same": self.seen[id(value)][1]}
        tree = self._tree(value)
        if isinstance(tree, dict) and any(k in tree for k in ("$model", "$array", "$callback", "$history")):
            tree["$id"] = self._file("")
            self.seen[id(value)] = (value, tree["$id"])
            if "$digest" in tree:
                self.arrays[tree.pop("$digest")] = tree["$id"]
        return tree

    def _tree(self, value):
        import keras

        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, keras.Model):
            name = self._file(".keras")
            try:
                value.save(self.folder / name)
            except Exception as error:  # the student's model: any failure is what the clean side reports
                return {"$unsupported": f"the model could not be saved ({type(error).__name__}: {error})"}
            return {"$model": name}
        if isinstance(value, keras.callbacks.History):
            model = getattr(value, "model", None)
            same = self.seen.get(id(model))
            return {
                "$history": {
                    "history": {k: [float(x) for x in v] for k, v in (value.history or {}).items()},
                    "params": {k: v for k, v in (value.params or {}).items() if isinstance(v, (int, float, str))},
                    "epoch": [int(e) for e in getattr(value, "epoch", [])],
                },
                "model": same[1] if same and same[0] is model else None,
            }
        if isinstance(value, keras.callbacks.Callback):
            fields = (
                "monitor",
                "patience",
                "restore_best_weights",
                "mode",
                "min_delta",
                "baseline",
                "start_from_epoch",
            )
            return {
                "$callback": {
                    f: getattr(value, f) for f in fields if isinstance(getattr(value, f, None), (int, float, str, bool))
                },
                "early_stopping": isinstance(value, keras.callbacks.EarlyStopping),
                "type": type(value).__name__,
            }
        if isinstance(value, (list, tuple)):
            return {"$" + type(value).__name__: [self.tree(v) for v in value]}
        try:
            array = np.asarray(value)
        except Exception:
            array = None
        if array is not None and array.dtype != object and array.nbytes <= ARRAY_BYTES:
            key = digest(array)
            if key in self.arrays:  # the same digits again (each test case prepares its own copy)
                return {"$same": self.arrays[key]}
            name = self._file(".npy")
            np.save(self.folder / name, array, allow_pickle=False)
            return {"$array": name, "$digest": key}
        return {"$unsupported": f"a {type(value).__name__} cannot be checked outside the notebook"}


_WRITERS = {}


def _writer():
    folder = _export_dir()
    if folder not in _WRITERS:
        _WRITERS[folder] = _Writer(folder)
    return _WRITERS[folder]


def _append(record):
    with open(_export_dir() / "exports.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


# Probe of a function of images: every pixel a random value in each of 32 images, so that each
# pixel's 32 values tell it apart from every other (they pin a permutation and an affine map down).
def _probe_images():
    return np.random.RandomState(97).randint(0, 256, size=(32, 28, 28)).astype(np.uint8)


def _affine_fit(images, outputs):
    """How ``outputs`` come from ``images``, when each output value is ``a * pixel + b`` of one pixel.

    Returns ``{"a", "b", "order", "dtype", "shape"}`` (``order``: for each output value, the index
    of its pixel in the row-by-row image: x / 255 keeps them in order, a transposed image does not),
    or None when the function is no such map.
    """
    try:
        out = np.asarray(outputs)
        x = images.reshape(len(images), -1).astype("float64")
        y = out.reshape(len(images), -1).astype("float64")
    except Exception:
        return None
    if y.shape != x.shape or not np.isfinite(y).all():
        return None
    # a and b from the sorted values (a permutation of pixels keeps them), the pixels' order after.
    xs, ys = np.sort(x.ravel()), np.sort(y.ravel())
    fits = [np.polyfit(xs, ys, 1), np.polyfit(xs, ys[::-1], 1)]  # a > 0, a < 0 (inverted pixels)
    a, b = min(fits, key=lambda f: np.abs(f[0] * xs + f[1] - (ys if f[0] >= 0 else ys[::-1])).max())
    if abs(a) < 1e-12:
        return None
    pixels = {column.tobytes(): i for i, column in enumerate(np.round(x.T).astype(np.int16))}
    order = [pixels.get(column.tobytes(), -1) for column in np.round((y.T - b) / a).astype(np.int16)]
    if -1 in order or np.max(np.abs(a * x[:, order] + b - y)) > 1e-5 * max(1.0, abs(a) * 255, abs(b)):
        return None
    order = None if order == list(range(len(order))) else order
    return {"a": float(a), "b": float(b), "order": order, "dtype": out.dtype.str, "shape": list(out.shape[1:])}


def apply_fit(fit, images):
    """``images`` (uint8, (n, 28, 28)) through the map :func:`_affine_fit` found."""
    pixels = images.reshape(len(images), -1).astype("float64")
    if fit.get("order") is not None:
        pixels = pixels[:, fit["order"]]
    return (fit["a"] * pixels + fit["b"]).astype(fit["dtype"]).reshape((len(images), *fit["shape"]))


class _Recorded:
    """The student's function as the kernel's test case calls it: each call saved, then answered."""

    def __init__(self, case, name, function):
        self.case, self.name, self.function = case, name, function
        self.calls = {}
        if name in IMAGE_MAPS and callable(function):
            images = _probe_images()
            try:
                fit = _affine_fit(images, function(images.copy()))
            except Exception:
                fit = None
            _append({"case": case, "name": name, "affine": fit})

    def __call__(self, *args, **kwargs):
        key = digest([list(args), kwargs])
        before = [digest(a) for a in args]
        self.calls[key] = self.calls.get(key, 0) + 1
        record = {"case": self.case, "name": self.name, "key": key, "occurrence": self.calls[key]}
        try:
            result = self.function(*args, **kwargs)
        except Exception as error:
            _append({**record, "raised": [type(error).__name__, str(error)[:2000]]})
            raise
        writer = _writer()
        changed = {i: writer.tree(a) for i, a in enumerate(args) if digest(a) != before[i]}
        _append({**record, "result": writer.tree(result), "changed": changed})
        return result


def export(case, **arguments):
    """The kernel's side of a judged test case: save its values, record its functions.

    The build puts one line at the top of each judged case of the kernel's tests::

        (model, preprocess) = __import__("kit_verify").export("q5_training.test_heldout_accuracy",
                                                             model=model, preprocess=preprocess)

    Returns the arguments, in order: the values unchanged, the functions wrapped so that
    each call is recorded.
    """
    writer, out = _writer(), []
    # One object seen twice is one value within a test case (model and history.model, two
    # build_model() calls that return the same model); across cases it is saved again: the
    # notebook may have changed it in between (trained the model build_model() handed out).
    writer.seen.clear()
    for name, value in arguments.items():
        if name in FUNCTIONS:
            if callable(value):
                out.append(_Recorded(case, name, value))
                continue
            _append({"case": case, "name": name, "value": writer.tree(value)})
        else:
            _append({"case": case, "name": name, "value": writer.tree(value)})
        out.append(value)
    _append({"case": case, "language": os.environ.get("MNIST_KIT_LANGUAGE", "en")})
    return tuple(out) if len(out) != 1 else (out[0],)


# --- the clean side -------------------------------------------------------------------------


class NotVerifiable(AssertionError):
    """The clean process has nothing to check this with (a value not exported, a model that does not load)."""


class Unavailable:
    """What a test case gets in place of a value the notebook did not export: every use fails, saying why."""

    def __init__(self, why):
        self._why = why

    def _fail(self, *args, **kwargs):
        raise NotVerifiable(self._why)

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = _fail

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()


def _say(fr, en, language):
    return fr if language == "fr" else en


class _Reader:
    """Rebuilds the trees that :class:`_Writer` wrote, from a folder the clean process trusts nothing in."""

    def __init__(self, folder, language):
        self.folder, self.language, self.built = folder, language, {}
        self.trees = {}  # $id -> the tree that defines it (a later export may name it by "$same")

    def index(self, tree):
        """Remember every value that ``tree`` defines, for the trees that refer to it."""
        if isinstance(tree, dict):
            if isinstance(tree.get("$id"), str):
                self.trees.setdefault(tree["$id"], tree)
            for child in tree.values():
                self.index(child)
        elif isinstance(tree, list):
            for child in tree:
                self.index(child)

    def _path(self, name):
        if not re.fullmatch(r"\d{4}\.(keras|npy)", str(name)):
            raise ValueError(f"unexpected file name {name!r}")
        return self.folder / name

    def value(self, tree, fresh=False):
        if isinstance(tree, dict) and "$same" in tree:
            if tree["$same"] in self.built:
                return self.built[tree["$same"]]
            if tree["$same"] not in self.trees:
                return Unavailable(f"unexpected export: no value {tree['$same']!r}")
            return self.value(self.trees[tree["$same"]])
        if isinstance(tree, dict) and "$id" in tree and not fresh and tree["$id"] in self.built:
            return self.built[tree["$id"]]
        value = self._value(tree)
        if isinstance(tree, dict) and "$id" in tree:
            self.built[tree["$id"]] = value
        return value

    def _value(self, tree):
        import keras

        if not isinstance(tree, dict):
            return tree
        if "$model" in tree:
            try:
                return keras.saving.load_model(self._path(tree["$model"]), safe_mode=True)
            except Exception as error:
                return Unavailable(
                    _say(
                        f"le modèle n'a pas pu être rechargé par la correction ({type(error).__name__} : "
                        f"{str(error)[:300]}) : construisez-le avec les couches de Keras, sans classe à vous",
                        f"the grader could not load the model back ({type(error).__name__}: {str(error)[:300]}): "
                        "build it from Keras's own layers, without a class of your own",
                        self.language,
                    )
                )
        if "$array" in tree:
            return np.load(self._path(tree["$array"]), allow_pickle=False)
        if "$history" in tree:
            history = keras.callbacks.History()
            history.history, history.params = tree["$history"]["history"], tree["$history"]["params"]
            history.epoch = tree["$history"]["epoch"]
            if tree.get("model"):  # what fit trained, when it is the exported model
                history.set_model(self.value({"$same": tree["model"]}))
            return history
        if "$callback" in tree:
            settings = tree["$callback"]
            if tree.get("early_stopping"):
                callback = keras.callbacks.EarlyStopping(**{k: v for k, v in settings.items() if k != "mode"})
                callback.mode = settings.get("mode", callback.mode)
                return callback
            return type(tree.get("type", "Callback"), (), dict(settings))()
        if "$list" in tree or "$tuple" in tree:
            items = [self.value(v) for v in tree.get("$list", tree.get("$tuple"))]
            return items if "$list" in tree else tuple(items)
        if "$unsupported" in tree:
            return Unavailable(tree["$unsupported"])
        return Unavailable(f"unexpected export {sorted(tree)}")


class Replay:
    """A recorded function, answered in the clean process from what the kernel's calls returned."""

    def __init__(self, name, calls, affine, reader):
        self.name, self.reader, self.affine = name, reader, affine
        self.calls = calls  # (key, occurrence) -> record
        self.count = {}

    def __call__(self, *args, **kwargs):
        key = digest([list(args), kwargs])
        self.count[key] = self.count.get(key, 0) + 1
        record = self.calls.get((key, self.count[key])) or self.calls.get(
            (key, max((n for k, n in self.calls if k == key), default=0))
        )
        if record is None:
            if self.affine and len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype == np.uint8:
                return apply_fit(self.affine, args[0])
            raise NotVerifiable(
                _say(
                    f"{self.name}() n'a pas été appelée ainsi pendant l'exécution du notebook\u00a0: "
                    "la correction ne peut pas vérifier ce résultat",
                    f"{self.name}() was not called this way while the notebook ran: "
                    "the grader cannot check this result",
                    self.reader.language,
                )
            )
        if "raised" in record:
            kind, message = record["raised"]
            raise RuntimeError(f"{kind}: {message}")
        for i, tree in record.get("changed", {}).items():
            if int(i) < len(args) and isinstance(args[int(i)], np.ndarray):
                np.copyto(args[int(i)], self.reader.value(tree, fresh=True), casting="unsafe")
        return self.reader.value(record["result"], fresh=True)


def read_exports(folder):
    """``{case: {argument: value}}`` rebuilt from the kernel's exports, and the notebook's language."""
    folder = Path(folder)
    path = folder / "exports.jsonl"
    records = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("case"), str):
                records.append(record)
    language = next((r["language"] for r in records if r.get("language") in ("fr", "en")), "en")
    reader = _Reader(folder, language)
    cases = {}
    for record in records:
        reader.index(record)
        case, name = record["case"], record.get("name")
        arguments = cases.setdefault(case, {})  # the case's export ran (its first line)
        if name not in JUDGED:
            continue
        entry = arguments.setdefault(name, {"calls": {}, "affine": None})
        if "value" in record:
            entry["value"] = record["value"]
        elif "affine" in record:
            entry["affine"], entry["function"] = record["affine"], True
        elif "key" in record:
            entry["calls"][(record["key"], record.get("occurrence", 1))] = record
            entry["function"] = True
    return cases, reader


def arguments_of(test_case):
    """The argument names of an Otter test case's function."""
    return list(inspect.signature(test_case.body.test_func).parameters)


def is_judged(test_case):
    """Whether the clean process judges this test case: every argument is in :data:`JUDGED`."""
    names = arguments_of(test_case)
    return bool(names) and all(n in JUDGED for n in names)


def _environment(entries, reader):
    missing = _say(
        "la correction n'a rien reçu du notebook pour {name} : la cellule qui le définit a-t-elle été exécutée ?",
        "the grader received nothing from the notebook for {name}: did the cell that defines it run?",
        reader.language,
    )
    env = {}
    for name in JUDGED:
        entry = entries.get(name)
        if entry is None:
            env[name] = Unavailable(missing.format(name=name))
        elif entry.get("function"):
            env[name] = Replay(name, entry["calls"], entry["affine"], reader)
        else:
            try:
                env[name] = reader.value(entry.get("value"))
            except Exception as error:  # an export the clean process cannot read is the notebook's failure
                env[name] = Unavailable(f"{name}: {type(error).__name__}: {error}")
    return env


def kernel_verdicts(output, question, count):
    """Which test cases of ``question`` the kernel passed, read from Otter's output for it (list of bool)."""
    if f"{question} results: All test cases passed!" in output:
        return [True] * count
    verdicts = [False] * count
    for match in re.finditer(rf"{re.escape(question)} - (\d+) result:\s*\n\s*(✅|❌)", output):
        index = int(match.group(1)) - 1
        if 0 <= index < count:
            verdicts[index] = match.group(2) == "✅"
    return verdicts


def without_cases(output, names):
    """Otter's output for a question with the blocks of the cases ``names`` (``"q5_training - 4"``) left out."""
    blocks = re.split(r"(?m)^(?= {4}\S.*? result:$)", output)
    kept = [b for b in blocks if not any(b.startswith(f"    {name} result:") for name in names)]
    return "".join(kept)


def _run(case, env):
    """``(passed, message, verifiable)``: the case's verdict here, and whether it rests on something exported."""
    try:
        case.body.call_func(env)
        return True, "", True
    except NotVerifiable as error:
        return False, str(error)[:4000], False
    except Exception as error:  # the student's values: any failure fails the case
        message = str(error) if isinstance(error, AssertionError) else f"{type(error).__name__}: {error}"
        return False, message[:4000], True


def judge(judge_dir, exports, results):
    """Judge the kernel's results again in this (clean) process; returns the results to keep.

    Parameters
    ----------
    judge_dir : path-like
        The zip's ``judge/`` folder: the grader's own ``tests/``, ``kit_checks.py``, data and thresholds.
    exports : path-like
        What the kernel exported (:func:`export`); trusted in nothing: files are loaded as data.
    results : dict
        Otter's ``results.json`` from the kernel's run.

    Returns
    -------
    results : dict
        The same, where each question with judged cases has those cases' points as the clean
        process measured them (its score and max_score include them; its output says which
        were verified), and ``TAMPERED`` in the output of a question whose kernel verdicts the
        stand-in run contradicts.
    """
    import warnings

    from otter.test_files import ExceptionTestFile

    warnings.filterwarnings("ignore")  # Keras's notes on loading optimizers: not the student's business

    judge_dir = Path(judge_dir).resolve()
    # The grader's own kit_checks: the one beside this file (run as a script from judge/, its folder
    # comes first on sys.path), never one the notebook could have written.
    kit_checks = __import__("kit_checks")
    if Path(kit_checks.__file__).resolve().parent != judge_dir:
        raise RuntimeError(
            f"kit_checks comes from {kit_checks.__file__}, not from {judge_dir}: run {judge_dir}/kit_verify.py"
        )

    cases, reader = read_exports(exports)
    os.environ["MNIST_KIT_LANGUAGE"] = reader.language
    by_name = {t.get("name"): t for t in results.get("tests", [])}
    verified, tampered = {}, []  # question -> (points earned, points judged, report lines); case names
    for path in sorted((judge_dir / "tests").glob("*.py")):
        test_file = ExceptionTestFile.from_file(str(path))
        question = test_file.name
        if question not in by_name:
            continue
        claimed = kernel_verdicts(by_name[question].get("output") or "", question, len(test_file.test_cases))
        earned, total, lines, judged = 0.0, 0.0, [], set()
        for i, case in enumerate(test_file.test_cases):
            if not is_judged(case):
                continue
            name = case.body.test_func.__name__
            ran = f"{question}.{name}" in cases
            exported = cases.get(f"{question}.{name}", {})
            reads = kit_checks.GRADER_HALF_READS
            passed, message, verifiable = _run(case, _environment(exported, reader))
            stand_in = passed
            if kit_checks.GRADER_HALF_READS != reads:  # the kernel saw other digits: its verdict is on those
                kit_checks.HELDOUT_STAND_IN = True
                stand_in, _, verifiable = _run(case, _environment(exported, reader))
                kit_checks.HELDOUT_STAND_IN = False
            # The kernel lied: it reported as passed a case whose first line (the export) never ran,
            # or one that fails here on what it exported, with the kernel's own data.
            if claimed[i] and (not ran or (not stand_in and verifiable)):
                tampered.append(name)
            total += case.points
            earned += case.points if passed else 0
            # In Otter's own format (what the class report reads), in place of the kernel's block.
            verdict = "✅ Test case passed" if passed else "❌ Test case failed\n" + message
            lines.append(f"    {case.name} result:\n" + "\n".join(f"        {line}" for line in verdict.splitlines()))
            judged.add(case.name)
        verified[question] = (earned, total, lines)
        by_name[question]["output"] = without_cases(by_name[question].get("output") or "", judged)

    title = _say(
        "{question}\u00a0: vérifié hors de votre notebook, par la correction elle-même",
        "{question}: verified outside your notebook, by the grader itself",
        reader.language,
    )
    for question, (earned, total, lines) in verified.items():
        row = by_name[question]
        # A run whose kernel lied keeps only what was verified: its other verdicts are its word alone.
        kept = 0.0 if tampered else float(row.get("score") or 0)
        row["score"] = round(kept + earned, 6)
        row["max_score"] = round(float(row.get("max_score") or 0) + total, 6)
        note = f"{title.format(question=question)} ({earned:g} / {total:g}):\n" + "\n\n".join(lines) if lines else ""
        if tampered:
            note += (
                f"\n{TAMPERED} the notebook's own run reported {', '.join(tampered)} as passed, but the same checks "
                "fail in the grader's own process on what the notebook made: its tests, their helpers or their data "
                "were changed from inside the notebook, so only the points verified outside count / le notebook a "
                "modifié ses tests, leurs outils ou leurs données : seuls les points vérifiés hors du notebook comptent"
            )
        row["output"] = f"{note}\n\n{row.get('output') or ''}".lstrip()
    if "score" in results:
        results["score"] = round(sum(float(t.get("score") or 0) for t in results["tests"] if "max_score" in t), 6)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("judge_dir", help="the autograder's judge/ folder")
    parser.add_argument("exports", help="what the kernel exported")
    parser.add_argument("results", help="Otter's results.json from the kernel's run")
    parser.add_argument("out", help="where to write the judged results.json")
    args = parser.parse_args(argv)
    results = json.loads(Path(args.results).read_text())
    Path(args.out).write_text(json.dumps(judge(args.judge_dir, args.exports, results), indent=1))


if __name__ == "__main__":
    main()
