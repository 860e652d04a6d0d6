"""Rendered pages kept in the cache until a table they read is written (issue 10).

A key screen renders in tens of milliseconds of Python (the layout, django-tables2, forms of
hundreds of options) where the framework's floor is a few: the only way to a third of the
floor's rate is not to render an unchanged page again. A view that opts in (``PageCacheMixin``)
keeps its whole response in the cache, for one user (the scope and the permissions are the
user's), one URL with its query string, one language and one day (``page_cache_minute``: one
minute, for pages that say "5 minutes ago").

**Invalidation is by table, automatic, and needs nothing from the services.** Like the farms'
``HerdVersion`` (``livestock.services.counts``), a cached value is stored under the versions of
what it was computed from; here the versions are per table and moved by the database layer
itself:

- every statement Django sends that writes a table (``INSERT``, ``UPDATE``, ``DELETE``,
  ``TRUNCATE``: the ORM, ``update()``, bulk writes and raw SQL alike) moves that table's version
  at once, and again when its transaction commits or rolls back (``_track_writes``, an execute
  wrapper on every connection);
- while a page is rendered, the tables its queries read are recorded (``_track_reads``); the
  page is stored with those tables' versions as they were *before* it was computed, and served
  only while every one of them is unchanged.

So a page is never served once a change to anything it showed is committed, whichever code made
the change; the only window is between a commit and the callback that runs right after it in the
same thread. A write that does not go through Django (``COPY`` in ``bench.year``, psql) must call
``invalidate_all()``; a new database (a copy, a test run) starts a new namespace (``_db_id``).

A view without log-in (the certificate's public verification page) calls ``serve`` itself,
with a key from ``public_page_key``, after whatever must run on every request (its rate limit).

Not cached: anything but a plain GET answered 200, htmx requests, a request with messages to
show. The CSRF token is never stored: the page is rendered with a placeholder that each
response replaces with the request's own token.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import threading
import uuid
from functools import partial

from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language

log = logging.getLogger(__name__)

PAGE_TIMEOUT_S = 15 * 60
PREFIX = "pc1"
CSRF_PLACEHOLDER = "csrf-token-placeholder-7c1e9a"
# Written on every request or by the log-in machinery; never shown by a cached page.
UNTRACKED = frozenset({"django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"})
# Shown by every page (the layout): the user's name, organisation, role.
ALWAYS = ("accounts_user", "accounts_organisation")

_WRITE = re.compile(
    r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|ALTER\s+TABLE|DROP\s+TABLE)\s+"?(\w+)"?',
    re.IGNORECASE,
)
_READ = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?', re.IGNORECASE)
_QUOTED = re.compile(r'"(\w+)"')
PERIODS = {"day": "%Y-%m-%d", "minute": "%Y-%m-%dT%H:%M", "second": "%Y-%m-%dT%H:%M:%S"}
_local = threading.local()
_db_ids: dict[tuple, str] = {}


# --- the versions -----------------------------------------------------------------------------


def _db_id(alias: str = "default") -> str:
    """Which database this is: a copy, a new test database or another server gets other keys."""
    conn = connections[alias]
    settings = conn.settings_dict
    key = (alias, settings.get("HOST"), settings.get("PORT"), settings.get("NAME"))
    if key not in _db_ids:
        if conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                # A copy or a database made again has another oid.
                cursor.execute("SELECT oid::text FROM pg_database WHERE datname = current_database()")
                ident = cursor.fetchone()[0]
        else:  # SQLite: an in-memory test database lives in this process, as the local cache does
            ident = uuid.uuid4().hex
        _db_ids[key] = hashlib.blake2b(f"{key}:{ident}".encode(), digest_size=8).hexdigest()
    return _db_ids[key]


def _version_key(db: str, table: str) -> str:
    return f"{PREFIX}:v:{db}:{table}"


def _known_tables() -> set[str]:
    if not hasattr(_local, "known"):
        from django.apps import apps

        names = set()
        for model in apps.get_models(include_auto_created=True):
            names.add(model._meta.db_table)
        _local.known = names
    return _local.known


def bump(tables, *, db: str | None = None) -> None:
    """Move the versions of ``tables``: every page stored under the old ones is stale.

    On Redis, one round trip whatever the number of tables (a pipeline of SET NX and INCR):
    the tag-read ingestion writes four tables a batch, dozens of batches a second.
    """
    tables = list(tables)
    if not tables:
        return
    try:
        db = db or _db_id()
        keys = [_version_key(db, table) for table in tables]
        client = _redis_client()
        if client is not None:
            pipe = client.pipeline(transaction=False)
            for key in keys:
                stored = cache.make_and_validate_key(key)
                # Never written (or evicted): a fresh random start, never reused.
                pipe.set(stored, random.getrandbits(52), nx=True)
                pipe.incr(stored)
            pipe.execute()
            return
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, random.getrandbits(52), None)
                cache.incr(key)
    except Exception:  # the cache is down: nothing can be served from it either
        log.exception("page cache: could not move the versions of %s", tables)


def _redis_client():
    """The Redis client behind Django's RedisCache (None for another backend)."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(None, write=True)


