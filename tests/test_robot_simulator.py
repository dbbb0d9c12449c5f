"""The simulated camera reproduces what real robot photos have (issue 9): fast, no model."""

import dataclasses

import cv2
import numpy as np
import pytest

from robot_lab import simulator, vision
from robot_lab.simulator import Conditions, render_scene

# Measured without the camera's own vignetting and JPEG, unless the test is about them.
PLAIN = Conditions(vignetting=0.0, jpeg_quality=0)


def face_view(gray, corners, n=100):
    """The face cut out of a grey image along its true corners: (n, n) float32."""
    square = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    homography = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), square)
    return cv2.warpPerspective(gray.astype(np.float32), homography, (n, n))


def paper_light(gray, corners, inset=6, n=100):
    """The light on a face's paper: a quadratic surface fitted to its paper pixels (not
    ink, not the frame), evaluated inside ``inset`` pixels of n: (n - 2 inset)^2 float."""
    face = face_view(gray, corners, n)
    local = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15)))
    y, x = np.mgrid[0:n, 0:n] / n
    terms = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    paper = face > 0.8 * local
    paper[:inset], paper[-inset:], paper[:, :inset], paper[:, -inset:] = False, False, False, False
    coefficients, *_ = np.linalg.lstsq(terms[paper], face[paper], rcond=None)
    return (terms @ coefficients)[inset:-inset, inset:-inset]


def brightest_paper(gray, corners):
    """The 99th percentile of a face's paper pixels (ink and the outer 6 % left out)."""
    face = face_view(gray, corners)[6:-6, 6:-6]
    local = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15)))
    return np.percentile(face[face > 0.8 * local], 99)


def light_ratio(gray, corners, inset=6):
    """Darkest / brightest paper of a face."""
    paper = paper_light(gray, corners, inset)
    return paper.min() / paper.max()


def inside(corners, shape, margin=2):
    h, w = shape[:2]
    return bool(np.all((corners >= margin) & (corners <= [w - 1 - margin, h - 1 - margin])))


def scenes(seed, n, **kwargs):
    rng = np.random.default_rng(seed)
    return [render_scene(rng, **kwargs) for _ in range(n)]


# --- determinism and truth --------------------------------------------------------

def test_same_generator_state_same_scene_in_both_views():
    for view in simulator.VIEWS:
        image, truth = render_scene(np.random.default_rng(3), view=view)
        again, truth_again = render_scene(np.random.default_rng(3), view=view)
        assert np.array_equal(image, again)
        assert all(np.array_equal(a.corners, b.corners) for a, b in zip(truth, truth_again))
    top, _ = render_scene(np.random.default_rng(3), view="top")
    side, _ = render_scene(np.random.default_rng(3), view="side")
    assert not np.array_equal(top, side)


def test_fixing_one_condition_leaves_the_rest_of_the_scene():
    base = dataclasses.replace(PLAIN, view="side")
    plain, truth = render_scene(np.random.default_rng(4), n_cubes=3, conditions=base)
    jpeg, truth_jpeg = render_scene(np.random.default_rng(4), n_cubes=3,
                                    conditions=dataclasses.replace(base, jpeg_quality=70))
    assert [c.label for c in truth] == [c.label for c in truth_jpeg]
    assert all(np.array_equal(a.corners, b.corners) for a, b in zip(truth, truth_jpeg))
    assert 0 < np.abs(plain.astype(int) - jpeg).mean() < 4


def test_default_scenes_draw_both_views_and_every_condition():
    rng = np.random.default_rng(0)
    drawn = [simulator.draw_scene_conditions(rng) for _ in range(200)]
    faces = [simulator.draw_face_conditions(rng, scene) for scene in drawn]
    assert {c.view for c in drawn} == set(simulator.VIEWS)
    assert {c.lighting for c in drawn} == set(simulator.LIGHTINGS)
    assert {c.frame for c in faces} == set(simulator.FRAMES)
    assert any(c.gripper for c in drawn) and any(c.table_edge for c in drawn)
    assert any(c.jpeg_quality for c in drawn) and any(c.jpeg_quality == 0 for c in drawn)
    ratios = [c.face_light_ratio for c in faces]
    assert min(ratios) < 0.5 and 0.6 < np.mean(ratios) < 0.75 and max(ratios) <= 1.0


