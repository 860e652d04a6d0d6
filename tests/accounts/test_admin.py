"""The admin site refuses what the services refuse, and its saves are the services' calls."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, Role, User


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.sysadmin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield client


def change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def only_admin(world):
    """Make ent_a_admin enterprise A's only active administrator, as in the demo world."""
    others = User.objects.filter(organisation=world.ent_a, role=Role.ENTERPRISE_ADMIN).exclude(
        pk=world.ent_a_admin.pk
    )
    others.update(is_active=False)
    return world.ent_a_admin


def test_the_last_administrator_cannot_be_demoted_on_the_admin_site(world, admin_client):
    admin = only_admin(world)
    response = admin_client.post(change_url(admin), change_data(admin, role=Role.ENTERPRISE_STAFF))
    assert response.status_code == 200
    assert "at least one active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ENTERPRISE_ADMIN


def test_the_last_administrator_cannot_be_deactivated_on_the_admin_site(world, admin_client):
    admin = only_admin(world)
    response = admin_client.post(change_url(admin), change_data(admin, is_active=""))
    assert response.status_code == 200
    assert "at least one active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_nor_by_the_bulk_action(world, admin_client):
    admin = only_admin(world)
    changelist = reverse("admin:accounts_user_changelist")
    response = admin_client.post(
        changelist,
        {"action": "deactivate_selected", "_selected_action": [admin.pk, world.ent_a_staff.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "at least one active administrator" in text and "1 user deactivated." in text
    admin.refresh_from_db()
    world.ent_a_staff.refresh_from_db()
    assert admin.is_active and not world.ent_a_staff.is_active


def test_a_role_of_another_kind_of_organisation_is_refused(world, admin_client):
    response = admin_client.post(
        change_url(world.ent_a_staff), change_data(world.ent_a_staff, role=Role.INSPECTOR)
    )
    assert response.status_code == 200 and "does not belong in" in response.content.decode()
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.role == Role.ENTERPRISE_STAFF


def test_the_administrator_cannot_deactivate_themselves(world, admin_client):
    response = admin_client.post(change_url(world.sysadmin), change_data(world.sysadmin, is_active=""))
    assert response.status_code == 200 and "your own account" in response.content.decode()
    world.sysadmin.refresh_from_db()
    assert world.sysadmin.is_active


def test_a_change_goes_through_the_services(world, admin_client, client):
    staff = world.ent_a_staff
    other = User.objects.get(pk=staff.pk)
    from django.test import Client

    theirs = Client()
    theirs.force_login(other)
    sessions = Session.objects.count()
    response = admin_client.post(
        change_url(staff), change_data(staff, role=Role.ENTERPRISE_ADMIN, full_name="张三", is_active="")
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.role, staff.full_name, staff.is_active) == (Role.ENTERPRISE_ADMIN, "张三", False)
    assert not staff.is_staff and not staff.is_superuser
    reasons = list(staff.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Changed on the admin site", "Changed on the admin site"]
    assert Session.objects.count() == sessions - 1  # their session ended with the deactivation


def test_a_new_user_is_created_by_the_service(world, admin_client):
    url = reverse("admin:accounts_user_add")
    data = {
        "username": "New_Clerk",
        "full_name": "新职员",
        "organisation": world.ent_a.pk,
        "role": Role.INSPECTOR,
        "password1": "Correct-horse-77",
        "password2": "Correct-horse-77",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "does not belong in" in response.content.decode()
    assert not User.objects.filter(username="New_Clerk").exists()
    response = admin_client.post(url, {**data, "role": Role.ENTERPRISE_STAFF})
    assert response.status_code == 302
    user = User.objects.get(username="New_Clerk")
    assert user.check_password("Correct-horse-77") and user.organisation == world.ent_a
    assert user.history.latest().history_change_reason == "Changed on the admin site"
    response = admin_client.post(url, {**data, "username": "new_clerk", "role": Role.ENTERPRISE_STAFF})
    assert response.status_code == 200 and "already" in response.content.decode()
    assert User.objects.filter(username__iexact="new_clerk").count() == 1


def test_nothing_is_deleted_on_the_admin_site(world, admin_client):
    user_delete = reverse("admin:accounts_user_delete", args=[world.ent_a_staff.pk])
    org_delete = reverse("admin:accounts_organisation_delete", args=[world.ent_a.pk])
    assert admin_client.post(user_delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(org_delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=world.ent_a_staff.pk).exists()
    assert Organisation.objects.filter(pk=world.ent_a.pk).exists()


def test_an_organisation_is_saved_by_the_service(world, admin_client):
    org = world.ent_a
    url = reverse("admin:accounts_organisation_change", args=[org.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["name_en"] = "Huafeng Renamed"
    data["is_active"] = "on" if org.is_active else ""
    data = {k: v for k, v in data.items() if v not in ("", False)}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org.refresh_from_db()
    assert org.name_en == "Huafeng Renamed"
    assert org.history.latest().history_change_reason == "Changed on the admin site"


def test_the_library_and_notices_on_the_admin_site_go_through_the_services(
    world, admin_client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from farms.models import Notice, ReferenceDocument

    settings.MEDIA_ROOT = tmp_path
    url = reverse("admin:farms_referencedocument_add")
    program = SimpleUploadedFile(
        "law.pdf", b"MZ\x90\x00 a program, not a PDF", content_type="application/pdf"
    )
    response = admin_client.post(url, {"category": "regulation", "title": "办法", "file": program})
    assert response.status_code == 200 and not ReferenceDocument.objects.filter(title="办法").exists()
    pdf = SimpleUploadedFile("law.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "application/pdf")
    response = admin_client.post(url, {"category": "regulation", "title": "  办法  ", "file": pdf})
    assert response.status_code == 302
    document = ReferenceDocument.objects.get(title="办法")  # stripped by the service
    assert document.added_by == world.sysadmin and document.file

    response = admin_client.post(
        reverse("admin:farms_notice_add"), {"title": "停运通知", "body": "正文", "published_on": "2026-01-05"}
    )
    assert response.status_code == 302
    notice = Notice.objects.get(title="停运通知")
    assert notice.published_by == world.sysadmin
    assert notice.history.latest().history_change_reason == "Notice published"


def test_a_port_officer_is_made_a_supervisor_on_the_admin_site(world, admin_client):
    """The group port_supervisors exists from migrate on and is given on the user's page; the
    override permission follows it (transit.rules)."""
    from django.contrib.auth.models import Group

    officer = world.port
    group = Group.objects.get(name="port_supervisors")
    assert not officer.has_perm("transit.override_hold")
    page = admin_client.get(change_url(officer)).content.decode()
    assert "port_supervisors" in page
    data = change_data(officer, organisation=officer.organisation_id, groups=[group.pk])
    response = admin_client.post(change_url(officer), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    officer = User.objects.get(pk=officer.pk)
    assert officer.has_perm("transit.override_hold")
