"""Room on the animals' pages for their updates (PostgreSQL's fillfactor).

An animal's row changes all its life (its last-seen place at every pass of a reader, its pen,
its status), but a page filled to the brim has no room for the new version: each update then
writes it on another page and adds an entry to every one of the table's eight indexes. With a
fifth of each page kept free, an update of columns no index holds (the last-seen place, above
all) stays on its page and touches no index: a "heap-only tuple" update (make bench,
ingest_reads_per_s: moving 25,000 animals' last-seen place was a quarter of PostgreSQL's time).
New pages are filled to 80 %; pages already written keep what they hold until rewritten.
"""

from django.db import migrations


def _set(fillfactor: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE livestock_animal SET (fillfactor = {fillfactor})")

    return run


class Migration(migrations.Migration):
    dependencies = [("livestock", "0014_tag_links_unchecked")]

    operations = [migrations.RunPython(_set(80), _set(100), elidable=False)]
