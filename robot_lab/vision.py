"""From a camera image to 28x28 MNIST-like digits: find the cubes' faces, warp, cut.

The camera looks down on a dark table with 1 to 3 cubes; the face of each cube
that the camera sees best is a white square with a '1' or a '2' handwritten in
black marker, sometimes inside a printed dashed frame. The lighting is often dim
(the whitest pixels can be ~100 of 255), the image is slightly blurred and noisy,
the faces are seen in perspective at any rotation, and one may touch the image's
edge. The three steps, each a plain function on numpy arrays:

1. :func:`find_faces` (image -> corners of each face),
2. :func:`warp_face` (image, corners -> the face seen from the front, a square),
3. :func:`face_to_sprite` (square face -> 28x28 float32 digit, as MNIST was made).

Example::

    gray = to_gray(image)
    for corners in find_faces(gray):
        sprite = face_to_sprite(warp_face(gray, corners))
"""

import cv2
import numpy as np

#: Side (pixels) of the square that :func:`warp_face` makes by default: 4 x 28, so
#: that the sprite is made by shrinking (averaging) rather than by enlarging.
FACE_SIZE = 112

#: Fraction of the face's side removed on every edge by :func:`face_to_sprite`: the
#: face's own edge and a margin for imprecise corners. Only that: a thick digit
#: written near the edge must not be cut.
BORDER_FRACTION = 0.04

#: Marks that lie entirely within this fraction of the (cut) face from its edges are
#: not the digit: the printed frame (a dashed line, or notches along the edges and at
#: the corners), the edge of the cube's other faces, a crease. The digit always
#: reaches further in: written in the middle of the face, it crosses its centre.
FRAME_FRACTION = 0.16

#: The paper's own light level under the ink is estimated over this fraction of the
#: face: wider than a marker's stroke (so the stroke is bridged), narrower than the
#: slow changes of the light across the face (a hotspot, vignetting).
PAPER_WINDOW = 0.25

#: Where MNIST's digits have their centre of mass, in array indices (row and column):
#: measured on the training set, 14.0 +- 0.3 on both axes.
MNIST_CENTRE = 14.0

# find_faces: what a face may look like, relative to the image (resolution-free).
MIN_FACE_AREA = 0.002  # of the image's area: ~25x25 pixels in a 640x480 image
MAX_FACE_AREA = 0.25  # of the image's area
MIN_FILL = 0.80  # the blob's area / its quadrilateral's area (a square fills it)
MIN_OVERLAP = 0.80  # intersection / union of the blob's hull and its quadrilateral
MAX_CORNER_GAP = 0.14  # of the side: how far a corner may lie outside the blob (rounding)
MAX_ASPECT = 2.0  # longest / shortest side of the quadrilateral (perspective allowed)
MIN_CONTRAST = 30  # grey levels between a face's paper and the table around it
PAPER_FRACTION = 0.75  # paper: brighter than this fraction of its blob's bright level
MIN_SHARP_SIDES = 2  # sides on a sharp edge: paper has them, a soft highlight on cloth has not
BRIGHT_PERCENTILE = 99.5  # binarize: the image's bright level (a percentile: a few hot pixels do not count)
BRIGHT_FLOOR = 0.4  # binarize: the threshold is never below this fraction of the bright level

# refine_corners: where and how each side's edge is looked for.
EDGE_SAMPLES = 20  # profiles read across each side, between 15 % and 85 % of its length
EDGE_SEARCH = (0.05, 0.12)  # how far inside and outside the outline, as fractions of the side
EDGE_PAPER = 0.7  # paper just inside the edge: at least this fraction of the profile's brightest
EDGE_MIN_DROP = 3  # grey levels per half pixel: a softer drop is not a paper's edge
EDGE_MIN_POINTS = 6  # edge points needed to fit a side's line (else the outline's line is kept)
MAX_CORNER_SHIFT = 0.3  # a refined corner moves at most this fraction of its distance to the centre

# split_folds: where two of a cube's faces meet, the light jumps along a straight line.
FOLD_SIZE = 128  # side (pixels) of the square a candidate face is looked at in
FOLD_STEP = 0.10  # the jump, in log light (~11 %): more than the paper's own texture
FOLD_SHARPNESS = 0.6  # jump over 3 rows / over 8 rows: ~1 for an edge, ~0.4 for a slow change
FOLD_DEPTH = (0.08, 0.45)  # where a fold may lie, as a fraction of the side, from each side


