"""Farms in given states, made through the services (never by writing rows by hand)."""

from decimal import Decimal

from django.utils import timezone

from farms import services
from farms.models import Farm, SiteInspection

# 博罗县 (441322), near its county seat, supervised by the Huizhou branch of the demo world.
BOLUO = {"county_code": "441322", "latitude": Decimal("23.172771"), "longitude": Decimal("114.289528")}
PEN = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"kind": "pen", "name": "1号猪舍"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[114.2895, 23.1727], [114.2898, 23.1727], [114.2898, 23.1729], [114.2895, 23.1727]]
                ],
            },
        },
    ],
}
# The nearest neighbour of every kind the bureau sets a minimum for, all far enough.
FAR_ENOUGH = [
    {"kind": "residential", "distance_m": 3000, "description": "石湾镇"},
    {"kind": "slaughterhouse", "distance_m": 12000, "description": ""},
    {"kind": "road", "distance_m": 1500, "description": "G205国道"},
    {"kind": "other_farm", "distance_m": 4000, "description": ""},
    {"kind": "market", "distance_m": 9000, "description": ""},
    {"kind": "water_source", "distance_m": 2500, "description": ""},
    {"kind": "vet_clinic", "distance_m": 6000, "description": ""},
]


def farm_data(world, **overrides) -> dict:
    data = {
        "branch": world.branch_a,
        "name_zh": "华丰一场",
        "name_en": "Huafeng Farm No. 1",
        "species": "1",
        "capacity": 5000,
        "address": "惠州市博罗县石湾镇",
        "layout": PEN,
        "disease_history": "近三年无疫情",
        "vet_name": "李兽医",
        "vet_licence": "GD-VET-2019-0001",
        "vet_phone": "13900000001",
        "immunisation_programme": "猪瘟、口蹄疫、伪狂犬按程序免疫",
        **BOLUO,
    }
    data.update(overrides)
    return data


def draft_farm(world, *, actor=None, surroundings=None, **overrides) -> Farm:
    return services.farm_application_save(
        actor=actor or world.ent_a_staff,
        data=farm_data(world, **overrides),
        surroundings=FAR_ENOUGH if surroundings is None else surroundings,
    )


def submitted_farm(world, **overrides) -> Farm:
    return services.farm_submit(actor=world.ent_a_staff, farm=draft_farm(world, **overrides))


def under_review_farm(world, **overrides) -> Farm:
    return services.farm_assign(
        actor=world.insp_a, farm=submitted_farm(world, **overrides), inspector=world.insp_a
    )


def registered_farm(world, **overrides) -> Farm:
    farm = under_review_farm(world, **overrides)
    services.site_inspection_record(
        actor=world.insp_a,
        farm=farm,
        inspected_on=timezone.localdate(),
        conclusion=SiteInspection.Conclusion.PASS,
        notes="符合要求",
    )
    return services.farm_approve(actor=world.insp_a, farm=farm)
