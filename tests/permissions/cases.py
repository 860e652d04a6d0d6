"""The vocabulary of the permission matrix, shared by test_matrix.py and matrix_*.py."""

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = [
    "anonymous",
    "ent_a_staff",
    "ent_a_admin",
    "ent_b_admin",
    "insp_a",
    "insp_b",
    "transit",
    "port",
    "lab",
    "manager",
    "sysadmin",
]
ENTERPRISE = {"ent_a_staff", "ent_a_admin", "ent_b_admin"}
BUREAU = {"insp_a", "insp_b", "transit", "port", "lab", "manager", "sysadmin"}
LOGGED_IN = ENTERPRISE | BUREAU


@dataclass(frozen=True)
class Case:
    allowed: frozenset = frozenset()  # roles that are let in
    not_found: frozenset = frozenset()  # roles for which the object is outside their scope
    public: bool = False
    kwargs: Callable | None = None  # world -> URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)
    outcome: str = "ok"  # what "let in" looks like (log-out lets everyone in, then sends them to log in)

    def expected(self, role: str) -> str:
        if self.public or role in self.allowed:
            return self.outcome
        if role in self.not_found:
            return "404"
        return "login" if role == "anonymous" else "deny"


def case(allowed=(), **kw) -> Case:
    return Case(
        allowed=frozenset(allowed), **{k: frozenset(v) if k == "not_found" else v for k, v in kw.items()}
    )


REASON = {"reason": "permission matrix"}
