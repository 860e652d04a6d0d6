import pytest
from django.contrib.sessions.models import Session

from accounts import services
from accounts.errors import DomainError
from accounts.models import Organisation, Role, User


@pytest.fixture(autouse=True)
def english():
    """Match the services' messages in English (their Chinese is checked in test_i18n)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_user_create_records_who_and_why(world):
    user = services.user_create(
        actor=world.ent_a_admin,
        organisation=world.ent_a,
        username="new_clerk",
        full_name="新职员",
        role=Role.ENTERPRISE_STAFF,
        password="Correct-horse-9",
        reason="new hire",
    )
    record = user.history.get()
    assert (record.history_user, record.history_change_reason, record.history_type) == (
        world.ent_a_admin,
        "new hire",
        "+",
    )
    assert user.check_password("Correct-horse-9") and not user.is_staff


def test_enterprise_admin_cannot_create_bureau_roles(world):
    with pytest.raises(DomainError) as exc:
        services.user_create(
            actor=world.ent_a_admin,
            organisation=world.ent_a,
            username="fake_insp",
            full_name="x",
            role=Role.INSPECTOR,
            password="Correct-horse-9",
            reason="x",
        )
    assert exc.value.field == "role"
    assert not User.objects.filter(username="fake_insp").exists()


def test_role_must_fit_the_organisation(world):
    with pytest.raises(DomainError, match="does not belong"):
        services.user_create(
            actor=None,
            organisation=world.port_wenjindu,
            username="x1",
            full_name="x",
            role=Role.INSPECTOR,
            password=None,
            reason="x",
        )


@pytest.mark.parametrize("username", ["ent_a_staff", "ENT_A_STAFF"])
def test_duplicate_user_name_is_refused(world, username):
    with pytest.raises(DomainError, match="already taken"):
        services.user_create(
            actor=world.ent_a_admin,
            organisation=world.ent_a,
            username=username,
            full_name="x",
            role=Role.ENTERPRISE_STAFF,
            password="Correct-horse-9",
            reason="x",
        )


def test_weak_password_is_refused_and_nothing_saved(world):
    with pytest.raises(DomainError) as exc:
        services.user_create(
            actor=world.ent_a_admin,
            organisation=world.ent_a,
            username="weak",
            full_name="x",
            role=Role.ENTERPRISE_STAFF,
            password="12345678",
            reason="x",
        )
    assert exc.value.field == "password"
    assert not User.objects.filter(username="weak").exists()


def test_last_admin_cannot_be_demoted_or_deactivated(world):
    with pytest.raises(DomainError, match="at least one active administrator"):
        services.user_update(
            actor=None, user=world.ent_a_admin, full_name="x", role=Role.ENTERPRISE_STAFF, reason="x"
        )
    with pytest.raises(DomainError):
        services.user_deactivate(actor=None, user=world.ent_a_admin, reason="x")
    world.ent_a_admin.refresh_from_db()
    assert world.ent_a_admin.role == Role.ENTERPRISE_ADMIN and world.ent_a_admin.is_active


def test_nobody_deactivates_themselves(world):
    services.user_update(
        actor=None, user=world.ent_a_staff, full_name="x", role=Role.ENTERPRISE_ADMIN, reason="x"
    )
    with pytest.raises(DomainError, match="your own account"):
        services.user_deactivate(actor=world.ent_a_admin, user=world.ent_a_admin, reason="x")


def test_deactivation_ends_every_session(world, client):
    client.force_login(world.ent_a_staff)
    assert client.get("/enterprise/").status_code == 200
    assert Session.objects.count() == 1

    services.user_deactivate(actor=world.ent_a_admin, user=world.ent_a_staff, reason="left the company")

    assert Session.objects.count() == 0
    response = client.get("/enterprise/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert world.ent_a_staff.history.latest().history_change_reason == "left the company"


def test_organisation_with_bad_credit_code_is_not_saved(world):
    org = Organisation(
        kind=Organisation.Kind.ENTERPRISE,
        code="ent-bad",
        name_zh="坏代码公司",
        credit_code="91350100M000100Y44",
        branch=world.branch_a,
    )
    with pytest.raises(DomainError) as exc:
        services.organisation_save(actor=None, organisation=org, reason="x")
    assert exc.value.field == "credit_code"
    assert not Organisation.objects.filter(code="ent-bad").exists()


def test_enterprise_needs_a_branch(world):
    org = Organisation(
        kind=Organisation.Kind.ENTERPRISE,
        code="ent-nobranch",
        name_zh="无主管公司",
        credit_code="91350100M000100Y43",
    )
    with pytest.raises(DomainError) as exc:
        services.organisation_save(actor=None, organisation=org, reason="x")
    assert exc.value.field == "branch"
