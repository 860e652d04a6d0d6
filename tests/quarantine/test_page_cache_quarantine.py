"""Origin quarantine's cached screens never show stale data, and the public page keeps its limit.

Every screen is opened (and so cached) before each step of a consignment's life, made through
the services — declared, accepted, examined, sampled, results in, approved, the certificate
replaced and the replacement voided, another declaration withdrawn, the credit rating
recomputed — and after the step the page as served must be the page rendered from scratch
(``tests/portals/test_page_cache.py``'s comparison, CSRF tokens aside).
"""

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts import pagecache
from farms.services.credit import credit_rating_compute
from quarantine import services
from quarantine.models import Certificate
from tests.portals.test_page_cache import assert_fresh, normal

from .factories import all_ok, declare, farm_a, negative_rows, ready_herd, through

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    """A client of its own per user (None: the public), so that no log-in replaces another."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


class Scene:
    """The consignment on its way and its certificate, as the steps make them."""

    def __init__(self, world):
        self.world = world
        self.farm = farm_a(world)
        self.animals = ready_herd(world, self.farm, range(1, 7))
        self.consignment = None
        self.other = None
        self.certificate = None

    def bureau_urls(self, *, lab: bool = True, detail: bool = True) -> list[str]:
        ciq = "portal_ciq:"
        queue = reverse(ciq + "consignment_queue")
        urls = [queue, queue + "?show=all", queue + "?show=all&page=2"]
        if lab:  # the LIMS import: the laboratory's and the managers'
            urls.append(reverse(ciq + "lims_import"))
        if self.consignment is not None and detail:
            urls.append(reverse(ciq + "consignment_detail", args=[self.consignment.pk]))
        return urls

    def enterprise_urls(self) -> list[str]:
        ent = "portal_enterprise:"
        declare_url = reverse(ent + "consignment_declare")
        urls = [reverse(ent + "consignment_list"), declare_url, declare_url + f"?farm={self.farm.pk}"]
        if self.consignment is not None:
            urls += [
                reverse(ent + "consignment_detail", args=[self.consignment.pk]),
                declare_url + f"?copy={self.consignment.pk}",
            ]
        return urls

    def public_urls(self) -> list[str]:
        verify = reverse("certificate_verify")
        urls = [verify]
        if self.certificate is not None:
            urls.append(verify + f"?number={self.certificate.number}&token={self.certificate.token}")
        return urls

    def pages(self):
        world = self.world
        return [
            (client(world.manager), self.bureau_urls()),
            (client(world.insp_a), self.bureau_urls(lab=False)),
            # The laboratory's queue (the consignments sampled) and its LIMS page.
            (client(world.lab), self.bureau_urls(detail=False)),
            (client(world.ent_a_admin), self.enterprise_urls()),
            (client(None), self.public_urls()),
        ]

    def steps(self):
        world = self.world
        insp = world.insp_a

        def declared():
            self.consignment = declare(world, self.farm, self.animals[:3])

        def declared_another():
            self.other = declare(world, self.farm, self.animals[3:5])

        def accepted():
            services.consignment_accept(actor=insp, consignment=self.consignment)

        def examined():
            answers = all_ok(self.consignment)
            services.consignment_examine(actor=insp, consignment=self.consignment, answers=answers)

        def sampled():
            services.consignment_sample(actor=insp, consignment=self.consignment, seed="fixed-seed")

        def results():
            services.lab_results_record(
                actor=world.lab, consignment=self.consignment, rows=negative_rows(self.consignment)
            )

        def approved():
            self.certificate = services.consignment_approve(actor=insp, consignment=self.consignment)

        def replaced():
            self.certificate = services.certificate_replace(
                actor=insp, certificate=self.certificate, reason="装车日期推迟"
            )

        def voided():
            services.certificate_void(actor=insp, certificate=self.certificate, reason="车辆故障")

        def withdrawn():
            services.consignment_withdraw(actor=world.ent_a_staff, consignment=self.other, reason="改期")

        def rated():
            credit_rating_compute(enterprise=world.ent_a, actor=world.manager)

        return [declared, declared_another, accepted, examined, sampled, results, approved], [
            replaced,
            voided,
            withdrawn,
            rated,
        ]


def open_all(pages) -> None:
    for c, urls in pages:
        for url in urls:
            assert c.get(url).status_code in (200, 404), url


def test_every_quarantine_screen_is_fresh_after_every_step(world, settings):
    settings.QUARANTINE_VERIFY_LIMIT = 10**6
    scene = Scene(world)
    first, later = scene.steps()
    for step in [*first, *later]:
        open_all(scene.pages())  # cached before the step...
        step()
        if scene.consignment is not None:
            scene.consignment.refresh_from_db()
        for c, urls in scene.pages():  # ...and the same as a fresh render after it
            for url in urls:
                assert_fresh(c, url)
    assert Certificate.objects.filter(voided_at__isnull=False).count() == 2


def test_the_pages_do_show_the_steps(world):
    """The comparison above is not empty: a step the page shows is on it once cached."""
    scene = Scene(world)
    scene.consignment = declare(world, scene.farm, scene.animals[:3])
    bureau, enterprise = client(world.manager), client(world.ent_a_admin)
    url = reverse("portal_ciq:consignment_detail", args=[scene.consignment.pk])
    ent_url = reverse("portal_enterprise:consignment_detail", args=[scene.consignment.pk])
    before, ent_before = normal(bureau.get(url).content.decode()), enterprise.get(ent_url).content.decode()
    assert normal(bureau.get(url).content.decode()) == before  # from the cache
    services.consignment_accept(actor=world.insp_a, consignment=scene.consignment)
    assert 'data-testid="examine"' in bureau.get(url).content.decode()
    assert 'data-testid="examine"' not in before
    assert enterprise.get(ent_url).content.decode() != ent_before


def test_the_verification_page_from_the_cache_still_counts_against_the_limit(world, settings):
    from django.core.cache import cache

    scene = Scene(world)
    certificate = through(world, declare(world, scene.farm, scene.animals[:3]), "approve")
    # Each address's count lives in the cache for a window: none left from an earlier run.
    cache.delete_many([f"quarantine:verify:{address}" for address in ("127.0.0.1", "10.1.2.3")])
    settings.QUARANTINE_VERIFY_LIMIT = 3
    url = reverse("certificate_verify") + f"?number={certificate.number}&token={certificate.token}"
    public = client(None)
    with pagecache_hits() as hits:
        pages = [public.get(url) for _ in range(3)]
        assert [p.status_code for p in pages] == [200, 200, 200]
        assert hits == [False, True, True]  # rendered once, then from the cache
        refused = public.get(url)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "verify-result" not in refused.content.decode()  # the page kept is not shown
    # Another address has its own count, and gets the page kept for everyone.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.get(url).status_code == 200


def test_the_verification_page_is_kept_per_language(world, settings):
    settings.QUARANTINE_VERIFY_LIMIT = 10**6
    public = client(None)
    url = reverse("certificate_verify")
    english = public.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = public.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Verify a health certificate" in english
    assert "Verify a health certificate" not in chinese


class pagecache_hits:
    """Record, for each request, whether its page came from the cache."""

    def __enter__(self):
        from unittest import mock

        self.hits = []
        real = pagecache._respond

        def respond(*args, **kwargs):
            self.hits[-1] = True
            return real(*args, **kwargs)

        real_serve = pagecache.serve

        def serve(*args, **kwargs):
            self.hits.append(False)
            return real_serve(*args, **kwargs)

        self.patches = [
            mock.patch.object(pagecache, "_respond", respond),
            mock.patch.object(pagecache, "serve", serve),
        ]
        for p in self.patches:
            p.start()
        return self.hits

    def __exit__(self, *exc):
        for p in self.patches:
            p.stop()


@pytest.mark.parametrize("n", [1, 3])
def test_the_screens_stay_within_their_queries(world, n, django_assert_max_num_queries, settings):
    """Rendered (the page cache off), each screen costs the same few queries for one consignment
    as for three: nothing is read row by row."""
    from unittest import mock

    settings.QUARANTINE_VERIFY_LIMIT = 10**6
    scene = Scene(world)
    animals = ready_herd(world, scene.farm, range(10, 10 + 2 * n))
    consignments = [declare(world, scene.farm, animals[2 * i : 2 * i + 2]) for i in range(n)]
    for c in consignments:
        services.consignment_accept(actor=world.insp_a, consignment=c)
        services.consignment_examine(actor=world.insp_a, consignment=c, answers=all_ok(c))
        services.consignment_sample(actor=world.insp_a, consignment=c, seed="fixed-seed")
        services.lab_results_record(actor=world.lab, consignment=c, rows=negative_rows(c))
    certificate = services.consignment_approve(actor=world.insp_a, consignment=consignments[0])
    scene.consignment, scene.certificate = consignments[0], certificate
    # The most any user's first visit costs (its session, user, organisation and permissions).
    caps = {
        "portal_ciq:consignment_queue": 8,
        "portal_ciq:lims_import": 5,
        "portal_ciq:consignment_detail": 16,
        "portal_enterprise:consignment_list": 4,
        "portal_enterprise:consignment_declare": 10,
        "portal_enterprise:consignment_detail": 7,
        "certificate_verify": 3,
    }
    checked = set()
    with mock.patch.object(pagecache.PageCacheMixin, "page_cache", False):
        for c, urls in scene.pages():
            for url in urls:
                match = resolve(url.split("?")[0])
                name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
                with django_assert_max_num_queries(caps[name]):
                    assert c.get(url).status_code == 200, url
                checked.add(name)
    assert checked == set(caps)
