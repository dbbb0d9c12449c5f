"""``python -m robot_lab.detect --draw``: one drawing per image, even for images of the
same name in different folders.

The fast tests check where the drawings go (no network); the slow one runs the
command with the session's small network (``robot_model`` in conftest.py).
"""

import cv2
import numpy as np
import pytest

from robot_lab import detect
from robot_lab.simulator import Conditions, render_scene


def write_image(path, image=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((6, 8), 128, np.uint8) if image is None else image)
    return path


def test_drawings_keep_the_folders_below_the_shared_one(tmp_path):
    photos, out = tmp_path / "photos", tmp_path / "out"
    straight = write_image(photos / "straight" / "1_1.jpg")
    rotations = write_image(photos / "rotations" / "1_1.jpg")
    deeper = write_image(photos / "rotations" / "far" / "2_1.png")

    paths = detect.drawing_paths([straight, rotations, deeper], out)

    assert paths == {
        straight: out / "straight" / "1_1_cubes.png",
        rotations: out / "rotations" / "1_1_cubes.png",
        deeper: out / "rotations" / "far" / "2_1_cubes.png",
    }


def test_images_of_one_folder_are_drawn_straight_into_the_output_folder(tmp_path):
    images = [write_image(tmp_path / "scenes" / f"scene_{i}.png") for i in range(2)]
    not_an_image = tmp_path / "notes.png"  # elsewhere, and not an image: does not move the drawings
    not_an_image.write_text("not a picture")

    paths = detect.drawing_paths([*map(str, images), str(not_an_image), str(tmp_path / "absent.png")], tmp_path / "out")

    assert paths[images[0]] == tmp_path / "out" / "scene_0_cubes.png"
    assert paths[images[1]] == tmp_path / "out" / "scene_1_cubes.png"
    assert tmp_path / "absent.png" not in paths  # a missing file gets no drawing


def test_images_that_differ_only_by_suffix_get_two_drawings(tmp_path):
    jpg, png = write_image(tmp_path / "a.jpg"), write_image(tmp_path / "a.png")
    paths = detect.drawing_paths([jpg, png, jpg], tmp_path / "out")
    assert paths == {jpg: tmp_path / "out" / "a_jpg_cubes.png", png: tmp_path / "out" / "a_png_cubes.png"}


def test_relative_and_absolute_paths_share_their_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_image(tmp_path / "straight" / "1_1.jpg")
    write_image(tmp_path / "rotations" / "1_1.jpg")
    paths = detect.drawing_paths(["straight/1_1.jpg", tmp_path / "rotations" / "1_1.jpg"], "out")
    assert sorted(map(str, paths.values())) == ["out/rotations/1_1_cubes.png", "out/straight/1_1_cubes.png"]


@pytest.mark.slow
def test_draw_keeps_every_picture(robot_model, tmp_path, capsys):
    _, model_path = robot_model
    rng = np.random.default_rng(7)
    images = []
    # The subject is the drawing, not the vision: scenes whose every cube the pipeline finds.
    plain = Conditions(face_light_ratio=1.0, frame="none", top_face_depth=0.0, side_face_width=0.0, lighting="normal")
    for folder, n_cubes in (("straight", 1), ("rotations", 2)):
        scene, _ = render_scene(rng, n_cubes=n_cubes, size=(240, 320), conditions=plain)
        images.append(write_image(tmp_path / "photos" / folder / "1_1.png", scene))
    out = tmp_path / "drawn"

    status = detect.main([*map(str, images), "--draw", str(out), "--model", str(model_path)])

    assert status == 0
    drawn = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert drawn == ["rotations/1_1_cubes.png", "straight/1_1_cubes.png"]
    for image, folder in zip(images, ("straight", "rotations")):
        drawing = cv2.imread(str(out / folder / "1_1_cubes.png"))
        assert drawing.shape == cv2.imread(str(image)).shape
        assert np.any(drawing != cv2.imread(str(image))), f"{folder}: no cube drawn"
    assert f"drawn: {out / 'rotations' / '1_1_cubes.png'}" in capsys.readouterr().out