def to_gray(image):
    """Grey-level version of a camera image.

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8 BGR (OpenCV's order), (H, W, 4) BGRA, or (H, W) uint8

    Returns
    -------
    gray : ndarray (H, W) uint8
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(
            f"expected a uint8 image (values 0-255), got dtype {image.dtype}; "
            "convert it first, e.g. with np.clip(image, 0, 255).astype(np.uint8)"
        )
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"expected an image of shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")


def order_corners(points):
    """Order 4 corners clockwise on screen, starting from the top-left one.

    Clockwise as seen on the screen, in image coordinates (x to the right, y down):
    top-left, top-right, bottom-right, bottom-left for an upright square. The first
    corner is the one with the smallest ``x + y`` (the nearest to the top-left,
    measured along the image's diagonal); on a tie, the one with the smaller ``y``.

    Parameters
    ----------
    points : array-like (4, 2) of (x, y), any order

    Returns
    -------
    corners : ndarray (4, 2) float32
    """
    points = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = points.mean(axis=0)
    # atan2 grows from +x towards +y; with y pointing down that is clockwise on screen.
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    points = points[np.argsort(angles, kind="stable")]
    score = np.round(points.sum(axis=1), 3) * 1e4 + points[:, 1]  # smallest x + y, then y
    return np.roll(points, -int(np.argmin(score)), axis=0)


def _percentile_u8(values, q):
    """The q-th percentile (0-100) of uint8 values, by counting: much faster than sorting."""
    cumulative = np.cumsum(np.bincount(np.asarray(values, np.uint8).ravel(), minlength=256))
    return float(np.searchsorted(cumulative, q / 100 * cumulative[-1]))


def _kernel(shape):
    """Structuring element for the clean-up: a 3-pixel disc at 480 lines, scaled."""
    side = max(3, int(round(min(shape) / 160)) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))


def binarize(gray):
    """White paper (255) versus dark table (0), robust to the light level.

    Otsu's threshold on the (blurred) image, never below 40 % of the bright level
    (the 99.5th percentile), so that a brighter patch of table stays below it
    whatever the light. Opening removes specks of noise;
    closing fills the digit's strokes that reach the edge of the face.

    Parameters
    ----------
    gray : ndarray (H, W) uint8

    Returns
    -------
    mask : ndarray (H, W) uint8, 0 or 255
    threshold : float, the grey level used
    """
    return _binarize_smooth(_smooth(gray))


def _smooth(gray):
    """The grey image slightly blurred (5x5 Gaussian): less noise for thresholds and edges."""
    return cv2.GaussianBlur(gray, (5, 5), 0)


def _binarize_smooth(smooth):
    otsu, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = max(otsu, BRIGHT_FLOOR * _percentile_u8(smooth, BRIGHT_PERCENTILE))
    mask = np.where(smooth > threshold, 255, 0).astype(np.uint8)
    kernel = _kernel(smooth.shape)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    return mask, threshold


def _line_intersection(p1, p2, q1, q2):
    """Intersection of line (p1, p2) with line (q1, q2); None when parallel."""
    d1, d2 = p2 - p1, q2 - q1
    cross = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(cross) < 1e-9:
        return None
    t = ((q1[0] - p1[0]) * d2[1] - (q1[1] - p1[1]) * d2[0]) / cross
    return p1 + t * d1


def _along_border(a, b, image_shape, tolerance=1.5):
    """Whether the segment (a, b) runs along the image's edge (a cut, not a side)."""
    if image_shape is None:
        return False
    h, w = image_shape[:2]
    for axis, limit in ((0, w - 1), (1, h - 1)):
        for edge in (0, limit):
            if abs(a[axis] - edge) <= tolerance and abs(b[axis] - edge) <= tolerance:
                return True
    return False


def quadrilateral(contour, image_shape=None):
    """The 4 corners of a blob that should be a (perspective) square.

    The convex hull is simplified into a polygon, more and more coarsely until it
    has 4 vertices: the corners. When a side of the polygon runs along the image's
    edge (a corner cut off), the polygon's 4 longest other sides are extended and
    intersected instead, which puts the cut-off corner back where it was, outside
    the image. Otherwise: the blob's minimum-area rectangle.

    Parameters
    ----------
    contour : ndarray (n, 1, 2) int32, as ``cv2.findContours`` returns it
    image_shape : tuple (H, W), optional
        The image's size, to recognise the sides that are only the image's edge.

    Returns
    -------
    corners : ndarray (4, 2) float32, ordered by :func:`order_corners`
    """
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    polygon = cv2.approxPolyDP(hull, 0.02 * perimeter, True).reshape(-1, 2).astype(np.float64)
    sides = [(polygon[i], polygon[(i + 1) % len(polygon)]) for i in range(len(polygon))]
    cut = [_along_border(a, b, image_shape) for a, b in sides]
    if any(cut) and len(polygon) > 4:
        lengths = [0.0 if c else np.hypot(*(b - a)) for (a, b), c in zip(sides, cut)]
        longest = sorted(np.argsort(lengths)[-4:])  # kept in the polygon's order
        corners = [_line_intersection(*sides[longest[i]], *sides[longest[(i + 1) % 4]]) for i in range(4)]
        if all(lengths[i] > 0 for i in longest) and all(c is not None for c in corners):
            corners = np.array(corners)
            # A wild intersection (two nearly parallel sides) is not a corner.
            x, y, w, h = cv2.boundingRect(hull)
            if np.all(np.abs(corners - [x + w / 2, y + h / 2]) < 1.5 * max(w, h)):
                return order_corners(corners)
    elif not any(cut):
        # A side bent by the noise gives an extra vertex: simplify more, up to 4.
        for tolerance in (0.02, 0.035, 0.05, 0.07):
            polygon = cv2.approxPolyDP(hull, tolerance * perimeter, True).reshape(-1, 2)
            if len(polygon) <= 4:
                break
        if len(polygon) == 4:
            return order_corners(polygon)
    return order_corners(cv2.boxPoints(cv2.minAreaRect(contour)))


def refine_corners(smooth, corners):
    """Move each side of a face onto the paper's edge (see :func:`_refine`): corners (4, 2) float32."""
    return _refine(smooth, corners)[0]


def _refine(smooth, corners):
    """Move each side of a face onto the paper's edge, then re-intersect the sides.

    The thresholded outline lies a pixel or two inside the face and rounds its
    corners off. Along each side, at 20 places away from the corners, the grey
    level is read across the side; the edge is the outermost place where it drops
    steeply (the printed dashed frame, further in, also makes a drop: it is skipped).
    A line is fitted to those edge points, and the corners are where adjacent lines
    cross. A side with too few edge points (mostly outside the image) keeps its
    line.

    Parameters
    ----------
    smooth : ndarray (H, W) uint8 or float32, the slightly blurred grey image
    corners : ndarray (4, 2) float32, ordered by :func:`order_corners`

    Returns
    -------
    corners : ndarray (4, 2) float32, same order
    sharp : int, 0 to 4
        How many sides lie on a sharp edge (a paper's edge, not a soft highlight).
    """
    corners = np.asarray(corners, np.float64)
    image = smooth if smooth.dtype == np.float32 else smooth.astype(np.float32)
    h, w = smooth.shape
    centre = corners.mean(axis=0)
    lines, sharp = [], 0
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        length = np.hypot(*(b - a))
        along = (b - a) / length
        normal = np.array([along[1], -along[0]])
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal  # pointing out of the face
        # The outline lies up to a printed frame's width inside the edge: look further out.
        offsets = np.arange(-max(3.0, EDGE_SEARCH[0] * length), max(4.0, EDGE_SEARCH[1] * length) + 0.25, 0.5)
        points = a + np.linspace(0.15, 0.85, EDGE_SAMPLES)[:, None] * (b - a)
        samples = points[:, None, :] + offsets[None, :, None] * normal
        profile = cv2.remap(
            image, samples[..., 0].astype(np.float32), samples[..., 1].astype(np.float32), cv2.INTER_LINEAR
        )
        drop = profile[:, :-1] - profile[:, 1:]  # > 0 where it darkens going outwards
        inside = np.all(
            (samples[..., 0] >= 0) & (samples[..., 0] <= w - 1) & (samples[..., 1] >= 0) & (samples[..., 1] <= h - 1),
            axis=1,
        )
        # The paper's edge: a local peak of the drop, steep enough, with paper just
        # inside it (which the edge between a cube's side and the table has not).
        paper = profile.max(axis=1, keepdims=True)
        before = np.concatenate([profile[:, :1], profile[:, :1], profile[:, :-3]], axis=1)  # 1 px in
        local_peak = (drop >= np.concatenate([drop[:, :1], drop[:, :-1]], axis=1)) & (
            drop >= np.concatenate([drop[:, 1:], drop[:, -1:]], axis=1)
        )
        edge_like = local_peak & (drop >= 0.25 * drop.max(axis=1, keepdims=True)) & (before >= EDGE_PAPER * paper)
        peak = drop.shape[1] - 1 - np.argmax(edge_like[:, ::-1], axis=1)
        inside &= edge_like.any(axis=1)
        valid = inside & (drop[np.arange(len(peak)), peak] > EDGE_MIN_DROP)
        if valid.sum() < EDGE_MIN_POINTS:
            lines.append((a, b))
            continue
        sharp += 1
        # Sub-pixel: the vertex of the parabola through the peak and its neighbours.
        rows = np.arange(len(peak))
        left, right = drop[rows, np.maximum(peak - 1, 0)], drop[rows, np.minimum(peak + 1, drop.shape[1] - 1)]
        centre_value = drop[rows, peak]
        curvature = left - 2 * centre_value + right
        shift = np.where(curvature < 0, 0.5 * (left - right) / np.where(curvature < 0, curvature, -1), 0.0)
        position = (offsets[peak] + offsets[peak + 1]) / 2 + 0.5 * np.clip(shift, -1, 1)
        edge = points + position[:, None] * normal
        vx, vy, x0, y0 = cv2.fitLine(edge[valid].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([x0 + vx, y0 + vy])))
    refined = []
    for i in range(4):
        corner = _line_intersection(*lines[i - 1], *lines[i])
        if corner is None or np.hypot(*(corner - corners[i])) > MAX_CORNER_SHIFT * np.hypot(*(corners[i] - centre)) + 3:
            return order_corners(corners), sharp  # a side went astray: keep the outline's corners
        refined.append(corner)
    return order_corners(np.array(refined)), sharp


