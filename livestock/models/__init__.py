"""Models of livestock: ear tags, animals, production records and the individual record."""

from .animals import Animal, AnimalImport
from .counts import HeadCount, HerdVersion
from .events import Event
from .reads import ReaderDevice, RejectedPayload, TagRead
from .records import BannedSubstance, LogAnimal, ProductionLog, SubstanceAlert, VaccinationRequirement
from .tags import EarTag, TagIssue

__all__ = [
    "Animal",
    "AnimalImport",
    "BannedSubstance",
    "EarTag",
    "Event",
    "HeadCount",
    "HerdVersion",
    "LogAnimal",
    "ProductionLog",
    "ReaderDevice",
    "RejectedPayload",
    "SubstanceAlert",
    "TagIssue",
    "TagRead",
    "VaccinationRequirement",
]
