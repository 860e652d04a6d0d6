"""A cached key screen never shows stale data: after every kind of change it equals a fresh render.

Each screen is opened (and so cached) before the change; after it, the page as served must be
the page rendered from scratch (accounts.pagecache switched off), CSRF tokens aside.
"""

import datetime as dt
import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.pagecache import PageCacheMixin
from farms.services.credit import credit_rating_compute
from farms.services.registration import farm_suspend
from farms.services.supervision import visit_plan_create
from livestock.models import Animal, ReaderDevice
from livestock.services import animals as animal_services
from livestock.services import devices
from livestock.services.records import log_record
from tests.farms.factories import registered_farm
from tests.livestock.factories import herd, issue_tags, national
from tests.portals.test_bureau_livestock import banned_attempt
from tests.portals.test_bureau_readers import beat, deliver, read

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
# "5 seconds ago" (humanize, on the real clock): a page kept for a minute says it for a minute.
AGO = re.compile(r"\d+\s*(秒之前|秒钟之前|seconds? ago)")


def normal(html: str) -> str:
    return AGO.sub("…", TOKEN.sub(r"\1…", html))


def assert_fresh(client, url: str) -> None:
    # One clock for both (the reader's page shows the heartbeat's age in seconds).
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        served = client.get(url)
        assert served.status_code == 200, url
        with mock.patch.object(PageCacheMixin, "page_cache", False):
            rendered = client.get(url)
    assert normal(served.content.decode()) == normal(rendered.content.decode()), url


@pytest.fixture
def scene(world):
    farm = registered_farm(world)
    animals = herd(world.ent_a_staff, farm, range(1, 7))
    chute = devices.device_register(actor=world.insp_a, code="pc-chute-1", name="装猪台读卡器", farm=farm)
    ReaderDevice.objects.filter(pk=chute.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    chute.refresh_from_db()
    return farm, animals, chute


def bureau_urls(farm, animal, chute) -> list[str]:
    ciq = "portal_ciq:"
    return [
        reverse(ciq + "home"),
        reverse(ciq + "farm_list"),
        reverse(ciq + "farm_list") + "?sort=name",
        reverse(ciq + "herd_list"),
        reverse(ciq + "herd_farm", args=[farm.pk]),
        reverse(ciq + "herd_farm", args=[farm.pk]) + "?sort=-national_code",
        reverse(ciq + "animal_detail", args=[animal.pk]),
        reverse(ciq + "supervision_calendar"),
        reverse(ciq + "alert_centre"),
        reverse(ciq + "zone_map"),
        reverse(ciq + "farm_map_data"),
        reverse(ciq + "reader_detail", args=[chute.pk]),
        reverse(ciq + "reader_feed", args=[chute.pk]) + "?after=0",
    ]


def enterprise_urls(farm) -> list[str]:
    ent = "portal_enterprise:"
    return [
        reverse(ent + "home"),
        reverse(ent + "herd_farm", args=[farm.pk]),
        reverse(ent + "log_list", args=[farm.pk]),
    ]


def changes(world, farm, animals, chute):
    """Every kind of change the key screens show, one after the other."""
    staff = world.ent_a_staff
    today = timezone.localdate()

    def register():
        issue_tags(staff, [40])
        animal_services.animal_register(
            actor=staff,
            farm=farm,
            data={
                "tag": national(40),
                "sex": "male",
                "birth_date": "2026-01-01",
                "pen": "1号猪舍",
                "origin": "外购",
            },
        )

    def death():
        log_record(
            actor=staff,
            farm=farm,
            kind="death",
            occurred_on=today - dt.timedelta(days=1),
            fields={"cause": "肺炎", "disposal": "incineration"},
            animal_ids=[animals[0].pk],
        )

    def medication():
        log_record(
            actor=staff,
            farm=farm,
            kind="medication",
            occurred_on=today,
            fields={
                "product": "阿莫西林注射液",
                "active_substance": "阿莫西林",
                "dose": "5",
                "dose_unit": "ml",
                "withdrawal_days": "14",
            },
            animal_ids=[animals[1].pk],
        )

    def retag():
        issue_tags(staff, [41])
        animal = Animal.objects.get(pk=animals[2].pk)
        animal_services.animal_retag(actor=staff, animal=animal, new_tag=national(41), reason="lost")

    def origin():
        animal = Animal.objects.get(pk=animals[3].pk)
        animal_services.animal_update(
            actor=staff, animal=animal, data={"origin": "外购", "origin_note": "购自邻场"}
        )

    def alert():
        banned_attempt(world, farm, [animals[4].pk])

    def reads():
        beat(chute)
        animal = Animal.objects.get(pk=animals[5].pk)
        deliver(chute, [read(1, animal.rfid), read(2, animal.rfid, rep=True)])

    def plan():
        visit_plan_create(actor=world.manager, farm=farm, inspector=world.insp_a, planned_on=today)

    def credit():
        credit_rating_compute(enterprise=world.ent_a, actor=world.manager)

    def suspend():
        farm.refresh_from_db()
        farm_suspend(actor=world.manager, farm=farm, reason="停业整顿")

    return [register, death, medication, retag, origin, alert, reads, plan, credit, suspend]


def test_every_key_screen_is_fresh_after_every_kind_of_change(world, client_for, scene):
    farm, animals, chute = scene
    bureau = bureau_urls(farm, animals[5], chute)
    enterprise = enterprise_urls(farm)
    for change in changes(world, farm, animals, chute):
        # Cached before the change...
        for user, urls in ((world.manager, bureau), (world.ent_a_admin, enterprise)):
            client = client_for(user)
            for url in urls:
                assert client.get(url).status_code == 200, url
        change()
        # ...and the same as a fresh render after it.
        for user, urls in ((world.manager, bureau), (world.ent_a_admin, enterprise)):
            client = client_for(user)
            for url in urls:
                assert_fresh(client, url)


def test_the_pages_do_show_the_changes(world, client_for, scene):
    """The comparison above is not empty: a change the page shows is on the page once cached."""
    farm, animals, chute = scene
    client = client_for(world.manager)
    url = reverse("portal_ciq:herd_farm", args=[farm.pk])
    before = normal(client.get(url).content.decode())
    assert normal(client.get(url).content.decode()) == before  # from the cache
    log_record(
        actor=world.ent_a_staff,
        farm=farm,
        kind="death",
        occurred_on=timezone.localdate(),
        fields={"cause": "肺炎", "disposal": "incineration"},
        animal_ids=[animals[0].pk],
    )
    after = normal(client.get(url).content.decode())
    assert after != before
    assert "肺炎" in after


def test_the_secret_of_a_new_reader_is_never_kept(world, client_for, scene, settings):
    from django.core.cache import cache

    from accounts import pagecache

    farm, _animals, chute = scene
    client = client_for(world.manager)
    session = client.session
    from portal_ciq.readers.views import NEW_READER_KEY

    session[NEW_READER_KEY] = chute.pk
    session.save()
    url = reverse("portal_ciq:reader_detail", args=[chute.pk])
    with mock.patch.object(cache, "set", wraps=cache.set) as stored:
        page = client.get(url).content.decode()
    assert chute.secret in page
    assert not [c for c in stored.call_args_list if str(c.args[0]).startswith(f"{pagecache.PREFIX}:p:")]
    # The next visit shows it no more.
    assert chute.secret not in client.get(url).content.decode()
