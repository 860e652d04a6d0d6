"""The credit rating: events, grades from the configurable table, and the pages that show them."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from farms.models import CreditEvent, CreditGradePolicy, CreditRating
from farms.selectors_supervision import credit_table_for_user
from farms.services.credit import credit_event_record, credit_rating_compute, credit_sampling_percent
from farms.supervision_defaults import grade_policies_ensure

TODAY = dt.date.today()


@pytest.fixture
def policies(db):
    grade_policies_ensure()


def lose(world, points, *, source, days_ago=0, enterprise=None, kind="finding"):
    return credit_event_record(
        enterprise=enterprise or world.ent_a,
        kind=kind,
        points=points,
        reason=f"扣分 {source}",
        source=source,
        occurred_on=TODAY - dt.timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    "points, grade, percent",
    [(0, "A", 5), (-10, "A", 5), (-11, "B", 10), (-26, "C", 30), (-41, "D", 100), (-500, "D", 100)],
)
def test_grade_follows_the_table(world, policies, points, grade, percent):
    if points:
        lose(world, points, source="s")
    rating = credit_rating_compute(enterprise=world.ent_a)
    assert (rating.grade, rating.sampling_percent) == (grade, percent)
    assert rating.score == max(0, 100 + points)
    assert credit_sampling_percent(enterprise=world.ent_a) == percent


def test_events_count_once_and_age_out_of_the_window(world, policies, settings):
    assert lose(world, -20, source="finding:1") is not None
    assert lose(world, -20, source="finding:1") is None
    lose(world, -30, source="finding:old", days_ago=settings.CREDIT_WINDOW_DAYS + 1)
    rating = credit_rating_compute(enterprise=world.ent_a)
    assert rating.score == 80 and [r["reason"] for r in rating.reasons] == ["扣分 finding:1"]


def test_only_if_changed_keeps_the_rating(world, policies):
    lose(world, -5, source="x")
    first = CreditRating.objects.filter(enterprise=world.ent_a).latest()
    again = credit_rating_compute(enterprise=world.ent_a, only_if_changed=True)
    assert again.pk == first.pk


def test_a_table_without_a_zero_row_still_rates(world, policies):
    CreditGradePolicy.objects.filter(grade="D").update(min_score=40)
    lose(world, -90, source="x")
    assert credit_rating_compute(enterprise=world.ent_a).grade == "D"


def test_unrated_enterprise_samples_at_the_top_grade(world, policies):
    assert credit_sampling_percent(enterprise=world.ent_b) == 5


def test_credit_table_is_scoped_and_capped(world, policies, client_for):
    lose(world, -15, source="a")
    lose(world, -30, source="b", enterprise=world.ent_b)
    assert set(credit_table_for_user(user=world.insp_a).values_list("pk", flat=True)) >= {world.ent_a.pk}
    assert world.ent_b.pk not in credit_table_for_user(user=world.insp_a).values_list("pk", flat=True)
    client = client_for(world.manager)
    url = reverse("portal_ciq:credit_list")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url, {"sort": "-score"}).content.decode()
    assert len(queries) <= 12, len(queries)
    assert 'data-grade="B"' in html and 'data-grade="C"' in html
    row = credit_table_for_user(user=world.manager).get(pk=world.ent_a.pk)
    assert (row.grade, row.score, row.sampling_percent, row.finding_count) == ("B", 85, 10, 1)
    for sort in ("grade", "-grade", "score", "sampling_percent", "finding_count", "-computed_at", "branch"):
        assert client.get(url, {"sort": sort}).status_code == 200


def test_credit_detail_shows_reasons_and_policy(world, policies, client_for):
    lose(world, -10, source="a", kind=CreditEvent.Kind.LAB_FAILURE)
    client = client_for(world.insp_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertions read the English labels
    html = client.get(reverse("portal_ciq:credit_detail", args=[world.ent_a.pk])).content.decode()
    assert "扣分 a" in html and "Failed laboratory result" in html and "90–100" in html
    assert 'data-testid="recompute"' not in html  # recomputing is the manager's
    assert (
        client_for(world.insp_b).get(reverse("portal_ciq:credit_detail", args=[world.ent_a.pk])).status_code
        == 404
    )


def test_manager_recomputes(world, policies, client_for):
    lose(world, -12, source="a")
    url = reverse("portal_ciq:credit_recompute", args=[world.ent_a.pk])
    client = client_for(world.manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = CreditRating.objects.count()
    page = client.post(url, follow=True).content.decode()
    assert CreditRating.objects.count() == before and "Nothing has changed" in page
    CreditRating.objects.filter(enterprise=world.ent_a).delete()
    client.post(url)
    assert CreditRating.objects.get(enterprise=world.ent_a).computed_by == world.manager
    assert client_for(world.insp_a).post(url).status_code == 403


def test_enterprise_sees_its_own_rating(world, policies, client_for):
    lose(world, -30, source="a")
    lose(world, -50, source="b", enterprise=world.ent_b)
    html = client_for(world.ent_a_staff).get(reverse("portal_enterprise:credit")).content.decode()
    assert 'data-grade="C"' in html and "扣分 a" in html and "扣分 b" not in html and "30 %" in html
