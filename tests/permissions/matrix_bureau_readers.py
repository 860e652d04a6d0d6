"""The bureau's tag-reader pages in the permission matrix.

The reader is on a registered farm of enterprise A (supervised by branch A). Every bureau user
may watch readers; the other branch does not see this one (its farm is not theirs), while the
warehouse, the ports and the lab see the registered farms' readers. Inspectors (own branch's
farms), managers and the system administrator register and revoke readers.
"""

from .cases import BUREAU, REASON, case, to

MANAGERS = {"insp_a", "insp_b", "manager", "sysadmin"}


def reader(world):
    from livestock.services.devices import device_register
    from tests.farms.factories import registered_farm

    device = device_register(
        actor=world.insp_a, code="matrix-chute", name="矩阵读卡器", farm=registered_farm(world)
    )
    return {"pk": device.pk}


MATRIX = {
    "portal_ciq:reader_list": case(BUREAU),
    "portal_ciq:reader_create": case(MANAGERS),
    "portal_ciq:reader_detail": case(BUREAU - {"insp_b"}, not_found={"insp_b"}, kwargs=reader),
    "portal_ciq:reader_feed": case(BUREAU - {"insp_b"}, not_found={"insp_b"}, kwargs=reader),
    "portal_ciq:reader_revoke": case(
        {"insp_a", "manager", "sysadmin"},
        not_found={"insp_b"},
        kwargs=reader,
        data=REASON,
        post=to("portal_ciq:reader_detail"),
    ),
}
