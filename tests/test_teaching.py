"""What the notebooks teach: the loss before its first curve, links to the reference documentation."""

import re

import pytest

from autograder import build

# Where each API is first used, the notebook links to its reference page (in both languages).
DOC_LINKS = {
    "tp1_dense": [
        "keras.io/api/utils/python_utils/#tocategorical-function",
        "keras.io/api/models/sequential/",
        "keras.io/api/layers/core_layers/dense/",
        "keras.io/api/models/model_training_apis/#compile-method",
        "keras.io/api/models/model_training_apis/#fit-method",
        "keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class",
        "scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html",
        "scikit-learn.org/stable/modules/generated/sklearn.datasets.load_digits.html",
    ],
    "tp2_early_stopping": ["keras.io/api/callbacks/early_stopping/"],
    "tp3_convnet": [
        "keras.io/api/layers/convolution_layers/convolution2d/",
        "keras.io/api/layers/pooling_layers/max_pooling2d/",
        "keras.io/api/layers/reshaping_layers/flatten/",
        "keras.io/api/layers/regularization_layers/dropout/",
    ],
}


@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_tp1_teaches_cross_entropy_before_the_first_loss_curve(lang):
    cells = build.select_language(build.read_source("tp1_dense"), lang).cells
    first_curve = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "plot_history(history)" in c.source)
    before = "\n".join(c.source for c in cells[:first_curve])
    assert r"-\log p_c" in before, "the cross-entropy formula"
    assert re.search(r"for p in \(0\.9, 0\.5, [^)]*0\.01\)", before), "-log p for p = 0.9, 0.5, 0.01"
    assert "np.log(probabilities)" in before, "the loss of one image's 10 probabilities"


@pytest.mark.parametrize("name", sorted(DOC_LINKS))
@pytest.mark.parametrize("lang", build.LANGUAGES)
def test_the_reference_documentation_is_linked(name, lang):
    prose = "\n".join(
        c.source for c in build.select_language(build.read_source(name), lang).cells if c.cell_type == "markdown"
    )
    missing = [link for link in DOC_LINKS[name] if f"(https://{link})" not in prose]
    assert not missing, f"{name} ({lang}) has no link to {missing}"
