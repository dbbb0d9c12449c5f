"""Between ROS messages and the vision pipeline: camera images in, service responses out.

The node ``nodes/vision_server`` is only ROS plumbing around these functions, which
are plain Python and can be tested without a ROS master:

- :func:`image_to_array`: a ``sensor_msgs/Image`` -> the numpy image that
  :func:`robot_lab.pipeline.recognise` takes, refusing what it cannot read;
- :func:`fill_response`: the cubes found -> the service's response (written in the lab);
- :func:`array_to_image`: a numpy image -> ``sensor_msgs/Image`` (simulated camera, tests);
- :func:`copy_response`: the response with confidences -> the workshop's ``VisionPredict`` one;
- :func:`cubes_from_response`: a response -> the cubes again (clients, tests).
"""

import numpy as np

# Only these two ROS classes: where ROS is not installed, the autograder stands in for
# them (its hidden tests) to grade fill_response.
from sensor_msgs.msg import Image
from std_msgs.msg import UInt32

from .pipeline import Cube

#: Image encodings the service reads (8 bits per channel), and their number of channels.
ENCODINGS = {"bgr8": 3, "rgb8": 3, "mono8": 1, "bgra8": 4, "rgba8": 4}

#: The largest width or height accepted, in pixels. Robot cameras give 640x480 or
#: 752x480; a much larger image is a mistake, and would take seconds to search.
MAX_SIDE = 4096


def is_empty(image):
    """Whether an image message was left empty: no encoding, 0x0 pixels, no data.

    The service reads such a request as "use the camera's latest image". An image
    that says it is ``bgr8`` but has 0x0 pixels is not empty: it is refused.
    """
    return not image.encoding and image.width == 0 and image.height == 0 and len(image.data) == 0


def image_to_array(image):
    """Read a ``sensor_msgs/Image`` into the numpy image the vision pipeline takes.

    Parameters
    ----------
    image : sensor_msgs.msg.Image
        ``encoding`` one of :data:`ENCODINGS`; ``height`` and ``width`` from 1 to
        :data:`MAX_SIDE`; ``step`` (bytes per row) at least ``width`` x channels
        (rows may be padded); ``data``: ``step`` x ``height`` bytes.

    Returns
    -------
    ndarray (height, width, 3) uint8 in BGR order (bgr8, rgb8, bgra8, rgba8; alpha
    dropped), or (height, width) uint8 (mono8). A copy: it does not share the message's memory.

    Raises
    ------
    ValueError
        saying what is wrong with the message and what was expected.
    """
    encoding = image.encoding
    if encoding not in ENCODINGS:
        raise ValueError(
            f"unsupported image encoding {encoding!r}: expected one of {', '.join(ENCODINGS)} "
            f"(8-bit colour or grey images, as camera drivers and "
            f"cv_bridge.CvBridge().cv2_to_imgmsg(image, 'bgr8') give)"
        )
    height, width = image.height, image.width
    if height == 0 or width == 0:
        raise ValueError(
            f"the image has no pixels ({width}x{height}): expected a camera "
            f"image, e.g. 640x480; send an empty image (no encoding) to use the camera's"
        )
    if height > MAX_SIDE or width > MAX_SIDE:
        raise ValueError(
            f"the image is {width}x{height} pixels: expected at most "
            f"{MAX_SIDE}x{MAX_SIDE} (robot cameras give 640x480 or 752x480); resize it first"
        )
    channels = ENCODINGS[encoding]
    row_bytes = width * channels
    if image.step < row_bytes:
        raise ValueError(
            f"step is {image.step} bytes, shorter than one row of {width} {encoding} "
            f"pixels: expected step >= width x {channels} = {row_bytes}"
        )
    if len(image.data) != image.step * height:
        raise ValueError(
            f"the image data has {len(image.data)} bytes: expected step x height = "
            f"{image.step} x {height} = {image.step * height} (data truncated, or "
            f"step/height not those of the data)"
        )
    # rospy gives uint8[] fields as bytes; a message built in Python may hold a list.
    data = image.data
    flat = (
        np.frombuffer(data, dtype=np.uint8)
        if isinstance(data, (bytes, bytearray))
        else np.asarray(data, dtype=np.uint8)
    )
    pixels = flat.reshape(height, image.step)[:, :row_bytes].reshape(height, width, channels)
    if encoding == "mono8":
        return pixels[:, :, 0].copy()
    if encoding.startswith("rgb"):
        return np.ascontiguousarray(pixels[:, :, 2::-1])
    return np.ascontiguousarray(pixels[:, :, :3])


