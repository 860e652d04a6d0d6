from django.urls import reverse

from accounts.models import Role, User


def test_admin_creates_a_user(world, client):
    client.force_login(world.ent_a_admin)
    response = client.post(
        reverse("portal_enterprise:user_create"),
        {
            "username": "clerk2",
            "full_name": "王小明",
            "role": Role.ENTERPRISE_STAFF,
            "email": "",
            "phone": "13900000000",
            "password": "Clerk-pass-2026",
            "reason": "new clerk",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="clerk2")
    assert user.organisation == world.ent_a and user.role == Role.ENTERPRISE_STAFF
    assert user.history.get().history_user == world.ent_a_admin


def test_refused_create_shows_the_reason_on_the_form_and_saves_nothing(world, client):
    client.force_login(world.ent_a_admin)
    response = client.post(
        reverse("portal_enterprise:user_create"),
        {
            "username": "ent_b_staff",
            "full_name": "重复",
            "role": Role.ENTERPRISE_STAFF,
            "password": "Clerk-pass-2026",
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "ent_b_staff" in response.context["form"].errors["username"][0]
    assert User.objects.filter(username="ent_b_staff").count() == 1


def test_bureau_roles_are_not_offered(world, client):
    client.force_login(world.ent_a_admin)
    response = client.post(
        reverse("portal_enterprise:user_create"),
        {
            "username": "sneaky",
            "full_name": "x",
            "role": Role.MANAGER,
            "password": "Clerk-pass-2026",
            "reason": "x",
        },
    )
    assert response.status_code == 200 and "role" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_edit_and_deactivate_and_reactivate(world, client):
    client.force_login(world.ent_a_admin)
    url = reverse("portal_enterprise:user_edit", args=[world.ent_a_staff.pk])
    assert client.get(url).context["form"].initial["full_name"] == world.ent_a_staff.full_name
    client.post(url, {"full_name": "林晓梅（改）", "role": Role.ENTERPRISE_STAFF, "reason": "name fix"})
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.full_name == "林晓梅（改）"

    client.post(reverse("portal_enterprise:user_deactivate", args=[world.ent_a_staff.pk]), {"reason": "left"})
    world.ent_a_staff.refresh_from_db()
    assert not world.ent_a_staff.is_active

    client.post(reverse("portal_enterprise:user_reactivate", args=[world.ent_a_staff.pk]), {"reason": "back"})
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.is_active
    reasons = list(
        world.ent_a_staff.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons[-3:] == ["name fix", "left", "back"]


def test_deactivation_without_reason_changes_nothing(world, client):
    client.force_login(world.ent_a_admin)
    response = client.post(
        reverse("portal_enterprise:user_deactivate", args=[world.ent_a_staff.pk]), {"reason": ""}
    )
    assert response.status_code == 302
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.is_active


def test_home_shows_own_people_only(world, client):
    client.force_login(world.ent_a_staff)
    html = client.get("/enterprise/").content.decode()
    assert world.ent_a.name_zh in html and world.ent_a_admin.full_name in html
    assert world.ent_b.name_zh not in html and world.ent_b_admin.full_name not in html


def test_admin_sets_the_contact_and_the_language_of_notices_with_a_reason_kept(world, client):
    client.force_login(world.ent_a_admin)
    url = reverse("portal_enterprise:organisation_settings")
    page = client.get(url)
    assert page.status_code == 200 and "English" in page.content.decode()
    data = {
        "contact_name": "李经理",
        "contact_phone": "13912345678",
        "contact_email": "ops@example.cn",
        "language": "en",
        "reason": "new contact",
    }
    assert client.post(url, data).status_code == 302
    world.ent_a.refresh_from_db()
    assert (world.ent_a.contact_name, world.ent_a.language) == ("李经理", "en")
    latest = world.ent_a.history.first()
    assert latest.history_user == world.ent_a_admin and latest.history_change_reason == "new contact"


def test_bad_contact_input_is_named_and_changes_nothing(world, client):
    client.force_login(world.ent_a_admin)
    url = reverse("portal_enterprise:organisation_settings")
    before = (world.ent_a.contact_email, world.ent_a.language)
    for bad in ({"contact_email": "not-an-address"}, {"language": "fr"}, {"reason": ""}):
        data = {
            "contact_name": "x",
            "contact_phone": "1",
            "contact_email": "",
            "language": "zh-hans",
            "reason": "r",
        }
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200 and response.context["form"].errors.keys() == bad.keys()
    world.ent_a.refresh_from_db()
    assert (world.ent_a.contact_email, world.ent_a.language) == before


def test_only_the_enterprise_s_own_admin_may_change_its_contact(world):
    import pytest

    from accounts.errors import DomainError
    from accounts.services import organisation_contact_update

    for actor in (world.ent_a_staff, world.ent_b_admin, world.insp_a):
        with pytest.raises(DomainError):
            organisation_contact_update(
                actor=actor, organisation=world.ent_a, contact_name="x", contact_phone="", contact_email="",
                language="en", reason="r",
            )  # fmt: skip
    world.ent_a.refresh_from_db()
    assert world.ent_a.language == "zh-hans"