def _is_face(contour, corners, gray, image_area):
    """Whether a blob and its 4 corners look like a face: size, shape, contrast."""
    quad_area = cv2.contourArea(corners)
    if not MIN_FACE_AREA * image_area <= quad_area <= MAX_FACE_AREA * image_area:
        return False
    # The blob must be its quadrilateral (the part inside the image): a disc, a
    # blob with a bite out of it, two faces touching have a poor overlap with it.
    h, w = gray.shape
    frame = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    visible, _ = cv2.intersectConvexConvex(np.asarray(corners, np.float32), frame)
    hull = cv2.convexHull(contour).reshape(-1, 2).astype(np.float32)
    common, _ = cv2.intersectConvexConvex(hull, np.asarray(corners, np.float32))
    union = cv2.contourArea(hull) + visible - common
    if common < MIN_OVERLAP * union or cv2.contourArea(contour) < MIN_FILL * visible:
        return False
    sides = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)
    if sides.max() > MAX_ASPECT * sides.min():
        return False
    # A face has sharp corners: the blob reaches each corner, unless the image's edge
    # cut it off (a disc's quadrilateral has its corners well outside the disc).
    margin = MAX_CORNER_GAP * sides.mean() + 2
    for x, y in corners:
        if margin <= x <= w - 1 - margin and margin <= y <= h - 1 - margin:
            if -cv2.pointPolygonTest(hull, (float(x), float(y)), True) > MAX_CORNER_GAP * sides.mean() + 1:
                return False
    # The paper must stand out from the table: compare the face's inside with a ring
    # around it (a smooth bright patch of table passes the threshold but not this).
    x, y, w, h = cv2.boundingRect(contour)
    pad = max(w, h) // 4
    y0, y1 = max(0, y - pad), min(gray.shape[0], y + h + pad)
    x0, x1 = max(0, x - pad), min(gray.shape[1], x + w + pad)
    local = gray[y0:y1, x0:x1]
    inside = np.zeros(local.shape, np.uint8)
    cv2.drawContours(inside, [contour - [x0, y0]], -1, 255, cv2.FILLED, offset=(0, 0))
    paper = _percentile_u8(local[inside > 0], 75)
    table = _percentile_u8(local[inside == 0], 25) if np.any(inside == 0) else 0
    return paper - table >= MIN_CONTRAST


