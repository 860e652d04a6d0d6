"""A read-only admin stays read-only through the history of its records."""

import json

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from farms.models import Farm
from tests.farms.factories import registered_farm


def old_version_form_data(farm, version, sysadmin) -> dict:
    """Return what the page of an old version would post back: every field as it was then."""
    import config.urls  # noqa: F401 - registers the admin site's models

    request = RequestFactory().get("/")
    request.user = sysadmin
    model_admin = admin.site._registry[Farm]
    form = model_admin.get_form(request, version.instance)(instance=version.instance)
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None:
            continue
        if isinstance(value, dict):
            value = json.dumps(value)
        data[name] = (
            [getattr(v, "pk", v) for v in value] if isinstance(value, list) else getattr(value, "pk", value)
        )
    return data


def test_a_registered_farm_cannot_be_reverted_to_its_draft_on_the_admin_site(world, client):
    farm = registered_farm(world)
    draft = farm.history.order_by("history_id").first()
    assert draft.status == Farm.Status.DRAFT
    client.force_login(world.sysadmin)
    url = reverse("admin:farms_farm_simple_history", args=[farm.pk, draft.history_id])

    assert client.get(url).status_code == 200  # the old version may be read
    response = client.post(url, old_version_form_data(farm, draft, world.sysadmin))

    assert response.status_code == 403
    farm.refresh_from_db()
    assert farm.status == Farm.Status.REGISTERED
