"""Models of surveillance: diseases, reports and their zones, farm restrictions, and the alerts centre."""

from .alerts import Alert, AlertNote
from .zones import Disease, DiseaseReport, FarmRestriction, ReportEvidence, Zone

__all__ = ["Alert", "AlertNote", "Disease", "DiseaseReport", "FarmRestriction", "ReportEvidence", "Zone"]