def test_conditions_outside_their_realistic_range_are_refused():
    with pytest.raises(ValueError, match="face_light_ratio"):
        Conditions(face_light_ratio=0.1)
    with pytest.raises(ValueError, match="view"):
        Conditions(view="below")
    with pytest.raises(ValueError, match="jpeg_quality"):
        Conditions(jpeg_quality=10)


def test_truth_corners_are_the_digit_face_in_the_side_view():
    conditions = dataclasses.replace(PLAIN, view="side", top_face_depth=0.12, frame="none", face_light_ratio=1.0)
    for image, truth in scenes(5, 10, conditions=conditions):
        gray = vision.to_gray(image)
        for cube in truth:
            if not inside(cube.corners, image.shape):
                continue
            face = face_view(gray, cube.corners)
            paper = np.percentile(face, 90)
            # The digit is inked in the middle of the face, the paper reaches its edges.
            assert face[20:80, 20:80].min() < 0.5 * paper
            assert np.median(face[3:10, 20:80]) > 0.6 * paper


# --- each condition, measured ---------------------------------------------------------

def test_light_is_uneven_across_a_face_as_on_real_faces():
    ratios = []
    for ratio in (0.4, 1.0):
        conditions = dataclasses.replace(PLAIN, face_light_ratio=ratio, frame="none")
        measured = [light_ratio(vision.to_gray(image), cube.corners)
                    for image, truth in scenes(6, 6, conditions=conditions) for cube in truth
                    if inside(cube.corners, image.shape)]
        ratios.append(np.median(measured))
    assert ratios[0] < 0.5 and ratios[1] > 0.88
    drawn = [light_ratio(vision.to_gray(image), cube.corners)
             for image, truth in scenes(7, 30, conditions=PLAIN) for cube in truth if inside(cube.corners, image.shape)]
    # Real faces (cubes/straight, measured the same way): 0.46-0.86, median 0.65.
    assert np.percentile(drawn, 5) < 0.55 and 0.6 < np.median(drawn) < 0.8


def test_side_view_shows_a_top_face_brighter_than_the_digit_face_below_it():
    # One light on the whole cube: the top face is brighter than the digit face along
    # their common edge (TOP_FACE_LIGHT times it), wherever a hotspot puts the face's light.
    conditions = dataclasses.replace(PLAIN, view="side", top_face_depth=0.12, frame="none")
    brighter = total = 0
    for image, truth in scenes(8, 10, conditions=conditions):
        gray = vision.to_gray(image).astype(np.float32)
        for cube in truth:
            tl, tr, br, bl = cube.corners
            up = (tl - bl) / np.linalg.norm(tl - bl)
            height = np.linalg.norm(tl - bl)
            above = [tl + (tr - tl) * t + up * height * 0.06 for t in np.linspace(0.3, 0.7, 9)]
            below = [tl + (tr - tl) * t - up * height * 0.06 for t in np.linspace(0.3, 0.7, 9)]
            if not inside(np.array(above), image.shape) or not inside(cube.corners, image.shape):
                continue
            top = np.mean([gray[int(y), int(x)] for x, y in above])
            face = np.mean([gray[int(y), int(x)] for x, y in below])
            total += 1
            brighter += top > 1.04 * face
    assert total >= 8 and brighter >= 0.9 * total


def test_dim_scenes_have_dark_tables_and_grey_paper():
    conditions = dataclasses.replace(PLAIN, lighting="dim")
    for image, truth in scenes(9, 8, n_cubes=2, conditions=conditions):
        gray = vision.to_gray(image)
        brightest = max(brightest_paper(gray, c.corners) for c in truth)
        assert 70 <= brightest <= 120  # paper_level 80-115, measured 6 % in from the edges
        table = np.ones(gray.shape, bool)
        for cube in truth:
            cv2.fillConvexPoly(table.view(np.uint8), np.round(cube.corners).astype(np.int32), 0)
        assert np.median(gray[table]) <= 14


