from django.urls import reverse

from accounts.services import user_update
from portal_ciq.history import audited_models


def test_map_points_are_scoped(world, client):
    client.force_login(world.insp_b)
    points = client.get("/bureau/").context["map_points"]
    names = {p["name"] for p in points}
    assert world.ent_b.name_zh in names and world.ent_a.name_zh not in names
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lng"] <= 180 for p in points)


def test_organisation_list_filters(world, client):
    client.force_login(world.manager)
    response = client.get("/bureau/organisations/", {"kind": "port"})
    rows = list(response.context["table"].data)
    assert rows and all(r.kind == "port" for r in rows)
    response = client.get("/bureau/organisations/", {"q": "华丰"})
    assert [r.code for r in response.context["table"].data] == ["ent-huafeng"]


def test_branch_detail_lists_its_enterprises(world, client):
    client.force_login(world.insp_a)
    response = client.get(reverse("portal_ciq:organisation_detail", args=[world.branch_a.pk]))
    assert [e.code for e in response.context["enterprises"]] == ["ent-huafeng"]


def test_history_shows_who_what_and_why(world, client):
    user_update(
        actor=world.ent_a_admin,
        user=world.ent_a_staff,
        full_name="新名字",
        role="enterprise_staff",
        reason="married",
    )
    client.force_login(world.manager)
    response = client.get(reverse("portal_ciq:history_detail", args=["accounts.user", world.ent_a_staff.pk]))
    newest, changes = response.context["versions"][0]
    assert newest.history_user == world.ent_a_admin and newest.history_change_reason == "married"
    assert any(c.new == "新名字" for c in changes)
    listing = client.get(reverse("portal_ciq:history_list"), {"model": "accounts.user"}).content.decode()
    assert "married" in listing


def test_history_of_unknown_model_or_record_is_404(world, client):
    client.force_login(world.manager)
    assert client.get("/bureau/audit/auth.permission/1/").status_code == 404
    assert client.get("/bureau/audit/nope.nothing/1/").status_code == 404
    assert client.get("/bureau/audit/accounts.organisation/999999/").status_code == 404


def test_counts_on_the_home_page_agree_with_their_nouns(world, client):
    """The home page said "0 Enterprise": every count there takes the noun's right number."""
    import re

    from accounts.models import Organisation

    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal_ciq:home")).content.decode()
    cards = {
        label.strip(): int(value)
        for value, label in re.findall(
            r'<div class="stat-value">(\d+)</div>\s*<div class="stat-label">([^<]+)</div>', html
        )
    }
    labs = Organisation.objects.filter(kind=Organisation.Kind.LABORATORY, is_active=True).count()
    assert cards[("Laboratory" if labs == 1 else "Laboratories")] == labs
    assert cards["Enterprises"] > 1 and cards["CIQ branches"] > 1
    Organisation.objects.filter(kind=Organisation.Kind.PORT).update(is_active=False)
    html = client.get(reverse("portal_ciq:home")).content.decode()
    assert re.search(r'<div class="stat-value">0</div>\s*<div class="stat-label">Ports</div>', html)
    farms = {
        label: int(value)
        for value, label in re.findall(
            r'<div class="stat-value">(\d+)</div><div class="stat-label">([^<]+)</div>', html
        )
        if "farm" in label
    }
    for label, value in farms.items():
        assert label.endswith("farm") == (value == 1), (label, value)


def test_the_audit_trail_opens_on_what_people_did_and_names_the_farm(
    world, client, django_assert_max_num_queries
):
    """It opened on thousands of seed rows naming no farm: now seeded rows wait behind a box,
    and each row says which record and which farm it is about."""
    from django.utils import timezone

    from accounts.models import Organisation
    from farms.models import CorrectiveAction
    from farms.selectors_supervision import checklist_template_for
    from farms.services import supervision as sv
    from farms.supervision_defaults import checklist_templates_ensure
    from tests.farms.factories import registered_farm

    checklist_templates_ensure()
    farm = registered_farm(world)
    template = checklist_template_for(farm=farm)
    visit = sv.visit_record(
        actor=world.insp_a,
        farm=farm,
        template=template,
        visited_on=timezone.localdate(),
        answers={i.pk: ("ok", "") for i in template.items.all()},
        findings=[{"severity": "major", "description": "隔离舍破损", "action": "修复隔离舍"}],
    )
    action = CorrectiveAction.objects.get(finding__visit=visit)
    sv.corrective_action_report_done(actor=world.ent_a_staff, action=action, response="已修复")
    client.force_login(world.manager)
    client.cookies["django_language"] = "zh-hans"
    # One query per audited model (the trail merges each one's newest rows), whatever the number
    # of rows; the rest is fixed (session, user, navigation, the farms named).
    with django_assert_max_num_queries(len(audited_models()) + 12):
        html = client.get(reverse("portal_ciq:history_list")).content.decode()
    assert "初始化基础数据" not in html
    assert "修复隔离舍" in html and 'data-testid="history-farm"' in html and farm.name_zh in html
    # The seeded rows are still there for whoever asks for them.
    seeded = client.get(
        reverse("portal_ciq:history_list"), {"model": "accounts.organisation", "seeded": "on"}
    ).content.decode()
    assert Organisation.objects.first().name_zh in seeded and "初始化基础数据" in seeded