def array_to_image(array, encoding=None):
    """Wrap a numpy image in a ``sensor_msgs/Image`` (what ``cv_bridge`` does).

    Parameters
    ----------
    array : ndarray (H, W, 3) uint8 BGR, or (H, W) uint8 grey
    encoding : str, optional
        Default ``"bgr8"`` for (H, W, 3), ``"mono8"`` for (H, W). The bytes are
        written as they are: pass ``"rgb8"`` only for an RGB array.

    Returns
    -------
    sensor_msgs.msg.Image, rows not padded (``step`` = width x channels); header left empty.
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim not in (2, 3):
        raise ValueError(f"expected an image of shape (H, W) or (H, W, channels), got {array.shape}")
    channels = 1 if array.ndim == 2 else array.shape[2]
    encoding = encoding or {1: "mono8", 3: "bgr8"}.get(channels)
    if ENCODINGS.get(encoding) != channels:
        raise ValueError(
            f"an array of shape {array.shape} cannot be {encoding!r}: "
            f"expected {', '.join(f'{e} ({c} channels)' for e, c in ENCODINGS.items())}"
        )
    return Image(
        height=array.shape[0],
        width=array.shape[1],
        encoding=encoding,
        is_bigendian=0,
        step=array.shape[1] * channels,
        data=array.tobytes(),
    )


def pixel(value):
    """A pixel coordinate as a ``std_msgs/UInt32``: rounded to the nearest pixel, at least 0.

    A corner of a cube that touches the image's edge can lie slightly outside the
    image (a negative coordinate); UInt32 cannot hold it, so it becomes 0.
    """
    return UInt32(data=max(0, int(round(float(value)))))


def fill_response(cubes, response):
    """Write the cubes found into the service's response.

    Every list of the response gets one entry per cube, in the order of ``cubes``.

    Parameters
    ----------
    cubes : list of robot_lab.pipeline.Cube
        ``label`` (1 or 2), ``confidence`` (float in [0, 1]), ``center`` (x, y)
        pixels, ``corners`` ndarray (4, 2) float32 (x, y) pixels.
    response : robot_lab.srv.RecogniseCubesResponse, empty
        Fields ``label``, ``x_center``, ``y_center``, ``x1``, ``y1`` ... ``x4``,
        ``y4``: lists of ``std_msgs/UInt32`` (use :func:`pixel` for coordinates,
        ``UInt32(data=label)`` for labels); ``confidence``: list of float.
        ``x1, y1`` is the cube's first corner, ``corners[0]``, and so on.

    Returns
    -------
    response, filled in place.
    """
    # HINT: one entry per cube in every list, in the same order; corners[0] gives x1, y1.
    # BEGIN SOLUTION
    for cube in cubes:
        response.label.append(UInt32(data=int(cube.label)))
        response.x_center.append(pixel(cube.center[0]))
        response.y_center.append(pixel(cube.center[1]))
        for number, (x, y) in enumerate(cube.corners, start=1):
            getattr(response, f"x{number}").append(pixel(x))
            getattr(response, f"y{number}").append(pixel(y))
        response.confidence.append(float(cube.confidence))
    # END SOLUTION
    return response


def copy_response(response, response_class):
    """The fields of ``response`` that ``response_class`` has, in a new ``response_class``.

    The node fills one ``RecogniseCubesResponse`` and answers the workshop's
    ``VisionPredict`` with ``copy_response(response, VisionPredictResponse)``: the
    same lists without the confidences.
    """
    return response_class(**{field: getattr(response, field) for field in message_fields(response_class)})


def message_fields(message_class):
    """A message class's field names, in order: ROS 1 (genpy) lists them in ``__slots__``,
    ROS 2 (rosidl) in ``get_fields_and_field_types()`` (its ``__slots__`` are ``_label``...)."""
    fields = getattr(message_class, "get_fields_and_field_types", None)
    return list(fields()) if fields else list(message_class.__slots__)


def cubes_from_response(response):
    """The cubes a service response describes (what a client reads), as Cube objects.

    Parameters
    ----------
    response : RecogniseCubesResponse or VisionPredictResponse

    Returns
    -------
    list of robot_lab.pipeline.Cube: ``corners`` (4, 2) float32 and ``center`` in whole
    pixels; ``confidence`` NaN for a VisionPredictResponse, which has none.
    """
    confidences = getattr(response, "confidence", [float("nan")] * len(response.label))
    return [
        Cube(
            label=response.label[i].data,
            confidence=float(confidences[i]),
            center=(float(response.x_center[i].data), float(response.y_center[i].data)),
            corners=np.array(
                [[getattr(response, f"{axis}{k}")[i].data for axis in "xy"] for k in range(1, 5)], np.float32
            ),
        )
        for i in range(len(response.label))
    ]