def test_bright_scenes_have_white_paper_on_textured_fabric():
    conditions = dataclasses.replace(PLAIN, lighting="bright", view="side", top_face_depth=0.12)
    for image, truth in scenes(10, 5, n_cubes=3, conditions=conditions):
        gray = vision.to_gray(image)
        brightest = max(brightest_paper(gray, c.corners) for c in truth)
        assert 195 <= brightest <= 250  # paper_level 220-240, measured 6 % in from the edges
        assert gray.max() >= 240 and gray.max() > brightest  # the top faces, the brightest of all
        fabric = gray[-60:, :]  # below the cubes, mostly
        assert 5 < np.median(fabric) < 110 and np.std(fabric) > 3


def test_notched_frame_puts_dark_tabs_along_every_edge():
    def edge_darks(frame):
        conditions = dataclasses.replace(PLAIN, frame=frame, face_light_ratio=1.0, digit_span=0.62,
                                         ink_thickening=0.0, ragged_edge=0.0, view="side")
        counts = []
        for image, truth in scenes(12, 5, n_cubes=1, conditions=conditions):
            cube = truth[0]
            face = face_view(vision.to_gray(image), cube.corners)
            paper = np.percentile(face, 95)
            bands = [face[3:9, 10:90], face[10:90, -9:-3], face[-9:-3, 10:90], face[10:90, 3:9]]
            counts.append(min(np.sum(band < 0.8 * paper) for band in bands))
        return counts

    assert min(edge_darks("notched")) >= 20
    assert max(edge_darks("none")) <= 5


def test_marker_digits_are_bigger_and_bolder():
    def ink(**fixed):
        conditions = dataclasses.replace(PLAIN, frame="none", face_light_ratio=1.0, digit_turns=0, **fixed)
        fractions, heights = [], []
        for image, truth in scenes(13, 8, n_cubes=1, conditions=conditions):
            face = face_view(vision.to_gray(image), truth[0].corners)[8:-8, 8:-8]
            dark = face < 0.5 * np.percentile(face, 95)
            fractions.append(dark.mean())
            rows = np.flatnonzero(dark.any(axis=1))
            heights.append((rows[-1] - rows[0]) / 84 if len(rows) else 0)
        return np.mean(fractions), np.median(heights)

    pen_ink, pen_height = ink(ink_thickening=0.0, digit_span=0.62)
    marker_ink, marker_height = ink(ink_thickening=0.015, digit_span=1.0)
    assert marker_ink > 2 * pen_ink and marker_height > 0.75 and pen_height < 0.6


def test_european_ones_have_a_flag():
    def ink_of_ones(european):
        conditions = dataclasses.replace(PLAIN, european_one=european, frame="none", face_light_ratio=1.0)
        total = []
        for image, truth in scenes(14, 12, n_cubes=1, conditions=conditions):
            if truth[0].label == 1:
                face = face_view(vision.to_gray(image), truth[0].corners)[8:-8, 8:-8]
                total.append(np.mean(face < 0.5 * np.percentile(face, 95)))
        return np.array(total)

    # The flag is a quarter to 0.4 of the stroke's length, drawn as thick; its root
    # overlaps the stroke's top, so it adds at least ~10 % to the ink.
    plain, flagged = ink_of_ones(False), ink_of_ones(True)
    assert len(plain) >= 3 and np.all(flagged > 1.08 * plain)


def test_ragged_edges_tear_the_paper_along_the_border():
    def border(ragged):
        conditions = dataclasses.replace(PLAIN, ragged_edge=ragged, frame="none", face_light_ratio=1.0)
        values = []
        for image, truth in scenes(15, 5, n_cubes=1, conditions=conditions):
            face = face_view(vision.to_gray(image), truth[0].corners, n=200)
            values.append(np.mean(face[1:4, 20:180]) / np.percentile(face, 95))
        return np.mean(values)

    assert border(0.02) < border(0.0) - 0.05


