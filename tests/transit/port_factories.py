"""A certified consignment loaded and on the road, built for the warehouse and port tests.

The loading itself is tload's (transit.services.loading); here it is made with the ORM as its
closing leaves it: a closed Loading with its manifest (LoadingAnimal) and seals, the animals
"in transit" through Animal.ACTIONS, and the Trip on its way to the warehouse.
"""

import datetime as dt
import io
import itertools
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from livestock.services.events import Happening, Where
from livestock.services.export import animals_move
from tests.quarantine.factories import declare, farm_a, ready_herd, through
from transit.models import Driver, Loading, LoadingAnimal, Seal, Trip, Vehicle
from transit.models.fleet import Approval

_serials = itertools.count(7000)
_numbers = itertools.count(1)


def certified(world, head: int = 5, farm=None):
    """A farm of enterprise A with ``head`` pigs declared, examined, sampled and certified."""
    from farms.models import Farm

    farm = farm or Farm.objects.filter(enterprise=world.ent_a, status="registered").first() or farm_a(world)
    start = next(_serials) * 100
    animals = ready_herd(world, farm, range(start, start + head))
    consignment = declare(world, farm, animals)
    certificate = through(world, consignment, "approve")
    consignment.refresh_from_db()
    return consignment, certificate, animals


def vehicle_and_driver(world, suffix: str):
    vehicle = Vehicle.objects.create(
        enterprise=world.ent_a,
        plate=f"粤L{suffix}",
        hk_plate=f"HK{suffix}",
        permit_number=f"P{suffix}",
        permit_valid_until=timezone.localdate() + dt.timedelta(days=365),
        capacity={"1": 200},
        status=Approval.APPROVED,
        created_by=world.ent_a_admin,
    )
    driver = Driver.objects.create(
        enterprise=world.ent_a,
        name="李师傅",
        id_number=f"44010019800101{suffix[-4:]:0>4}",
        phone="13900000000",
        licence_number=f"L{suffix}",
        licence_valid_until=timezone.localdate() + dt.timedelta(days=365),
        status=Approval.APPROVED,
        created_by=world.ent_a_admin,
    )
    return vehicle, driver


def on_the_road(world, head: int = 5, seals: int = 2, farm=None):
    """A certified consignment loaded, sealed and on its way to the warehouse."""
    consignment, certificate, animals = certified(world, head, farm=farm)
    n = next(_numbers)
    suffix = f"{consignment.pk:03d}{n:03d}"
    vehicle, driver = vehicle_and_driver(world, suffix)
    now = timezone.now()
    loading = Loading.objects.create(
        number=f"LD{suffix}",
        consignment=consignment,
        certificate=certificate,
        enterprise=consignment.enterprise,
        branch=consignment.branch,
        vehicle=vehicle,
        driver=driver,
        status=Loading.Status.CLOSED,
        head_expected=head,
        head_loaded=head,
        opened_by=world.insp_a,
        opened_at=now - dt.timedelta(hours=3),
        closed_by=world.insp_a,
        closed_at=now - dt.timedelta(hours=2),
    )
    LoadingAnimal.objects.bulk_create(
        LoadingAnimal(loading=loading, animal=a, national_code=a.national_code, how="typed", read_at=now)
        for a in animals
    )
    seal_numbers = [f"S{suffix}{i}" for i in range(seals)]
    for number in seal_numbers:
        Seal.objects.create(number=number, loading=loading, applied_at=now, applied_by=world.insp_a)
    animals_move(
        action="load",
        animal_ids=[a.pk for a in animals],
        happening=Happening(
            kind="seen", when=now, where=Where(farm_id=consignment.farm_id), actor=world.insp_a
        ),
    )
    trip = Trip.objects.create(
        loading=loading,
        vehicle=vehicle,
        driver=driver,
        enterprise=consignment.enterprise,
        departed_at=now - dt.timedelta(hours=2),
        due_at=now + dt.timedelta(hours=2),
    )
    return SimpleNamespace(
        consignment=consignment,
        certificate=certificate,
        animals=animals,
        codes=[a.national_code for a in animals],
        loading=loading,
        trip=trip,
        seals=seal_numbers,
        vehicle=vehicle,
    )


def photo(name="pig.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (180, 90, 90)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def arrive(world, road, *, pen="A1", tags=None, seals=None, head=None):
    from transit.services.warehouse import arrival_record

    return arrival_record(
        actor=world.transit,
        trip=road.trip,
        seals_found=road.seals if seals is None else seals,
        head_counted=len(road.codes) if head is None else head,
        tags=road.codes if tags is None else tags,
        pen=pen,
    )


def set_aside(world, arrival, code, **overrides):
    from transit.services.warehouse import ineligible_record

    data = {
        "national_code": code,
        "condition": "dead",
        "cause": "运输应激死亡",
        "disposal_method": "rendering",
        "disposed_at": timezone.now(),
        "witnesses": "吴海涛、司机李师傅",
        "photos": [photo()],
    }
    data.update(overrides)
    return ineligible_record(actor=world.transit, arrival=arrival, **data)


def rested_and_gone(world, road, *, dead=None, new_seals=None):
    """Arrival, optionally one dead animal set aside, clinical check, departure under new seals."""
    from transit.services.warehouse import clinical_check_record, warehouse_depart

    arrival = arrive(world, road)
    if dead:
        set_aside(world, arrival, dead)
    clinical_check_record(actor=world.transit, arrival=arrival, healthy=True)
    warehouse_depart(actor=world.transit, trip=road.trip, seals=new_seals or [f"W{road.loading.number}"])
    road.trip.refresh_from_db()
    arrival.refresh_from_db()
    return arrival