def split_folds(smooth, corners, max_folds=2):
    """Cut off a neighbouring face that the outline took in with the digit face.

    A cube's top face seen from the side, or one of its sides seen from above, can
    be as bright as the digit face, and then one outline holds both. Where two faces
    meet, the light jumps along a straight line: the cube's edge, parallel to the
    far edge of the neighbouring face (which the outline follows). Light that is
    uneven across one face (a hotspot, vignetting) changes slowly instead. So the
    candidate is warped into a square, the ink and printed frame are filled in with
    the paper around them (a morphological closing, as in :func:`face_to_sprite`), and
    the median light of every line parallel to each side is read (a profile). A fold
    is a jump in a profile larger than ``FOLD_STEP`` (log light) that happens over
    a few lines (``FOLD_SHARPNESS``), within ``FOLD_DEPTH`` of a side; the strip
    between that side and the fold is cut off. Repeated for a second neighbour.

    Parameters
    ----------
    smooth : ndarray (H, W) float32, the slightly blurred grey image
    corners : ndarray (4, 2) float32, ordered by :func:`order_corners`
    max_folds : int, default 2
        The most neighbouring faces to cut off (a cube shows at most two beside the digit).

    Returns
    -------
    corners : ndarray (4, 2) float32, same order
    """
    size = FOLD_SIZE
    square = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
    window = max(3, int(round(PAPER_WINDOW * size)) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (window, window))
    near, far = 3, 8  # rows on each side of a candidate fold: the jump, and the slow change
    first, last = max(far, int(FOLD_DEPTH[0] * size)), int(FOLD_DEPTH[1] * size)
    rows = np.arange(first, last)
    for _ in range(max_folds):
        corners = np.asarray(corners, np.float32)
        homography = cv2.getPerspectiveTransform(corners, square)
        face = cv2.warpPerspective(
            smooth, homography, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        paper = np.log(cv2.morphologyEx(face, cv2.MORPH_CLOSE, disc, borderType=cv2.BORDER_REPLICATE) + 1.0)
        best = None
        for turn in range(4):  # side `turn` of the face brought to the top
            profile = np.median(np.rot90(paper, turn), axis=1)
            # Mean of rows a to b - 1: (total[b] - total[a]) / (b - a).
            total = np.concatenate([[0.0], np.cumsum(profile)])
            jump = np.abs((total[rows + near] - 2 * total[rows] + total[rows - near]) / near)
            slow = np.abs((total[rows + far] - 2 * total[rows] + total[rows - far]) / far)
            fold = (jump >= FOLD_STEP) & (jump >= FOLD_SHARPNESS * slow)
            if fold.any():
                i = int(np.argmax(np.where(fold, jump, 0)))
                if best is None or jump[i] > best[0]:
                    best = (jump[i], turn, rows[i])
        if best is None:
            return corners
        _, turn, row = best
        # The kept part, in the turned square's coordinates, back to the face's square.
        kept = np.array([[0, row], [size, row], [size, size], [0, size]], np.float64)
        for _ in range(turn):  # undo np.rot90 (counter-clockwise): (x, y) -> (size - y, x)
            kept = np.column_stack([size - kept[:, 1], kept[:, 0]])
        back = cv2.perspectiveTransform(kept[None].astype(np.float32), np.linalg.inv(homography))[0]
        corners = order_corners(back)
    return corners


def _face_blobs(smooth, blob, kernel):
    """Split one blob of the global mask into the outlines of the bright surfaces in it.

    A cube's shaded sides, its top face seen from the side, or two cubes side by
    side can pass the global threshold together with the face. They meet the face
    along an edge where the light changes abruptly, whereas light that is uneven
    across one face changes slowly. So each pixel is compared with the brightest
    paper *near it* (a local maximum over a quarter of the blob's size, then
    smoothed): it belongs to a surface when it is brighter than ``PAPER_FRACTION``
    of that local level. A slow hotspot or vignetting leaves a face whole; a
    darker side next to it is cut off along their common edge.

    Returns a list of contours ((n, 1, 2) int32, in the image's coordinates).
    """
    x, y, w, h = cv2.boundingRect(blob)
    pad = max(w, h) // 8
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(smooth.shape[1], x + w + pad), min(smooth.shape[0], y + h + pad)
    local = smooth[y0:y1, x0:x1].astype(np.float32)
    inside = np.zeros(local.shape, np.uint8)
    cv2.drawContours(inside, [blob], -1, 255, cv2.FILLED, offset=(-x0, -y0))
    reach = max(3, min(w, h) // 4) | 1
    level = cv2.dilate(np.where(inside > 0, local, 0), np.ones((reach, reach), np.uint8))
    level = cv2.blur(level, (reach, reach))
    bright = np.where((local > PAPER_FRACTION * level) & (inside > 0), 255, 0).astype(np.uint8)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, kernel)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel, iterations=2)
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE, offset=(x0, y0))
    return contours


