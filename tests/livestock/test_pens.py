"""Pens in their natural order everywhere they are listed: 1号, 2号 … 10号, never 10号 before 1号."""

import copy

import pytest
from django.urls import reverse

from livestock.pens import pen_sort_key
from livestock.selectors import farm_coverage, pens_of_farm
from tests.farms.factories import PEN, registered_farm
from tests.livestock.factories import herd

NATURAL = ["1号猪舍", "2号猪舍", "10号猪舍"]


def test_pen_sort_key_reads_numbers_as_numbers():
    names = ["10号猪舍", "2号猪舍", "1号猪舍", "隔离舍", "B2", "b10", "１１号猪舍"]
    assert sorted(names, key=pen_sort_key) == [
        "1号猪舍",
        "2号猪舍",
        "10号猪舍",
        "１１号猪舍",
        "B2",
        "b10",
        "隔离舍",
    ]


@pytest.fixture
def farm(world):
    """A farm whose pens were drawn in the order 10号, 1号, 2号, each with an animal."""
    layout = copy.deepcopy(PEN)
    feature = layout["features"][0]
    layout["features"] = []
    for name in ["10号猪舍", "1号猪舍", "2号猪舍"]:
        pen = copy.deepcopy(feature)
        pen["properties"]["name"] = name
        layout["features"].append(pen)
    farm = registered_farm(world, layout=layout)
    for serial, name in ((1, "10号猪舍"), (2, "1号猪舍"), (3, "2号猪舍")):
        herd(world.ent_a_staff, farm, [serial], pen=name)
    return farm


def test_the_selectors_list_pens_in_natural_order(farm):
    assert [p["name"] for p in pens_of_farm(farm=farm)] == NATURAL
    assert [p.pen for p in farm_coverage(farm=farm)[1]] == NATURAL


def order_of(html: str, codes) -> list[str]:
    return sorted(codes, key=html.index)


def test_the_pages_list_pens_in_natural_order(world, farm, client_for):
    from tests.livestock.factories import national

    # The animals of 1号, 2号 and 10号 (serials 2, 3 and 1), as the tables must list them.
    codes = [national(2), national(3), national(1)]
    clerk = client_for(world.ent_a_staff)
    herd_page = clerk.get(reverse("portal_enterprise:herd_farm", args=[farm.pk])).content.decode()
    assert order_of(herd_page, codes) == codes
    quick = clerk.get(reverse("portal_enterprise:quick_entry", args=[farm.pk])).content.decode()
    options = quick[quick.index('id="quick-pen"') : quick.index("</select>", quick.index('id="quick-pen"'))]
    assert order_of(options, NATURAL) == NATURAL

    inspector = client_for(world.insp_a)
    url = reverse("portal_ciq:herd_farm", args=[farm.pk])
    for sort in ("pen", "-pen"):
        page = inspector.get(url, {"sort": sort}).content.decode()
        assert order_of(page, codes) == (codes if sort == "pen" else codes[::-1]), sort