def test_jpeg_compression_leaves_8x8_blocks():
    def blockiness(quality):
        image, _ = render_scene(np.random.default_rng(16), n_cubes=3,
                                conditions=dataclasses.replace(PLAIN, jpeg_quality=quality))
        steps = np.abs(np.diff(vision.to_gray(image).astype(np.float32), axis=1))
        at_block = steps[:, 7::8].mean()
        return at_block / steps.mean()

    assert blockiness(60) > 1.1 * blockiness(0)


def test_cubes_can_stand_close_together_but_never_touch():
    gaps = []
    conditions = dataclasses.replace(PLAIN, cube_gap=simulator.CUBE_GAP[0])
    for image, truth in scenes(17, 8, n_cubes=3, conditions=conditions):
        masks = []
        for cube in truth:
            mask = np.zeros(image.shape[:2], np.uint8)
            cv2.fillConvexPoly(mask, np.round(cube.corners).astype(np.int32), 1)
            masks.append(mask)
        for i in range(3):
            distance = cv2.distanceTransform(1 - masks[i], cv2.DIST_L2, 3)
            side = np.linalg.norm(truth[i].corners[1] - truth[i].corners[0])
            for j in range(i + 1, 3):
                gaps.append(distance[masks[j] > 0].min() / side)
    assert min(gaps) > 0.03 and min(gaps) < 0.3


def test_clutter_enters_from_the_image_edge():
    for field in ("gripper", "table_edge"):
        normal = dataclasses.replace(PLAIN, lighting="normal", gripper=False, table_edge=False)
        without, _ = render_scene(np.random.default_rng(18), n_cubes=0,
                                  conditions=dataclasses.replace(normal, **{field: False}))
        with_it, _ = render_scene(np.random.default_rng(18), n_cubes=0,
                                  conditions=dataclasses.replace(normal, **{field: True}))
        changed = np.abs(vision.to_gray(with_it).astype(int) - vision.to_gray(without)) > 3
        assert changed.mean() > 0.005
        border = np.concatenate([changed[0], changed[-1], changed[:, 0], changed[:, -1]])
        assert border.any()
        # Clutter is dark grey: never as bright as paper.
        assert np.percentile(vision.to_gray(with_it), 99.9) < 0.7 * 255


def test_command_line_writes_side_view_scenes(tmp_path):
    simulator.main(["--out", str(tmp_path), "--n", "2", "--seed", "1", "--view", "side", "--lighting", "dim"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene_000.png", "scene_001.png", "truth.json"]
    assert cv2.imread(str(tmp_path / "scene_000.png")).shape == (480, 640, 3)


def test_scene_conditions_are_what_render_scene_draws():
    scene, faces = simulator.scene_conditions(np.random.default_rng(19), view="side")
    image, truth = render_scene(np.random.default_rng(19), view="side")
    assert scene.view == "side" and len(faces) == len(truth)
    assert all(face.frame in simulator.FRAMES for face in faces)


def test_hidden_scenes_hold_both_views_and_the_real_photos_conditions():
    from autograder.build import robot_lab as robot_lab_build

    seeds = robot_lab_build.HIDDEN_SEEDS
    layouts = [robot_lab_build.hidden_scene_layout(i) for i in range(len(seeds))]
    assert set(layouts) == {(size, view) for size in robot_lab_build.HIDDEN_SIZES for view in simulator.VIEWS}
    drawn = [simulator.scene_conditions(np.random.default_rng(seed), view=view)
             for seed, (_, view) in zip(seeds, layouts)]
    scenes_drawn = [scene for scene, _ in drawn]
    faces = [face for _, faces in drawn for face in faces]
    assert {scene.lighting for scene in scenes_drawn} == set(simulator.LIGHTINGS)
    assert any(scene.jpeg_quality for scene in scenes_drawn)
    assert any(scene.gripper or scene.table_edge for scene in scenes_drawn)
    assert {face.frame for face in faces} >= {"notched", "dashed"}
    assert min(face.face_light_ratio for face in faces) < 0.55
    assert any(face.ink_thickening > 0 for face in faces)