def find_faces(image):
    """Find the white faces of the cubes: 4 corners each.

    A threshold robust to the light (:func:`binarize`) finds the bright blobs; in
    each, the paper is told from the cube's darker sides by a second threshold
    relative to the blob's own brightness (:func:`_face_blobs`). Each outline gets
    4 corners (:func:`quadrilateral`, which also rebuilds a corner cut off by the
    image's edge); the outlines that have a face's size, nearly fill their
    quadrilateral, are not too elongated and stand out from the table are kept.
    Holes (the digit) do not matter: only outer contours are used.

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8 BGR, or (H, W) uint8 grey

    Returns
    -------
    faces : list of ndarray (4, 2) float32
        Each face's corners (x, y) in pixels, clockwise on screen starting from the
        corner nearest the top-left (:func:`order_corners`); corners may lie slightly
        outside the image when the face touches its edge. Sorted left to right.
    """
    gray = to_gray(image)
    smooth = _smooth(gray)
    mask, _ = _binarize_smooth(smooth)
    kernel = _kernel(gray.shape)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    image_area = gray.shape[0] * gray.shape[1]
    smooth_float = None  # made once, for the first face's corners
    faces = []
    for blob in contours:
        if cv2.contourArea(blob) < MIN_FACE_AREA * image_area:
            continue  # too small to hold a face: skip the costlier steps
        found = []
        for contour in _face_blobs(smooth, blob, kernel):
            if cv2.contourArea(contour) >= MIN_FILL * MIN_FACE_AREA * image_area:
                corners = quadrilateral(contour, gray.shape)
                if _is_face(contour, corners, gray, image_area):
                    found.append(corners)
        if not found:
            # Nothing in it stands out from the rest: the blob may be one face whose
            # printed frame or uneven light confused the split.
            corners = quadrilateral(blob, gray.shape)
            if _is_face(blob, corners, gray, image_area):
                found.append(corners)
        if found and smooth_float is None:
            smooth_float = smooth.astype(np.float32)
        for corners in found:
            corners, sharp = _refine(smooth_float, corners)
            if sharp >= MIN_SHARP_SIDES:
                faces.append(split_folds(smooth_float, corners))
    return sorted(faces, key=lambda c: (float(c[:, 0].mean()), float(c[:, 1].mean())))


