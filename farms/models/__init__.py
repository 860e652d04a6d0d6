"""Farms: registration and its workflow, daily supervision, credit rating, and the desk."""

from .credit import CreditEvent, CreditGradePolicy, CreditRating
from .desk import Message, MessageAttachment, Notice, Question, ReferenceDocument
from .registration import (
    Farm,
    FarmAttachment,
    FarmStatusChange,
    FarmSurrounding,
    RegistrationCounter,
    SiteInspection,
    Species,
    SurroundingKind,
    SurroundingRule,
)
from .supervision import (
    ChecklistItem,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Visit,
    VisitAnswer,
    VisitPhoto,
    VisitPlan,
)

__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "CorrectiveAction",
    "CreditEvent",
    "CreditGradePolicy",
    "CreditRating",
    "Farm",
    "FarmAttachment",
    "FarmStatusChange",
    "FarmSurrounding",
    "Finding",
    "Message",
    "MessageAttachment",
    "Notice",
    "Question",
    "ReferenceDocument",
    "RegistrationCounter",
    "SiteInspection",
    "Species",
    "SurroundingKind",
    "SurroundingRule",
    "Visit",
    "VisitAnswer",
    "VisitPhoto",
    "VisitPlan",
]
