"""The vocabulary of the permission matrix, shared by test_matrix.py and matrix_*.py.

The matrix is one row per URL pattern: ``MATRIX["namespace:name"] = case(...)``, kept in
test_matrix.py (accounts and the portals' front pages) and in ``matrix_<feature>.py`` files,
each a module-level dict called ``MATRIX`` (a new file is picked up by its name). A row says:

``allowed``
    The roles the view lets in (a set of names from ``ROLES``; ``ENTERPRISE``, ``BUREAU``…
    below). ``public=True`` lets in every role, anonymous visitors included.
``not_found``
    The roles that pass the view's rule but for which the object is outside their scope:
    they are told it does not exist (404), never that it is forbidden.
``kwargs``
    A function ``world -> dict`` that makes the objects the request needs and returns the URL's
    parameters. It may return more keys than the URL takes (``{"pk": ..., "tag": ...}``): the
    extra ones are handed to ``query``/``data`` and to redirect targets.
``query`` / ``data``
    The URL's query string (for every method) and the form body of POST: a dict, or a function
    ``given -> dict`` of what ``kwargs`` returned. The other methods are sent with no body.
``get``, ``post``, ``put``, ``patch``, ``delete``, ``options``
    What "let in" looks like for that method, for the allowed roles: ``OK`` (a 2xx page, or a
    form shown again with its errors), ``BAD_REQUEST`` (400, a form error of an API), or
    ``to("namespace:name")``: a redirect to exactly that page, its parameters taken from
    ``given`` (``to(..., pk=None)`` drops one, ``to(lambda given: url)`` for anything else).
    ``per_role((roles, outcome), ...)`` gives each role its own. The default is ``OK``, and
    HEAD answers as GET does. Name only the methods the view serves: the others must be 405.
``methods``
    Only for a function view that neither names its methods (``require_POST``,
    ``require_http_methods``) nor restricts them: the methods it serves. Class-based views
    and decorated functions never need it: the test derives the methods from the view.

Every role is asked with every method of ``METHODS``, and must get:

========================= ============================== ===============================
who                       a method the view offers       a method it does not offer
========================= ============================== ===============================
allowed                   the row's outcome for it       405
not_found                 404 (OPTIONS: 200 or 404)      405 or 404
refused, logged in        403                            403
anonymous, refused        a redirect to the log-in page with ``next`` set to the URL asked
========================= ============================== ===============================

A redirect is an outcome only when it goes exactly where the row says (a log-in page for a
logged-in user is a failure). OPTIONS never reads the object, so it may answer 200 to a role
outside the scope (``OK`` for any object, existing or not, reveals nothing); a method the view
does not offer may be refused before or after the scope check. A 500 is always a failure.

For example, an action that sends its user back to the farm, and a find view that sends those
who may see the animal to its page while the others are told no animal of theirs has the tag::

    "portal_ciq:farm_approve": case(
        {"insp_a", "manager"}, not_found={"insp_b"}, kwargs=application, data=REASON,
        post=to("portal_ciq:farm_detail"),
    ),
    "portal_ciq:animal_find": case(
        READERS, kwargs=huizhou_animal, query=lambda given: {"q": given["tag"]},
        get=per_role(({"insp_a", "manager"}, to("portal_ciq:animal_detail")), ({"insp_b"}, OK)),
    ),

The admin site is not listed here: test_matrix.py walks every admin pattern for every role
(only the system administrator is let in; everyone else is sent to the admin's log-in page).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.urls import reverse

ROLES = [
    "anonymous",
    "ent_a_staff",
    "ent_a_admin",
    "ent_b_staff",
    "ent_b_admin",
    "insp_a",
    "insp_b",
    "transit",
    "port",
    "lab",
    "manager",
    "sysadmin",
]
ENT_A = {"ent_a_staff", "ent_a_admin"}  # enterprise A, supervised by branch A (Huizhou)
ENT_B = {"ent_b_staff", "ent_b_admin"}  # enterprise B, supervised by branch B (Hunan)
ENTERPRISE = ENT_A | ENT_B
ENTERPRISE_ADMINS = {"ent_a_admin", "ent_b_admin"}
BUREAU = {"insp_a", "insp_b", "transit", "port", "lab", "manager", "sysadmin"}
LOGGED_IN = ENTERPRISE | BUREAU
assert set(ROLES) == LOGGED_IN | {"anonymous"}

# Every method a Django view can have a handler for; each view is asked with all of them and must
# refuse those it does not serve. (No view handles TRACE: it would be refused like DELETE.)
METHODS = ["get", "head", "options", "post", "put", "patch", "delete"]

OK = "ok"
BAD_REQUEST = "400"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"


@dataclass(frozen=True)
class To:
    """A redirect to one page: a URL name reversed with ``given``'s fitting keys, or a function."""

    target: str | Callable
    fixed: Mapping = field(default_factory=dict)

    def resolve(self, given: dict) -> str:
        if callable(self.target):
            return redirect_to(self.target(given))
        return redirect_to(reverse_with(self.target, {**given, **self.fixed}))