def invalidate_all() -> None:
    """Every table changed (a writer outside Django: COPY, psql)."""
    bump(sorted(_known_tables()))


def versions(tables, *, db: str) -> dict[str, int] | None:
    """The current versions of ``tables`` (missing ones created), or None if the cache fails.

    What this thread's connection wrote in its open transaction counts as written (``_flush``).
    """
    conn = connections["default"]
    if getattr(conn, "_pagecache_dirty", None):
        _flush(conn)
    keys = {_version_key(db, t): t for t in tables}
    try:
        found = cache.get_many(list(keys))
        for key in set(keys) - set(found):
            cache.add(key, random.getrandbits(52), None)
            found[key] = cache.get(key)
    except Exception:
        log.exception("page cache: could not read versions")
        return None
    if any(v is None for v in found.values()):
        return None
    return {keys[k]: v for k, v in found.items()}


# --- watching the statements ------------------------------------------------------------------


def _written(sql: str) -> set[str]:
    head = sql.lstrip()[:8].upper()
    if head.startswith("SELECT") or head.startswith("SAVEPOIN") or head.startswith("RELEASE"):
        return set()
    tables = set(_WRITE.findall(sql))
    if head.startswith("TRUNCATE"):
        tables |= set(_QUOTED.findall(sql))
    return (tables & _known_tables()) - UNTRACKED


def _track_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    tables = _written(sql) if isinstance(sql, str) else set()
    if tables:
        written(context["connection"], tables)
    return result


def written(conn, tables) -> None:
    """Note that ``conn`` wrote ``tables``: for writes the execute wrapper does not see (COPY
    through psycopg's own cursor, livestock.bulk.insert_rows)."""
    tables = set(tables) - UNTRACKED
    if not tables:
        return
    db = _db_id(conn.alias)
    if not conn.in_atomic_block:
        bump(tables, db=db)  # already committed
        return
    # In a transaction: moved once the commit made the change visible to everyone (readers of
    # the old rows until then may have stored them under the current version), and, should
    # this connection render a page before that, just before it does (``_flush``: that page
    # sees the uncommitted rows). A rollback moves them too (_rolled_back). Deferred so that a
    # transaction costs one round trip to the cache, not one per statement.
    conn._pagecache_pending |= tables
    conn._pagecache_dirty |= tables
    # A callback for every write (those registered inside a savepoint that rolls back are
    # dropped by Django); the first one to run after the commit moves every pending table at
    # once, the others find nothing left to do.
    transaction.on_commit(partial(_committed, conn, tables, db), using=conn.alias)


def _flush(conn) -> None:
    """Move the versions of what ``conn`` wrote in its open transaction (before it renders)."""
    if conn._pagecache_dirty:
        dirty = set(conn._pagecache_dirty)
        conn._pagecache_dirty.clear()
        bump(dirty, db=_db_id(conn.alias))


def _committed(conn, tables, db):
    if tables & conn._pagecache_pending:
        pending = set(conn._pagecache_pending)
        conn._pagecache_pending.clear()
        conn._pagecache_dirty.clear()
        bump(pending, db=db)


def _rolled_back(conn, *, clear: bool) -> None:
    pending = set(conn._pagecache_pending)
    conn._pagecache_dirty.clear()  # moved here with the rest
    if clear:
        conn._pagecache_pending.clear()
    if pending:
        bump(pending, db=_db_id(conn.alias))


def _install(sender, connection, **kwargs):
    if _track_writes in connection.execute_wrappers:
        return
    connection.execute_wrappers.append(_track_writes)
    connection._pagecache_pending = set()  # written in the open transaction
    connection._pagecache_dirty = set()  # of those, not yet moved for this connection's pages
    rollback, savepoint_rollback = connection.rollback, connection.savepoint_rollback

    def rolled_back(*args, **kwargs):
        try:
            return rollback(*args, **kwargs)
        finally:
            _rolled_back(connection, clear=True)

    def savepoint_rolled_back(*args, **kwargs):
        try:
            return savepoint_rollback(*args, **kwargs)
        finally:
            _rolled_back(connection, clear=False)

    # Atomic blocks roll back through these two (a test's transaction too): what the
    # connection wrote and then undid may have been read and kept in the meantime.
    connection.rollback = rolled_back
    connection.savepoint_rollback = savepoint_rolled_back


def install() -> None:
    """Watch the writes of every connection (called once, from AccountsConfig.ready)."""
    connection_created.connect(_install, dispatch_uid="pagecache-track-writes")
    for conn in connections.all(initialized_only=True):
        _install(None, conn)


class _track_reads:
    """Record the tables the statements read while the block runs."""

    def __init__(self, alias="default"):
        self.conn = connections[alias]
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str):
            self.tables |= set(_READ.findall(sql))
        return execute(sql, params, many, context)

    def __enter__(self):
        self.conn.execute_wrappers.append(self)
        return self

    def __exit__(self, *exc):
        self.conn.execute_wrappers.remove(self)