def warp_face(gray, corners, size=FACE_SIZE):
    """The face seen from the front: a perspective warp of its 4 corners to a square.

    Parameters
    ----------
    gray : ndarray (H, W) uint8 (a BGR image (H, W, 3) is converted)
    corners : array-like (4, 2) float, ordered by :func:`order_corners`
        Corner i goes to the square's top-left, top-right, bottom-right, bottom-left.
    size : int, default FACE_SIZE
        Side of the square, pixels.

    Returns
    -------
    face : ndarray (size, size) uint8
        Parts of the face outside the image are filled by repeating the image's edge.
    """
    gray = to_gray(gray)
    source = np.asarray(corners, dtype=np.float32).reshape(4, 2)
    target = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(gray, homography, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def face_to_sprite(face):
    """Cut a square face into a 28x28 digit the way MNIST was made.

    Steps: remove a thin border (the face's edge, ``BORDER_FRACTION`` of the side);
    measure each pixel's darkness relative to the paper around it, so that light
    that is uneven across the face (a hotspot, vignetting) is not taken for ink;
    keep the strokes that reach the face's centre region (marks confined to the
    outer ``FRAME_FRACTION``, like a printed frame, are dropped); scale the digit's
    bounding box so that its longer side is 20 pixels (aspect ratio kept); paste it
    in a 28x28 field with its centre of mass at the field's centre.

    Parameters
    ----------
    face : ndarray (S, S) uint8
        A face seen from the front (:func:`warp_face`): dark digit on white paper.

    Returns
    -------
    sprite : ndarray (28, 28) float32 in [0, 1]
        White digit on black, inside a 20x20 box (its longer side exactly 20), centre
        of mass within half a pixel of (14, 14) in array indices (row, column), where
        MNIST's digits have theirs. All zeros when the face holds no digit.
    """
    # HINT: crop a thin border, measure the ink as darkness relative to the paper
    # around each pixel (not a fixed grey level), drop marks near the edges (the
    # printed frame), scale the digit's bounding box to 20 pixels on its longer side,
    # then shift it so that its centre of mass (the ink-weighted mean row and column)
    # lands on (MNIST_CENTRE, MNIST_CENTRE).
    # BEGIN SOLUTION
    face = np.asarray(face, dtype=np.float32)
    side = face.shape[0]
    cut = int(round(BORDER_FRACTION * side))
    inner = face[cut : side - cut, cut : side - cut]
    h, w = inner.shape

    # The paper's light level under every pixel: a closing (max, then min filter)
    # wider than the strokes fills them in with the paper around them.
    window = max(3, int(round(PAPER_WINDOW * side)) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (window, window))
    paper = cv2.morphologyEx(inner, cv2.MORPH_CLOSE, disc, borderType=cv2.BORDER_REPLICATE)
    paper = cv2.blur(paper, (window, window))
    # Ink: 0 on the paper, 1 on the marker's darkest strokes, whatever the light.
    darkness = np.clip(1.0 - inner / np.maximum(paper, 1.0), 0.0, 1.0)
    darkest = np.percentile(darkness, 99.5)
    if darkest < 0.15:  # nothing on the paper darker than its own texture
        return np.zeros((28, 28), np.float32)
    ink = np.clip(darkness / darkest, 0.0, 1.0)

    # Strokes are the clearly dark pixels. The digit is what reaches the central
    # region; marks confined to the band along the edges are the printed frame.
    strokes = (ink > 0.35).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    band_x, band_y = int(round(FRAME_FRACTION * w)), int(round(FRAME_FRACTION * h))
    in_centre = np.bincount(labels[band_y : h - band_y, band_x : w - band_x].ravel(), minlength=count)
    keep = (in_centre > 0) & (stats[:, cv2.CC_STAT_AREA] >= 0.002 * h * w)
    keep[0] = False  # the paper
    if not keep.any():
        return np.zeros((28, 28), np.float32)
    # The digit's pixels, with the anti-aliased rim of its strokes (MNIST is grey-level).
    digit_mask = cv2.dilate(keep[labels].astype(np.uint8), np.ones((3, 3), np.uint8))
    digit = np.where(digit_mask > 0, ink, 0.0)
    digit = np.clip((digit - 0.1) / 0.9, 0.0, 1.0)  # flatten the paper's faint texture

    # Bounding box -> longer side 20 pixels, aspect ratio kept.
    ys, xs = np.nonzero(digit)
    digit = digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    scale = 20.0 / max(digit.shape)
    new_w = max(1, min(20, int(round(digit.shape[1] * scale))))
    new_h = max(1, min(20, int(round(digit.shape[0] * scale))))
    small = cv2.resize(digit, (new_w, new_h), interpolation=cv2.INTER_AREA)

    # Paste in 28x28, then move the centre of mass to MNIST's by whole pixels.
    sprite = np.zeros((28, 28), np.float32)
    top, left = (28 - new_h) // 2, (28 - new_w) // 2
    sprite[top : top + new_h, left : left + new_w] = small
    total = sprite.sum()
    rows, cols = np.indices(sprite.shape)
    dy = int(round(MNIST_CENTRE - (rows * sprite).sum() / total))
    dx = int(round(MNIST_CENTRE - (cols * sprite).sum() / total))
    # Never so far that part of the digit would leave the field.
    dy, dx = int(np.clip(dy, -top, 28 - top - new_h)), int(np.clip(dx, -left, 28 - left - new_w))
    sprite = np.roll(sprite, (dy, dx), axis=(0, 1))
    return np.clip(sprite, 0.0, 1.0).astype(np.float32)
    # END SOLUTION
