"""The page cache's machinery: every kind of write moves its table's version; what is never stored."""

import pytest
from django.contrib import messages
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.generic import TemplateView

from accounts import pagecache
from accounts.access import RuleRequiredMixin
from accounts.models import Organisation, User

pytestmark = pytest.mark.django_db

ORG = Organisation._meta.db_table
USER = User._meta.db_table


def version(table: str) -> int:
    return pagecache.versions([table], db=pagecache._db_id())[table]


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "accounts_organisation" ("code") VALUES (%s)', {ORG}),
        ('UPDATE "accounts_user" SET "full_name" = %s WHERE "id" = 1', {USER}),
        ('DELETE FROM "accounts_user" WHERE "id" = 1', {USER}),
        ('TRUNCATE "accounts_user", "accounts_organisation" CASCADE', {USER, ORG}),
        # A CTE that writes (as the ingestion's moves of the animals' last place).
        ("WITH moved AS (UPDATE accounts_user u SET is_active = true RETURNING u.id) SELECT 1", {USER}),
        ("INSERT INTO accounts_user (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = excluded.id", {USER}),
        ('SELECT "id" FROM "accounts_user" WHERE "id" = 1 FOR UPDATE', set()),
        ('SELECT * FROM "accounts_organisation" JOIN "accounts_user" ON true', set()),
        # The session is written by the renewal, never shown by a page.
        ('UPDATE "django_session" SET "expire_date" = %s', set()),
    ],
)
def test_written_tables_are_read_from_the_statement(sql, tables):
    assert pagecache._written(sql) == tables


def test_a_bulk_insert_moves_the_version(world):
    # insert_rows writes with COPY on PostgreSQL, through psycopg's own cursor, which no execute
    # wrapper sees: the events of an animal's page would otherwise stay stale.
    from django.utils import timezone

    from livestock.bulk import insert_rows

    row = Organisation(code="pc-bulk", name_zh="乙", kind=Organisation.Kind.PORT)
    for field in Organisation._meta.concrete_fields:  # auto_now(_add) is set by save(), not here
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            setattr(row, field.attname, timezone.now())
    fields = [f.name for f in Organisation._meta.concrete_fields if not f.primary_key]
    before = version(ORG)
    insert_rows(
        Organisation,
        fields,
        [tuple(getattr(row, f.attname) for f in map(Organisation._meta.get_field, fields))],
    )
    assert Organisation.objects.filter(code="pc-bulk").exists()
    assert version(ORG) != before


def test_every_kind_of_write_moves_the_version(world):
    org = world.ent_a
    steps = [
        lambda: Organisation.objects.filter(pk=org.pk).update(name_en="Updated"),  # update()
        lambda: org.save(update_fields=["name_zh"]),  # save()
        lambda: Organisation.objects.bulk_create(  # bulk writes
            [Organisation(code="pc-x", name_zh="甲", kind=Organisation.Kind.PORT)]
        ),
        lambda: Organisation.objects.filter(code="pc-x").delete(),  # delete()
        lambda: connection.cursor().execute(  # raw SQL, table name unquoted
            f"UPDATE {ORG} SET name_en = name_en WHERE id = %s", [org.pk]
        ),
    ]
    for step in steps:
        before = version(ORG)
        step()
        assert version(ORG) != before


def test_the_version_moves_again_when_the_transaction_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Organisation.objects.filter(pk=world.ent_a.pk).update(name_en="In a transaction")
        during = version(ORG)
    # A page rendered from the old rows before the commit was stored under ``during``.
    assert version(ORG) != during


def test_a_page_is_served_from_the_cache_and_renders_again_after_a_change(world, client_for):
    client = client_for(world.manager)
    url = reverse("portal_ciq:home")
    client.get(url)
    with CaptureQueriesContext(connection) as hit:
        second = client.get(url)
    # The session and the user (the middleware), the organisation (the permission): nothing of
    # the page's own queries.
    assert len(hit) <= 4
    assert second.status_code == 200
    Organisation.objects.filter(pk=world.manager.organisation_id).update(name_zh="改名后的深圳海关")
    with CaptureQueriesContext(connection) as miss:
        third = client.get(url)
    assert len(miss) > len(hit)
    assert "改名后的深圳海关" in third.content.decode()


