import io

from django.core.management import call_command

from accounts import demo
from accounts.models import Organisation, Role, User


def test_seed_is_idempotent_and_keeps_changes(world):
    call_command("seed_demo", "--quiet-logins")  # every app's demo data, once
    world.ent_a_staff.full_name = "已改名"
    world.ent_a_staff.save()
    before = (Organisation.objects.count(), User.objects.count(), Organisation.history.count())
    call_command("seed_demo", "--quiet-logins")
    assert (Organisation.objects.count(), User.objects.count(), Organisation.history.count()) == before
    world.ent_a_staff.refresh_from_db()
    assert world.ent_a_staff.full_name == "已改名"


def test_every_role_has_a_demo_login(world):
    assert {p.role for p in demo.PEOPLE} == set(Role)
    for person in demo.PEOPLE:
        assert User.objects.get(username=person.username).check_password(demo.DEMO_PASSWORD)


def test_places_are_where_they_really_are(world):
    wenjindu = world.port_wenjindu
    assert 22.5 < wenjindu.latitude < 22.6 and 114.0 < wenjindu.longitude < 114.2
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(Organisation.Kind)
    assert Organisation.objects.filter(kind=Organisation.Kind.PORT).count() == 6


def test_demo_enterprises_have_valid_credit_codes(world):
    from accounts.credit_code import validate

    for org in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE):
        assert validate(org.credit_code) == org.credit_code


def test_without_demo_passwords_nobody_can_log_in(world, settings):
    settings.DEMO_PASSWORDS = False
    User.objects.filter(username="transit_qsh").delete()
    demo.seed()
    assert not User.objects.get(username="transit_qsh").has_usable_password()


def test_seed_places_adds_every_apps_reference_tables(world):
    from farms.models import ChecklistTemplate, CreditGradePolicy, SurroundingRule

    SurroundingRule.objects.all().delete()
    call_command("seed_places", stdout=io.StringIO())
    assert SurroundingRule.objects.count() == 7
    assert ChecklistTemplate.objects.filter(species="1").exists()
    assert CreditGradePolicy.objects.count() == 4
