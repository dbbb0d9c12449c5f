"""The robot lab on real camera photos (robot_lab.photos) and the regression test on them.

Fast tests check robot_lab.photos itself on tiny images written to a temporary
folder (no real photo, no network). The slow test reads the real photos of the
folder named by the environment variable ROBOT_LAB_PHOTOS (``.ci/run`` sets it to
``../shared/real_cubes`` when that folder exists), with the network the kit ships
(``make robot-model``, which ``make test`` runs first): the claim is about the
pipeline students and robots use, not the tests' small network, which reads a
real '1' as a '2'. Without the variable it is skipped. The photos are
evaluation data: they are read where they are, never copied into the repository.
"""

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from autograder import REPO_ROOT
from robot_lab import photos
from robot_lab.pipeline import Cube

PHOTOS_VARIABLE = "ROBOT_LAB_PHOTOS"


def write_image(path, shape=(6, 8)):
    """A tiny grey image file at ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full(shape, 128, np.uint8))
    return path


def cube(label, x, y=100.0, confidence=0.9):
    corners = np.array([[x - 10, y - 10], [x + 10, y - 10], [x + 10, y + 10], [x - 10, y + 10]], np.float32)
    return Cube(label=label, confidence=confidence, center=(float(x), float(y)), corners=corners)


# --- read_truth --------------------------------------------------------------------

def test_read_truth_takes_labels_from_the_file_names(tmp_path):
    write_image(tmp_path / "straight" / "1_1.jpg")
    write_image(tmp_path / "ergo" / "212_3.png")
    write_image(tmp_path / "2.png")
    write_image(tmp_path / ".ipynb_checkpoints" / "nolabel.png")  # hidden folders are not read
    (tmp_path / "notes.txt").write_text("not a photo")

    truths = photos.read_truth(tmp_path)

    assert [t.name for t in truths] == ["2.png", "ergo/212_3.png", "straight/1_1.jpg"]
    assert [t.labels for t in truths] == [[2], [2, 1, 2], [1]]
    assert all(t.centres is None for t in truths)
    assert truths[2].path == tmp_path / "straight" / "1_1.jpg"


def test_read_truth_prefers_truth_json_and_sorts_its_cubes_left_to_right(tmp_path):
    write_image(tmp_path / "a" / "scene.png")
    write_image(tmp_path / "a" / "1_2.png")  # not in truth.json: labels from its name
    (tmp_path / "truth.json").write_text(json.dumps({"a/scene.png": [
        {"label": 1, "centre": [300, 40]}, {"label": 2, "centre": [50.5, 60]}]}))

    by_name = {t.name: t for t in photos.read_truth(tmp_path)}

    assert by_name["a/scene.png"].labels == [2, 1]
    assert by_name["a/scene.png"].centres == [(50.5, 60.0), (300.0, 40.0)]
    assert by_name["a/1_2.png"].labels == [1] and by_name["a/1_2.png"].centres is None


def test_read_truth_of_a_folder_without_photos_says_what_it_looked_for(tmp_path):
    (tmp_path / "readme.txt").write_text("no photo here")
    with pytest.raises(ValueError, match=r"no photo found \(looked for \.jpg.*real_cubes"):
        photos.read_truth(tmp_path)
    with pytest.raises(ValueError, match="no such folder"):
        photos.read_truth(tmp_path / "absent")


def test_read_truth_names_the_photos_without_labels_and_says_how_to_label_them(tmp_path):
    write_image(tmp_path / "1_1.jpg")
    write_image(tmp_path / "sub" / "scene.jpg")
    with pytest.raises(ValueError) as error:
        photos.read_truth(tmp_path)
    message = str(error.value)
    assert "no labels for 1 photo(s): sub/scene.jpg." in message
    assert "truth.json" in message and '"label"' in message and "12_3.jpg" in message


@pytest.mark.parametrize("content, expected", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"1_1.jpg": [{"label": 1}]}', "is not a list of"),
    ('{"1_1.jpg": [{"label": 7, "centre": [3, 4]}]}', "carries 1 or 2"),
    ('{"elsewhere/2_1.jpg": []}', "does not have: elsewhere/2_1.jpg"),
])
def test_read_truth_rejects_a_malformed_truth_json(tmp_path, content, expected):
    write_image(tmp_path / "1_1.jpg")
    (tmp_path / "truth.json").write_text(content)
    with pytest.raises(ValueError, match=expected):
        photos.read_truth(tmp_path)


# --- match_photo and score_photo ----------------------------------------------------

def test_match_photo_with_centres_pairs_the_nearest_within_the_radius():
    truth = photos.PhotoTruth(Path("212.png"), "212.png", [2, 1, 2], [(100, 100), (300, 100), (500, 100)])
    far = photos.MATCH_RADIUS + 5
    found = [cube(1, 302), cube(2, 95), cube(2, 500 + far), cube(1, 310)]

    pairs, false = photos.match_photo(found, truth)

    assert [(c.center[0], t) for c, t in pairs] == [(95, 0), (302, 1)]
    assert sorted(c.center[0] for c in false) == [310, 500 + far]

    score = photos.score_photo(truth, found, seconds=0.01, size=(640, 480))
    assert (score.n_true, score.found, score.right, score.false) == (3, 2, 2, 2)
    assert not score.fully_right and score.size == (640, 480)
    assert "the '2' at (500, 100) missed" in score.problems
    assert any(p.startswith("a false cube at (310, 100) read as '1'") for p in score.problems)


def test_match_photo_without_centres_pairs_left_to_right():
    truth = photos.PhotoTruth(Path("212_1.png"), "212_1.png", [2, 1, 2])

    pairs, false = photos.match_photo([cube(2, 500), cube(2, 100), cube(1, 300)], truth)
    assert [(c.center[0], t) for c, t in pairs] == [(100, 0), (300, 1), (500, 2)] and false == []

    # One cube missed: the two found are paired with the labels they leave right.
    pairs, false = photos.match_photo([cube(1, 100), cube(2, 300)], truth)
    assert [(c.label, t) for c, t in pairs] == [(1, 1), (2, 2)] and false == []
    score = photos.score_photo(truth, [cube(1, 100), cube(2, 300)])
    assert (score.found, score.right, score.false) == (2, 2, 0)
    assert score.problems == ["the '2' missed"]

    # One cube too many: the extra one is false, the others still count.
    found = [cube(2, 100), cube(2, 200), cube(1, 300), cube(2, 500)]
    pairs, false = photos.match_photo(found, truth)
    assert len(pairs) == 3 and len(false) == 1
    assert sum(c.label == truth.labels[t] for c, t in pairs) == 3

    # A misread cube.
    score = photos.score_photo(truth, [cube(2, 100), cube(2, 300, confidence=0.61), cube(2, 500)])
    assert (score.found, score.right, score.false) == (3, 2, 0)
    assert score.problems == ["the '1' at (300, 100) read as '2' (confidence 0.61)"]


def test_summary_table_gives_the_totals_and_what_went_wrong():
    right = photos.PhotoScore("a/1_1.jpg", 1, 1, 1, 0, 0.010, ["1 (0.99)"], [], (752, 480))
    wrong = photos.PhotoScore("b/212_1.png", 3, 2, 1, 0, 0.030, ["2 (0.9)", "2 (0.6)"],
                              ["the '2' at (500, 100) missed"], (640, 480))
    table = "\n".join(photos.summary_table([right, wrong]))
    assert "| cubes found | 3 / 4 | all |" in table
    assert "| labels right | 2 / 4 | all |" in table
    assert "| photos fully right | 1 / 2 | all |" in table
    assert "| time per photo, median / max (ms) | 20.0 / 30.0 | |" in table
    assert "time per 752x480 photo" in table and "time per 640x480 photo" in table
    assert "- `b/212_1.png`: the '2' at (500, 100) missed" in table
    assert photos.describe(wrong).startswith("BAD b/212_1.png: 2/3 found, 1 right, 0 false")


# --- the regression test on the real photos --------------------------------------------

def photos_folder():
    """The folder ROBOT_LAB_PHOTOS names (relative to the working folder or the repository)."""
    folder = Path(os.environ[PHOTOS_VARIABLE])
    if not folder.is_absolute() and not folder.is_dir() and (REPO_ROOT / folder).is_dir():
        folder = REPO_ROOT / folder
    return folder


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get(PHOTOS_VARIABLE),
                    reason=f"{PHOTOS_VARIABLE} is not set: it names a folder of real robot photos laid "
                           "out like ../shared/real_cubes; run e.g. "
                           f"`{PHOTOS_VARIABLE}=../shared/real_cubes make test`")
def test_recognise_reads_every_cube_of_the_real_photos():
    """The target on real photos: every cube found, none false, every label right."""
    from robot_lab.classifier import DEFAULT_MODEL_PATH, load_model

    model = load_model(DEFAULT_MODEL_PATH)  # says to run `make robot-model` when missing
    folder = photos_folder()
    scores = photos.score_photos(folder, model)
    totals = {key: sum(getattr(s, key) for s in scores) for key in ("n_true", "found", "right", "false")}
    wrong = [photos.describe(s) for s in scores if not s.fully_right]
    assert not wrong, (
        f"on the {len(scores)} real photos of {folder} ({totals['n_true']} cubes): "
        f"{totals['found']} found, {totals['false']} false, {totals['right']} read right "
        "(target: all found, 0 false, all right). Photos not fully right:\n  " + "\n  ".join(wrong))