def test_the_csrf_token_is_never_stored(world, client_for):
    client = client_for(world.manager)
    url = reverse("portal_ciq:home")
    first, second = client.get(url), client.get(url)
    for response in (first, second):
        html = response.content.decode()
        assert pagecache.CSRF_PLACEHOLDER not in html
        assert 'name="csrfmiddlewaretoken" value="' in html
    import re

    pages = [entry[2] for entry in _entries() if "csrfmiddlewaretoken" in entry[2]]
    assert pages
    for page in pages:
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        tokens |= set(re.findall(r'"X-CSRFToken": "([^"]+)"', page))
        assert tokens == {pagecache.CSRF_PLACEHOLDER}
    # The token of a page from the cache logs out: it is this session's.
    token = _token(second.content.decode())
    client.cookies["csrftoken"] = second.cookies.get("csrftoken", client.cookies["csrftoken"])
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.manager)
    page = strict.get(url)
    answer = strict.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": _token(page.content.decode())})
    assert answer.status_code == 302
    assert token


def test_users_never_share_a_page(world, client_for):
    url = reverse("portal_enterprise:home")
    a = client_for(world.ent_a_admin).get(url).content.decode()
    b = client_for(world.ent_b_admin).get(url).content.decode()
    assert world.ent_a.name_zh in a and world.ent_a.name_zh not in b
    assert world.ent_b.name_zh in b


def test_a_page_with_messages_to_show_is_rendered(world, client_for, rf):
    client = client_for(world.manager)
    url = reverse("portal_ciq:home")
    client.get(url)
    # A message left by the request before (a redirect after a form) is shown, then gone.
    session_messages = client.session
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.get(url)
    request.session = session_messages
    storage = FallbackStorage(request)
    storage.add(messages.SUCCESS, "已保存。")
    from django.http import HttpResponse

    response = HttpResponse()
    storage.update(response)
    session_messages.save()
    for morsel in response.cookies.values():
        client.cookies[morsel.key] = morsel.value
    assert "已保存。" in client.get(url).content.decode()
    assert "已保存。" not in client.get(url).content.decode()


def test_the_mixin_must_come_after_the_access_check():
    with pytest.raises(TypeError):

        class Wrong(pagecache.PageCacheMixin, RuleRequiredMixin, TemplateView):
            permission_required = "portal_ciq.access"


def _entries():
    from django.core.cache import cache

    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):  # the local-memory cache of the embedded settings
        import pickle

        return [pickle.loads(v) for k, v in store.items() if ":pc1:p:" in k]
    client = cache._cache.get_client()
    keys = client.keys(f"*pc1:p:{pagecache._db_id()}:*")
    return [cache._cache._serializer.loads(client.get(k)) for k in keys]


def _token(html: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_transaction_moves_its_versions_in_one_go_after_the_commit(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    # The tag-read ingestion writes four tables a batch, dozens of batches a second: one round
    # trip to the cache after the commit, not two per statement.
    calls = []
    real = pagecache.bump
    monkeypatch.setattr(
        pagecache, "bump", lambda tables, **kw: calls.append(set(tables)) or real(tables, **kw)
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Organisation.objects.filter(pk=world.ent_a.pk).update(name_en="One")
        User.objects.filter(pk=world.manager.pk).update(full_name="Two")
        Organisation.objects.filter(pk=world.ent_a.pk).update(name_en="Three")
        assert calls == []
    assert calls == [{ORG, USER}]


def test_a_page_rendered_inside_the_writing_transaction_sees_its_writes(world, client_for):
    # Moving the versions is deferred to the commit, except for this connection's own pages.
    before = version(ORG)
    with transaction.atomic():
        Organisation.objects.filter(pk=world.ent_a.pk).update(name_en="Inside")
        assert version(ORG) != before
