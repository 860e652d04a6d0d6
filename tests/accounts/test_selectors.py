from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from accounts.selectors import organisation_list_for_user, user_list_for_user, user_manageable_for_user
from portal_ciq.history import audited_models


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_enterprise_sees_itself_and_its_branch_only(world):
    assert codes(organisation_list_for_user(user=world.ent_a_staff)) == {"ent-huafeng", "ciq-huizhou"}


def test_inspector_sees_own_enterprises_and_the_bureau(world):
    seen = codes(organisation_list_for_user(user=world.insp_a))
    assert "ent-huafeng" in seen and "ent-xiangrun" not in seen
    assert {"port-wenjindu", "wh-qingshuihe", "ciq-hunan"} <= seen


def test_port_officer_sees_no_enterprise(world):
    kinds = set(organisation_list_for_user(user=world.port).values_list("kind", flat=True))
    assert Organisation.Kind.ENTERPRISE not in kinds


def test_manager_sees_everything(world):
    assert organisation_list_for_user(user=world.manager).count() == Organisation.objects.count()


def test_inactive_user_sees_nothing(world):
    world.insp_a.is_active = False
    assert not organisation_list_for_user(user=world.insp_a).exists()
    assert not user_list_for_user(user=world.insp_a).exists()


def test_people_follow_the_organisations(world):
    assert set(user_list_for_user(user=world.ent_a_staff).values_list("organisation__code", flat=True)) == {
        "ent-huafeng"
    }
    assert not user_manageable_for_user(user=world.ent_a_staff).exists()
    assert set(
        user_manageable_for_user(user=world.ent_a_admin).values_list("organisation__code", flat=True)
    ) == {"ent-huafeng"}


def test_list_pages_make_a_fixed_number_of_queries(world, client):
    """The organisation list and home pages do not query per row (no N+1)."""
    client.force_login(world.manager)
    # The audit trail reads one query per audited model, none per row.
    for url, cap in [
        ("/bureau/organisations/", 12),
        ("/bureau/", 12),
        ("/bureau/audit/", 7 + len(audited_models())),  # +1: the navigation's alert badge (one COUNT)
    ]:
        client.get(url)  # warm up caches (content types, sessions)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) <= cap, (url, [q["sql"] for q in ctx.captured_queries])
    client.force_login(world.ent_a_admin)
    # +1 on every page: the navigation's open alerts (one COUNT); +1 more at home: the farms in a
    # disease zone.
    for url, cap in [("/enterprise/", 12), ("/enterprise/settings/users/", 11)]:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) <= cap, (url, [q["sql"] for q in ctx.captured_queries])