def to(target, **fixed) -> To:
    return To(target, fixed)


def redirect_to(path: str, next_url: str | None = None) -> str:
    """Return how test_matrix.py writes a redirect it observed (see test_matrix.observed)."""
    return f"redirect {path}" + (f" next={next_url}" if next_url is not None else "")


def reverse_with(name: str, given: dict) -> str:
    """Reverse ``name`` with those keys of ``given`` that its pattern takes (None drops one)."""
    from .urls import route_params

    params = route_params(name)
    return reverse(name, kwargs={k: given[k] for k in params if given.get(k) is not None} or None)


def per_role(*pairs) -> dict:
    """Give each set of roles its own outcome: ``per_role((ENTERPRISE, to(...)), (BUREAU, OK))``."""
    return {role: outcome for roles, outcome in pairs for role in roles}


@dataclass(frozen=True)
class Case:
    allowed: frozenset = frozenset()
    not_found: frozenset = frozenset()
    public: bool = False
    kwargs: Callable | None = None
    query: dict | Callable = field(default_factory=dict)
    data: dict | Callable = field(default_factory=dict)
    methods: frozenset | None = None
    outcomes: Mapping = field(default_factory=dict)  # method -> outcome, or {role: outcome}

    def lets_in(self, role: str) -> bool:
        return self.public or role in self.allowed

    def outcome_for(self, role: str, method: str):
        answer = self.outcomes.get("get" if method == "head" else method, OK)
        return answer[role] if isinstance(answer, dict) else answer

    def expected(self, role: str, method: str, offered: bool, given: dict, asked: str) -> set[str]:
        """Return what may answer ``role`` asking with ``method`` (``asked``: the full path)."""
        if self.lets_in(role):
            if not offered:
                return {NOT_ALLOWED}
            answer = self.outcome_for(role, method)
            return {answer.resolve(given) if isinstance(answer, To) else answer}
        if role in self.not_found:
            if method == "options" and offered:
                return {OK, NOT_FOUND}
            return {NOT_FOUND} if offered else {NOT_ALLOWED, NOT_FOUND}
        if role == "anonymous":
            return {redirect_to(reverse("accounts:login"), asked)}
        return {FORBIDDEN}


def case(
    allowed=(), *, not_found=(), public=False, kwargs=None, query=None, data=None, methods=None, **outcomes
):
    """Build a row of the matrix (the keywords are explained at the top of this module)."""
    unknown = set(outcomes) - set(METHODS)
    assert not unknown, (
        f"case() takes no {sorted(unknown)}: the methods are read from the view, and the outcome "
        "of each is named by its method (post=to(...), get=OK…); see tests/permissions/cases.py"
    )
    allowed, not_found = frozenset(allowed), frozenset(not_found)
    assert not allowed & not_found, "a role cannot be both let in and kept out"
    return Case(
        allowed=allowed,
        not_found=not_found,
        public=public,
        kwargs=kwargs,
        query=query or {},
        data=data or {},
        methods=frozenset(methods) if methods is not None else None,
        outcomes=outcomes,
    )


REASON = {"reason": "permission matrix"}
