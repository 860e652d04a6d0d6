"""Checks every livestock service shares: who may keep a farm's herd, and which farms have one."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError
from accounts.models import User
from farms.models import Farm

from ..pens import pen_sort_key

# A herd is kept on a farm that is (or was) registered; applications have no herd yet.
HERD_STATUSES = {Farm.Status.REGISTERED, Farm.Status.SUSPENDED, Farm.Status.LAPSED, Farm.Status.EXPIRED}

NOT_YOUR_FARM = _("This farm belongs to another enterprise.")
NO_HERD_YET = _("“{farm}” is “{status}”: animals can be kept on record only once the farm is registered.")


def farm_check_keeper(*, actor: User, farm: Farm) -> None:
    """Refuse unless ``actor`` works for the enterprise that owns ``farm`` and the farm keeps a herd."""
    if not actor.is_enterprise_user or actor.organisation_id != farm.enterprise_id:
        raise DomainError(NOT_YOUR_FARM)
    if farm.status not in HERD_STATUSES:
        raise DomainError(format_lazy(NO_HERD_YET, farm=farm.name, status=farm.get_status_display()))


def farm_pens(farm: Farm) -> list[str]:
    """The names of the pens drawn on the farm's layout, in their natural order (pen_sort_key)."""
    names = []
    for feature in (farm.layout or {}).get("features", []):
        props = feature.get("properties") or {}
        name = (props.get("name") or "").strip()
        if props.get("kind") == "pen" and name and name not in names:
            names.append(name)
    return sorted(names, key=pen_sort_key)
