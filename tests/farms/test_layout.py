"""The drawn farm layout: checked against its schema and for size in the service, whoever calls it,
and read by the form with the shared strict JSON parser (no NaN, no endless nesting)."""

import copy
import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy

from accounts.errors import DomainError
from farms import layout as L
from farms.demo import sites
from farms.models import Farm

from .factories import BOLUO, PEN, draft_farm
from .test_enterprise_farms import form_post

pytestmark = pytest.mark.django_db


def english(message, **kw) -> str:
    with translation.override("en"):
        return str(format_lazy(message, **kw) if kw else message)


def box(lng, lat, size=0.0003):
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def layout(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feature(kind="pen", name="1号猪舍", geometry=None):
    return {
        "type": "Feature",
        "properties": {"kind": kind, "name": name},
        "geometry": geometry or box(114.2895, 23.1727),
    }


def test_what_the_form_and_the_demo_draw_is_accepted():
    from decimal import Decimal

    assert L.layout_problem({}) is None
    assert L.layout_problem(PEN) is None
    demo = sites.layout(Decimal("23.17"), Decimal("114.28"), "1", 5000, __import__("random").Random(1))
    assert L.layout_problem(demo) is None
    unnamed = feature(name="")
    del unnamed["properties"]["name"]
    assert (
        L.layout_problem(
            layout(unnamed, feature(kind="other", geometry={"type": "Point", "coordinates": [114.29, 23.17]}))
        )
        is None
    )


def many(n):
    return layout(*[feature(name=f"{i}号") for i in range(n)])


def broken(change):
    bad = layout(feature(name="1号猪舍"), feature(name="2号猪舍"))
    change(bad["features"][1])
    return bad


CASES = [
    ("not a collection", [1, 2], L.NOT_A_LAYOUT, {}),
    ("another type", {"type": "Feature", "features": []}, L.NOT_A_LAYOUT, {}),
    ("extra keys", {**layout(), "bbox": [0, 0, 1, 1]}, L.NOT_A_LAYOUT, {}),
    (
        "too many shapes",
        many(L.MAX_SHAPES + 1),
        L.TOO_MANY_SHAPES,
        {"count": L.MAX_SHAPES + 1, "limit": L.MAX_SHAPES},
    ),
    (
        "long name",
        broken(lambda f: f["properties"].update(name="猪" * 61)),
        L.SHAPE_NAME,
        {"shape": "2", "limit": 60},
    ),
    (
        "control character",
        broken(lambda f: f["properties"].update(name="a\nb")),
        L.SHAPE_NAME,
        {"shape": "2", "limit": 60},
    ),
    (
        "name not text",
        broken(lambda f: f["properties"].update(name=["x"])),
        L.SHAPE_NAME,
        {"shape": "2", "limit": 60},
    ),
    (
        "unknown kind",
        broken(lambda f: f["properties"].update(kind="castle")),
        L.SHAPE_KIND,
        {"shape": "2 “2号猪舍”"},
    ),
    ("no kind", broken(lambda f: f["properties"].pop("kind")), L.SHAPE_KIND, {"shape": "2 “2号猪舍”"}),
    (
        "a circle",
        broken(lambda f: f["geometry"].update(type="Circle")),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "latitude 91",
        broken(lambda f: f["geometry"]["coordinates"][0][1].__setitem__(1, 91)),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "a text coordinate",
        broken(lambda f: f["geometry"]["coordinates"][0][1].__setitem__(0, "x")),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "too many corners",
        broken(lambda f: f.update(geometry={"type": "LineString", "coordinates": [[114.29, 23.17]] * 501})),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "open ring",
        broken(lambda f: f["geometry"]["coordinates"][0].pop()),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "script in the geometry",
        broken(lambda f: f["geometry"].update(onload="alert(1)")),
        L.SHAPE_GEOMETRY,
        {"shape": "2 “2号猪舍”", "limit": 500},
    ),
    (
        "a province-sized pen",
        broken(lambda f: f.update(geometry=box(114.0, 23.0, 0.5))),
        L.SHAPE_TOO_BIG,
        {"shape": "2 “2号猪舍”", "size": 76147, "limit": 2000},
    ),
    (
        "shapes far apart",
        broken(lambda f: f.update(geometry=box(114.4, 23.1727))),
        L.LAYOUT_TOO_WIDE,
        {"size": 11258, "limit": 5000},
    ),
]


@pytest.mark.parametrize(("name", "value", "message", "kw"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_layout_is_refused_by_the_service_with_what_is_wrong(world, name, value, message, kw):
    problem = L.layout_problem(copy.deepcopy(value))
    assert problem is not None, name
    expected = english(message, **kw)
    got = english(problem)
    if "size" in kw:  # metres from a flat approximation: the numbers are not the point
        assert got.split(" ")[0] == expected.split(" ")[0] and "m" in got
    else:
        assert got == expected
    with pytest.raises(DomainError) as refused:
        draft_farm(world, layout=copy.deepcopy(value))
    assert refused.value.field == "layout"
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kind": "pen"}, '
        '"geometry": {"type": "Point", "coordinates": [NaN, 23.1]}}]}',
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kind": "pen"}, '
        '"geometry": {"type": "Point", "coordinates": [Infinity, 1e999]}}]}',
        '{"type": "FeatureCollection", "features": ' + "[" * 40 + "]" * 40 + "}",
        "[" * 200_000,
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kind": "pen", '
        '"name": "\\u0000"}, "geometry": {"type": "Point", "coordinates": [114.2, 23.1]}}]}',
    ],
    ids=["NaN", "Infinity", "deep", "endless", "NUL"],
)
def test_the_form_refuses_json_it_cannot_keep(world, client_for, text):
    client = client_for(world.ent_a_staff)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("portal_enterprise:farm_create"), form_post(world) | {"layout": text})
    assert response.status_code == 200
    (error,) = response.context["form"].errors["layout"]
    assert error.startswith(english(L.NOT_A_LAYOUT))
    assert not Farm.objects.filter(enterprise=world.ent_a).exists()


def test_the_form_saves_a_good_layout(world, client_for):
    client = client_for(world.ent_a_staff)
    good = layout(feature(name='"><img src=x onerror=alert(1)>'))
    response = client.post(
        reverse("portal_enterprise:farm_create"), form_post(world) | {"layout": json.dumps(good)}
    )
    assert response.status_code == 302
    farm = Farm.objects.get(enterprise=world.ent_a)
    assert farm.layout == good and BOLUO["county_code"] == farm.county_code
