"""The Colab path: Colab notebooks and the student bundle, tried here with the bundle served from 127.0.0.1."""

import functools
import http.server
import shutil
import threading
import zipfile

import nbformat
import pytest

from autograder import build
from autograder.build import colab

NAME = "tp1_dense"


@pytest.fixture(scope="module")
def colab_built(built):
    out = built(NAME)
    url = "http://127.0.0.1:1/bundles"  # replaced when served; the build only writes it into the first cell
    bundle = colab.build_colab(NAME, url, out["dist"], build.LANGUAGES)
    return {**out, "bundle": bundle, "url": url}


def test_the_bundle_holds_the_public_checks_only(colab_built):
    with zipfile.ZipFile(colab_built["bundle"]) as bundle:
        files = {n: bundle.read(n).decode() for n in bundle.namelist()}
    student = nbformat.read(colab_built["dist"] / "en" / NAME / "student" / f"{NAME}.ipynb", as_version=4)
    assert files == {f"tests/{q}.py": source for q, source in colab.public_tests(student).items()}
    assert not any("hidden=True" in source for source in files.values()), "no hidden test reaches students"


@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_the_colab_notebook_installs_otter_fetches_the_bundle_and_hands_in_the_ipynb(colab_built, lang):
    nb = nbformat.read(colab_built["dist"] / lang / NAME / "colab" / f"{NAME}.ipynb", as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0].source
    assert colab.OTTER_REQUIREMENT in first and f"{colab_built['url']}/{NAME}.zip" in first
    assert "tests" not in nb.metadata.get("otter", {}), "Colab reads the checks from tests/, not the metadata"
    sources = "\n".join(c.source for c in nb.cells)
    assert 'otter.Notebook(tests_dir="tests")' in sources
    assert "grader.export(" not in sources, "Otter disables export on Colab"
    assert {"fr": "Télécharger le fichier .ipynb", "en": "Download .ipynb"}[lang] in sources


@pytest.mark.slow
def test_public_checks_work_against_a_locally_served_bundle(colab_built, tmp_path):
    """Run the French Colab notebook (outside Colab) up to question 1, its bundle served over HTTP."""
    from nbclient import NotebookClient

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(colab_built["dist"] / "colab"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        student = nbformat.read(colab_built["dist"] / "fr" / NAME / "student" / f"{NAME}.ipynb", as_version=4)
        questions = colab.public_tests(student)
        nb = colab.colab_notebook(student, "fr", f"{url}/{NAME}.zip", questions)
        hole = next(i for i, c in enumerate(nb.cells) if "def preprocess(" in c.source)
        nb.cells = nb.cells[:hole] + [
            nbformat.v4.new_code_cell(
                "def preprocess(images):\n"
                "    return images.reshape(len(images), 784).astype('float32') / 255.0\n"
                "x_train, x_test = preprocess(x_train_raw), preprocess(x_test_raw)\n"
                "passed = grader.check('q1_preprocess')\n"
                "assert passed.passed_all, passed\n"
                "x_train = None\n"
                "failed = grader.check('q1_preprocess')\n"
                "assert not failed.passed_all and 'vaut None' in repr(failed), repr(failed)\n"
                "print('public checks OK')"
            )
        ]
        shutil.copy(colab_built["mnist"], tmp_path / "mnist.npz")
        path = tmp_path / f"{NAME}.ipynb"
        nbformat.write(nb, path)
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    finally:
        server.shutdown()
    assert (tmp_path / "tests" / "q1_preprocess.py").is_file(), "the bundle was unpacked beside the notebook"
    assert "public checks OK" in "".join(o.get("text", "") for o in nb.cells[-1].outputs)