# --- the views --------------------------------------------------------------------------------


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


class PageCacheMixin:
    """Keep the view's GET responses in the cache until a table they read is written.

    Put it after the access mixin among the view's bases (checked when the class is made): its
    ``dispatch`` runs once the permission is checked. The page may depend on the user, the URL
    and query string, the language and the day (``page_cache_minute = True``: the minute) —
    nothing else per request but the CSRF token and the messages, which are never stored.
    """

    page_cache = True
    # How long a rendered page may stand for "now": its clock shows the day ("day"), the
    # minute ("minute": "5 minutes ago") or the second ("second": a reader's heartbeat age).
    page_cache_period = "day"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from django.contrib.auth.mixins import AccessMixin

        mro = cls.__mro__
        access = [i for i, c in enumerate(mro) if i and issubclass(c, AccessMixin) and c is not AccessMixin]
        if not access or min(access) > mro.index(PageCacheMixin):
            raise TypeError(f"{cls.__name__}: PageCacheMixin must come after the access mixin")

    def page_cache_key(self, request, db: str) -> str:
        when = timezone.localtime().strftime(PERIODS[self.page_cache_period])
        what = hashlib.blake2b(
            f"{type(self).__module__}.{type(self).__qualname__}|{request.get_full_path()}".encode(),
            digest_size=12,
        ).hexdigest()
        return f"{PREFIX}:p:{db}:{request.user.pk}:{get_language()}:{when}:{what}"

    def page_cache_skip(self, request) -> bool:
        """True for a request whose page must not be read from or kept in the cache."""
        return False

    def dispatch(self, request, *args, **kwargs):
        if (
            not self.page_cache
            or request.method != "GET"
            or request.headers.get("HX-Request")
            or not request.user.is_authenticated
            or _has_messages(request)
            or self.page_cache_skip(request)
        ):
            return super().dispatch(request, *args, **kwargs)
        return serve(
            request,
            lambda db: self.page_cache_key(request, db),
            lambda: super(PageCacheMixin, self).dispatch(request, *args, **kwargs),
        )


def public_page_key(request, db: str, view: str, *extra) -> str:
    """The key of a public page (``serve`` from a view without log-in): the view, the URL with
    its query string, the language and the day, and ``extra`` (what else the page depends on).
    The user is part of it too (None for the public), as the layout may show who is logged in."""
    when = timezone.localtime().strftime(PERIODS["day"])
    what = hashlib.blake2b(
        "|".join([view, request.get_full_path(), *map(str, extra)]).encode(), digest_size=12
    ).hexdigest()
    user = getattr(request, "user", None)
    return f"{PREFIX}:p:{db}:{getattr(user, 'pk', None)}:{get_language()}:{when}:{what}"


def serve(request, key, render):
    """The response ``render()`` makes, from the cache while no table it read has been written.

    ``key(db)`` names the page (the database's namespace given); ``render()`` runs the view. The
    caller has decided the request may be cached (a plain GET, no messages to show) and has
    checked everything that must run on every request (the permission, a rate limit) first.
    ``PageCacheMixin.page_cache = False`` switches this off too (``bench.screens --no-cache``,
    the tests' fresh renders).
    """
    if not PageCacheMixin.page_cache or request.method != "GET":
        return render()
    db = _db_id()
    key = key(db)
    try:
        entry = cache.get(key)
    except Exception:
        log.exception("page cache: could not read %s", key)
        return render()
    if entry is not None:
        tables, stored, content, headers = entry
        if versions(tables, db=db) == stored:
            return _respond(request, content, headers)
    before = versions(_known_tables(), db=db)
    # A real CSRF token asked for while rendering (not through the placeholder) is this
    # session's: such a page is not kept.
    csrf_asked = request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
    with _track_reads() as reads:
        response = render()
        if isinstance(response, TemplateResponse):
            response.context_data = {**(response.context_data or {}), "csrf_token": CSRF_PLACEHOLDER}
            response.render()
    real_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    if csrf_asked and not real_token:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = csrf_asked
    if response.streaming:
        return response
    content = response.content.decode(response.charset)
    if response.status_code == 200 and before is not None and not real_token:
        # Names after FROM that are no table (EXTRACT(YEAR FROM ...)) fall out here.
        tables = ((reads.tables & set(before)) | set(ALWAYS)) - UNTRACKED
        skip = ("content-length", "set-cookie")
        headers = {k: v for k, v in response.headers.items() if k.lower() not in skip}
        try:
            stored = {t: before[t] for t in tables}
            cache.set(key, (sorted(tables), stored, content, headers), PAGE_TIMEOUT_S)
        except Exception:
            log.exception("page cache: could not store %s", key)
    if CSRF_PLACEHOLDER in content:
        response.content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


def _respond(request, content: str, headers: dict) -> HttpResponse:
    if CSRF_PLACEHOLDER in content:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response
