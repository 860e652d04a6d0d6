"""The Celery application: configuration from Django settings (CELERY_*), tasks from each app.

Database connections in a worker: Celery's Django fixup closes Django's connection pool before
and after every task in a prefork worker (celery/celery#10554, fixed by the open #10555): each
task then opened new PostgreSQL connections — three per batch of tag reads, 326 for the 101
batches of ``make bench BENCH=ingest``, a backend forked and set up each time. Until the fix is
released, the fixup's per-task closing is put off (``DB_REUSE_MAX``) and each task gives its
connection back to the pool as a request does (``close_old_connections``, below). The fixup still
closes the pool a child inherits from the parent when it starts (``worker_process_init``), which
is what the pool needs to be fork-safe. ``CONN_HEALTH_CHECKS`` (settings) makes the pool check a
connection before handing it out, so that a connection killed with its server is replaced
instead of failing a task.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("livestock")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Read by celery.fixups.django under this name only: tasks between two closings of the pool
# by the fixup (twice this many: never, in practice).
app.conf.CELERY_DB_REUSE_MAX = 10**9


@task_prerun.connect
@task_postrun.connect
def _connections_back_to_pool(sender=None, **kwargs) -> None:
    """Return each connection to the pool, or close it if it broke (a request does the same).

    Not for eager tasks (tests, the embedded mode): they run inside their caller's transaction.
    """
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    close_old_connections()
