"""Every write of origin quarantine: one function per business action (see each module)."""

from .certificates import certificate_issue, certificate_mark_used, certificate_replace, certificate_void
from .declaration import Declaration, DeclarationRefused, Problem, consignment_declare, declaration_check
from .lims import LimsPreview, lims_check, lims_import, lims_parse
from .workflow import (
    consignment_accept,
    consignment_approve,
    consignment_cancel,
    consignment_examine,
    consignment_export,
    consignment_reject,
    consignment_sample,
    consignment_withdraw,
    lab_results_check,
    lab_results_record,
)

__all__ = [
    "Declaration",
    "DeclarationRefused",
    "LimsPreview",
    "Problem",
    "certificate_issue",
    "certificate_mark_used",
    "certificate_replace",
    "certificate_void",
    "consignment_accept",
    "consignment_approve",
    "consignment_cancel",
    "consignment_declare",
    "consignment_examine",
    "consignment_export",
    "consignment_reject",
    "consignment_sample",
    "consignment_withdraw",
    "declaration_check",
    "lab_results_check",
    "lab_results_record",
    "lims_check",
    "lims_import",
    "lims_parse",
]
