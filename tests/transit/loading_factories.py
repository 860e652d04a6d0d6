"""A fleet, a certified consignment and a farm reader for the loading tests, made through the
services as the enterprise and the bureau would (the vehicle approved and disinfected)."""

import datetime as dt

from django.utils import timezone

from livestock.models import ReaderDevice
from livestock.services.ingest import reads_ingest
from rfid_bridge import protocol
from tests.quarantine.factories import declare, farm_a, ready_herd, through
from transit.services import fleet


def vehicle(world, *, plate="粤L10001", capacity=None, approve=True, disinfect=True, actor=None, **kw):
    actor = actor or world.ent_a_staff
    made = fleet.vehicle_register(
        actor=actor,
        plate=plate,
        permit_number="GD-HK-0001",
        permit_valid_until=timezone.localdate() + dt.timedelta(days=365),
        capacity=capacity or {"1": 200},
        **kw,
    )
    if approve:
        made = fleet.registration_act(actor=world.manager, obj=made, action="approve")
    if disinfect:
        fleet.disinfection_record(
            actor=actor,
            vehicle=made,
            agent="过氧乙酸",
            concentration="0.5%",
            performed_at=timezone.now() - dt.timedelta(hours=1),
            performed_by="王师傅",
        )
    return made


def driver(world, *, id_number="440000199001010011", approve=True, actor=None):
    actor = actor or world.ent_a_staff
    made = fleet.driver_register(
        actor=actor,
        name="李师傅",
        id_number=id_number,
        phone="13800000001",
        licence_number="440000199001010011",
        licence_valid_until=timezone.localdate() + dt.timedelta(days=700),
        permit_number="HKP-01",
    )
    if approve:
        made = fleet.registration_act(actor=world.manager, obj=made, action="approve")
    return made


def certified(world, serials=range(1, 6), farm=None):
    """An approved consignment of enterprise A (Huizhou branch), its animals and its certificate."""
    farm = farm or farm_a(world)
    animals = ready_herd(world, farm, serials)
    consignment = declare(world, farm, animals)
    certificate = through(world, consignment, "approve")
    return consignment, certificate, animals


def reader(farm, code="chute-1"):
    return ReaderDevice.objects.create(code=code, name="装猪台读写器", farm=farm)


def deliver(device, tags, *, start=1):
    reads = [
        {"seq": start + i, "tag": tag, "at": protocol.iso_ms(), "rep": False, "raw": f"LA {tag}"}
        for i, tag in enumerate(tags)
    ]
    return reads_ingest(protocol.reads_payload(device.code, reads, device.secret))
