"""Shared fixtures: the demo world (real places, demo enterprises, one account per role).

The world is seeded once into the test database; each test runs in a transaction that is
rolled back, so tests can change it freely. Tests that need committed data (the browser
tests) seed it again themselves, since Django empties the database after each of them.
"""

import os
from types import SimpleNamespace

import pytest

from accounts import demo
from accounts.models import Organisation, User
from livestock import reference as livestock_reference
from quarantine import reference as quarantine_reference
from surveillance import reference as surveillance_reference

ROLES = {
    "ent_a_staff": "ent_a_staff",
    "ent_a_admin": "ent_a_admin",
    "ent_b_staff": "ent_b_staff",
    "ent_b_admin": "ent_b_admin",
    "insp_a": "insp_huizhou",  # the branch supervising enterprise A
    "insp_b": "insp_hunan",  # the branch supervising enterprise B
    "transit": "transit_qsh",
    "port": "port_wjd",
    "lab": "lab_analyst",
    "manager": "manager",
    "sysadmin": "sysadmin",
}


_FAULT_REPORTS = pytest.StashKey[list]()


def pytest_testnodedown(node, error):
    """pytest-xdist: keep what a worker's fault tests counted, for the summary below (a worker's
    own terminal is not shown)."""
    report = getattr(node, "workeroutput", {}).get("fault_report")
    if report:
        node.config.stash.setdefault(_FAULT_REPORTS, []).append(report)


def pytest_terminal_summary(terminalreporter, config):
    from tests.faults.report import report_print

    for report in config.stash.get(_FAULT_REPORTS, []):
        report_print(terminalreporter, report)


def _seed_world() -> None:
    demo.seed()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    quarantine_reference.ensure()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _seed_world()


# A transactional test (the browser tests, a migration test) empties the database when it ends.
# Run alone, pytest-django puts those tests last, so the world seeded once above is there for all
# the others; under pytest-xdist a worker receives whole files in turn and may run an ordinary
# test after one of them. The world is then seeded again, committed, before that test's own
# transaction starts (this hook runs before any fixture of the test is set up).
_EMPTIED = pytest.StashKey[bool]()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if _transactional(item):
            item.config.stash[_EMPTIED] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if not item.config.stash.get(_EMPTIED, False) or _transactional(item):
        return
    if not item.get_closest_marker("django_db") and not {"db", "world"} & set(item.fixturenames):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        _seed_world()
    item.config.stash[_EMPTIED] = False


def load_world() -> SimpleNamespace:
    """Return the seeded organisations and users as attributes (world.ent_a, world.insp_a…)."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    orgs = {o.code: o for o in Organisation.objects.all()}
    return SimpleNamespace(
        **{key: users[username] for key, username in ROLES.items()},
        ent_a=orgs["ent-huafeng"],
        ent_b=orgs["ent-xiangrun"],
        branch_a=orgs["ciq-huizhou"],
        branch_b=orgs["ciq-hunan"],
        port_wenjindu=orgs["port-wenjindu"],
        head_office=orgs["ciq-shenzhen"],
        orgs=orgs,
        users=users,
    )


@pytest.fixture
def world(db) -> SimpleNamespace:
    return load_world()


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a world user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session", autouse=True)
def _media_root_cleanup():
    """Remove the throw-away upload folder of the test settings when the run ends."""
    import shutil

    from django.conf import settings

    yield
    if "livestock-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language (Chinese).

    A request through the test client activates its language and Django leaves it active in
    the thread afterwards, so without this a test's messages would depend on the test before.
    """
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


def need_postgresql(why: str) -> None:
    """For a test of PostgreSQL itself (its SQL, its plans): skipped on the embedded SQLite of a
    developer's `make test`, a failure under CI=true, where the suite must run on PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"this test needs PostgreSQL ({why}); CI must set DATABASE_URL")
    pytest.skip(f"{why}: needs PostgreSQL (DATABASE_URL)")
