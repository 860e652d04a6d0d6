"""Writes of surveillance, one function per business action (see alerts.py and zones.py).

The alerts centre's entry point is re-exported here, so that any app raises a warning with
``from surveillance.services import alert_raise, AlertScope``.
"""

from .alerts import (
    AlertScope,
    AlertSpec,
    alert_acknowledge,
    alert_close,
    alert_note_add,
    alert_raise,
    alert_show_to_enterprise,
    alerts_raise,
    alerts_resolve,
)
from .zones import disease_save, report_create, report_lift, restrictions_refresh

__all__ = [
    "AlertScope",
    "AlertSpec",
    "alert_acknowledge",
    "alert_close",
    "alert_note_add",
    "alert_raise",
    "alert_show_to_enterprise",
    "alerts_raise",
    "alerts_resolve",
    "disease_save",
    "report_create",
    "report_lift",
    "restrictions_refresh",
]
