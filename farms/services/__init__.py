"""Every write about farms: one function per business action (see each module)."""

from .credit import credit_event_record, credit_rating_compute, credit_sampling_percent
from .registration import (
    farm_application_save,
    farm_approve,
    farm_assign,
    farm_attachment_add,
    farm_consignment_recorded,
    farm_reinstate,
    farm_reject,
    farm_renew,
    farm_return,
    farm_revoke,
    farm_submit,
    farm_suspend,
    farm_withdraw,
    registrations_expire_and_lapse,
    site_inspection_record,
    surroundings_shortfalls,
)

__all__ = [
    "credit_event_record",
    "credit_rating_compute",
    "credit_sampling_percent",
    "farm_application_save",
    "farm_approve",
    "farm_assign",
    "farm_attachment_add",
    "farm_consignment_recorded",
    "farm_reinstate",
    "farm_reject",
    "farm_renew",
    "farm_return",
    "farm_revoke",
    "farm_submit",
    "farm_suspend",
    "farm_withdraw",
    "registrations_expire_and_lapse",
    "site_inspection_record",
    "surroundings_shortfalls",
]
