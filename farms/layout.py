"""The building layout a farm application draws (GeoJSON), checked against a schema and for size.

The application form draws pens and other buildings with Leaflet.draw and sends them as a
FeatureCollection; the service checks it here whatever sent it (``layout_problem``), so that no
caller can store a layout that the maps, the pen lists of the herd (livestock.services.common)
or the browser cannot handle. The schema (JSON Schema 2020-12, checked with jsonschema) fixes the
shape: at most MAX_SHAPES features, each a Polygon, LineString or Point with at most MAX_POINTS
positions in range, a ``kind`` from LAYOUT_KINDS and an optional ``name`` of at most
MAX_NAME characters and no control characters; nothing else. Then the sizes, which a schema cannot
say: rings closed, each shape at most MAX_SHAPE_M across, all of them within MAX_EXTENT_M.

A problem is told in the user's words, naming the shape (its number in the list under the map, and
its name).
"""

import math
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

LAYOUT_KINDS = ("pen", "isolation", "disinfection_pool", "manure", "other")
MAX_SHAPES = 200
MAX_POINTS = 500  # corners of one ring or line
MAX_RINGS = 10  # a polygon's outline and its holes
MAX_NAME = 60  # the name field of the form has the same limit
MAX_SHAPE_M = 2_000
MAX_EXTENT_M = 5_000
METRES_PER_DEGREE = 111_320
# Control characters and lone surrogates (PostgreSQL cannot keep them): none in a name.
BAD_NAME_CHARACTER = "[\\x00-\\x1f\\x7f\\ud800-\\udfff]"

NOT_A_LAYOUT = _("The drawn layout could not be read. Clear it and draw it again.")
TOO_MANY_SHAPES = _("The layout has {count} shapes; at most {limit} can be drawn.")
SHAPE_NAME = _(
    "The name of shape {shape} is too long or holds invisible characters (at most {limit} characters)."
)
SHAPE_KIND = _("Shape {shape} has no kind from the list: choose one in the table under the map.")
SHAPE_GEOMETRY = _(
    "Shape {shape} is not a polygon, line or point the map can draw (at most {limit} corners). "
    "Delete it and draw it again."
)
SHAPE_TOO_BIG = _("Shape {shape} is {size} m across; a building or pen may be at most {limit} m.")
LAYOUT_TOO_WIDE = _(
    "The shapes spread over {size} m; a farm's layout may span at most {limit} m. Draw only this "
    "farm's buildings."
)

_POSITION = {
    "type": "array",
    "minItems": 2,
    "maxItems": 3,
    "prefixItems": [
        {"type": "number", "minimum": -180, "maximum": 180},
        {"type": "number", "minimum": -90, "maximum": 90},
    ],
    "items": {"type": "number"},
}
_LINE = {"type": "array", "minItems": 2, "maxItems": MAX_POINTS, "items": _POSITION}
_RING = {"type": "array", "minItems": 4, "maxItems": MAX_POINTS, "items": _POSITION}
_GEOMETRIES = {
    "Point": _POSITION,
    "LineString": _LINE,
    "Polygon": {"type": "array", "minItems": 1, "maxItems": MAX_RINGS, "items": _RING},
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "features"],
    "additionalProperties": False,
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "maxItems": MAX_SHAPES,
            "items": {
                "type": "object",
                "required": ["type", "properties", "geometry"],
                "additionalProperties": False,
                "properties": {
                    "type": {"const": "Feature"},
                    "properties": {
                        "type": "object",
                        "required": ["kind"],
                        "additionalProperties": False,
                        "properties": {
                            "kind": {"enum": list(LAYOUT_KINDS)},
                            "name": {
                                "type": "string",
                                "maxLength": MAX_NAME,
                                "not": {"pattern": BAD_NAME_CHARACTER},
                            },
                        },
                    },
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "additionalProperties": False,
                        # The coordinates' shape depends on the type: see allOf.
                        "properties": {"type": {"enum": list(_GEOMETRIES)}, "coordinates": True},
                        "allOf": [
                            {
                                "if": {"properties": {"type": {"const": kind}}},
                                "then": {"properties": {"coordinates": schema}},
                            }
                            for kind, schema in _GEOMETRIES.items()
                        ],
                    },
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def _shape(features, index: int) -> str:
    """How the user knows a shape: its number in the list under the map, and its name."""
    name = ""
    feature = features[index] if index < len(features) else None
    if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        name = feature["properties"].get("name")
    number = str(index + 1)
    if (
        isinstance(name, str)
        and name.strip()
        and len(name) <= MAX_NAME
        and not re.search(BAD_NAME_CHARACTER, name)
    ):
        return f"{number} “{name.strip()}”"
    return number


def _schema_problem(layout):
    error = min(_VALIDATOR.iter_errors(layout), key=lambda e: list(map(str, e.absolute_path)), default=None)
    if error is None:
        return None
    path = list(error.absolute_path)
    if len(path) < 2 or path[0] != "features" or not isinstance(path[1], int):
        if path == ["features"] and error.validator == "maxItems":
            return format_lazy(TOO_MANY_SHAPES, count=len(layout["features"]), limit=MAX_SHAPES)
        return NOT_A_LAYOUT
    shape = _shape(layout["features"], path[1])
    if path[2:4] == ["properties", "name"]:
        return format_lazy(SHAPE_NAME, shape=shape, limit=MAX_NAME)
    if path[2:4] == ["properties", "kind"] or (path[2:] == ["properties"] and error.validator == "required"):
        return format_lazy(SHAPE_KIND, shape=shape)
    # Anything else (extra keys, a broken geometry) is nothing the form's map would have drawn.
    return format_lazy(SHAPE_GEOMETRY, shape=shape, limit=MAX_POINTS)


def _positions(geometry: dict) -> list:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [coordinates]
    if geometry["type"] == "LineString":
        return coordinates
    return [position for ring in coordinates for position in ring]


def _span_m(positions) -> int:
    """The diagonal of the positions' bounding box, in metres (near enough at a farm's scale)."""
    lngs = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    across = math.cos(math.radians((min(lats) + max(lats)) / 2))
    dx = (max(lngs) - min(lngs)) * METRES_PER_DEGREE * across
    dy = (max(lats) - min(lats)) * METRES_PER_DEGREE
    return round(math.hypot(dx, dy))


def layout_problem(layout):
    """What is wrong with a drawn layout, in the user's language; None when it may be kept.

    An empty value (no layout drawn) is fine; anything else must be a FeatureCollection.
    """
    if not layout:
        return None
    problem = _schema_problem(layout)
    if problem is not None:
        return problem
    features = layout["features"]
    everything = []
    for index, feature in enumerate(features):
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon" and any(ring[0] != ring[-1] for ring in geometry["coordinates"]):
            return format_lazy(SHAPE_GEOMETRY, shape=_shape(features, index), limit=MAX_POINTS)
        positions = _positions(geometry)
        if (size := _span_m(positions)) > MAX_SHAPE_M:
            return format_lazy(SHAPE_TOO_BIG, shape=_shape(features, index), size=size, limit=MAX_SHAPE_M)
        everything += positions
    if everything and (size := _span_m(everything)) > MAX_EXTENT_M:
        return format_lazy(LAYOUT_TOO_WIDE, size=size, limit=MAX_EXTENT_M)
    return None
