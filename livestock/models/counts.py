"""Head counts kept up to date by the services that change animals, so that no screen counts a herd."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from farms.models import Farm, Species


class HeadCount(models.Model):
    """How many animals a farm has of one species in one status, of flagged origin or not.

    Written only by ``livestock.services.counts``: every service that adds animals or changes
    their status or origin moves these counts in the same transaction, and ``recount`` rebuilds
    them from the animals (after a bulk generator wrote animals with COPY). Lists of herds and a
    farm's herd page read these rows instead of counting every animal on every request.
    """

    # Derived rows, without a database constraint: code that deletes a farm's rows in SQL (the
    # benchmarks' clean-up) need not know them, and recount() rebuilds them all from the animals.
    farm = models.ForeignKey(
        Farm,
        verbose_name=_("farm"),
        on_delete=models.CASCADE,
        related_name="head_counts",
        db_constraint=False,
    )
    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    status = models.CharField(_("status"), max_length=15)
    # Origin other than self-bred (Animal.origin_flagged).
    flagged = models.BooleanField(_("origin flagged"))
    head = models.IntegerField(_("head"))

    class Meta:
        verbose_name = _("head count")
        verbose_name_plural = _("head counts")
        constraints = [
            models.UniqueConstraint(fields=["farm", "species", "status", "flagged"], name="headcount_unique"),
        ]

    def __str__(self):
        return f"{self.farm_id} {self.species} {self.status}: {self.head}"


class HerdVersion(models.Model):
    """When a farm's herd last changed: the key under which its aggregates are cached.

    Written by ``livestock.services.counts.herd_changed`` in the transaction of every change to
    the farm's animals or records (so a page never caches numbers older than a committed change),
    and for every farm by ``recount``. The value is a time in nanoseconds, never reused, so that
    a cache shared with an earlier database (another test run) cannot answer for this one.
    """

    farm = models.OneToOneField(
        Farm, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    version = models.BigIntegerField()

    def __str__(self):
        return f"{self.farm_id}: {self.version}"
