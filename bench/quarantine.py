"""Origin quarantine on the year (issue 12): a declaration of 40 and of 600 animals, the PDF, the QR code.

Timed, each the median and the worst of ``RUNS`` runs inside one benchmark run:

- ``declare_40_ms`` / ``declare_600_ms``: ``consignment_declare`` of 40 / 600 living pigs of one
  farm, every rule checked (farm, zone, tags, status, other consignments, withdrawal,
  vaccinations, isolation, head count) and the consignment, its animals, its status change,
  the animals' move and their events saved, until committed. The server's time: the form's
  parsing and the HTTP round trip are not in it. Each declaration is withdrawn afterwards
  (untimed), which frees its animals for the next run.
- ``certificate_pdf_ms``: the signed certificate of a consignment of 120 animals rendered as the
  page serves it (``portal_shared.certificates.certificate_pdf_response``: the certificate read,
  ``certificate_check`` — signature, content rebuilt from the rows, QR payload — and the PDF).
- ``verify_qr_ms``: ``quarantine.compact.payload_verify`` of a certificate's QR payload with the
  published key set, as ``python -m quarantine.verify`` does offline.

Which animals: the biggest registered pig farm outside any disease zone; its living fatteners,
oldest first, that pass every rule on the loading day (found by an untimed check first).
"""

import cProfile
import datetime as dt
import pstats
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _figure(values: list[float]) -> dict:
    return {
        "value": round(statistics.median(values), 2),
        "worst_run": round(max(values), 2),
        "runs": [round(v, 2) for v in values],
    }


def _world(*, need: int = 600, port=None):
    """The farm, its clerk, the port and a pool of at least ``need`` animals that pass every rule
    (declared for ``port``, else the first port by code)."""
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import Organisation, Role, User
    from farms.models import Farm
    from livestock.models import Animal
    from quarantine.models import ExportRule
    from quarantine.services.declaration import Declaration, DeclarationRefused, declaration_check
    from surveillance.selectors import restrictions_for_farm

    today = timezone.localdate()
    loading = today + dt.timedelta(days=1)
    rule = ExportRule.objects.get(species="1")
    isolation = loading - dt.timedelta(days=rule.isolation_days)
    port = port or Organisation.objects.filter(kind=Organisation.Kind.PORT).order_by("code").first()
    # Only enterprises with a clerk to declare (the others' farms would be passed over below).
    clerks = User.objects.filter(
        role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN], is_active=True
    ).values("organisation_id")
    farms = (
        Farm.objects.filter(status=Farm.Status.REGISTERED, species="1", enterprise_id__in=clerks)
        .annotate(n=Count("animals", filter=_living()))
        .order_by("-n")[:10]
    )
    for farm in farms:
        if restrictions_for_farm(farm=farm):
            continue
        clerk = User.objects.filter(
            organisation_id=farm.enterprise_id,
            role__in=[Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN],
            is_active=True,
        ).first()
        if clerk is None:
            continue
        codes = list(
            Animal.objects.filter(_living(prefix=""), farm=farm)
            .order_by("birth_date", "pk")
            .values_list("national_code", flat=True)[:1500]
        )

        def declaration(tags, farm=farm):
            return Declaration(
                farm=farm,
                species="1",
                tags=tags,
                planned_loading_on=loading,
                isolation_started_on=isolation,
                exit_port=port,
                consignee="香港上水屠房",
                destination="上水屠房（香港新界上水）",
                contact_name="基准测试",
                contact_phone="13800000000",
                head_count=len(tags),
            )

        try:
            declaration_check(actor=clerk, declaration=declaration(codes))
        except DeclarationRefused as refused:
            bad = {t for p in refused.problems for t in p.tags}
            codes = [c for c in codes if c not in bad]
        if len(codes) >= need:
            return clerk, declaration, codes
    raise RuntimeError(f"no registered pig farm with {need} animals that may be declared: is this the year?")


def _living(prefix: str = "animals__"):
    from django.db.models import Q

    return Q(**{f"{prefix}status": "on_farm", f"{prefix}export_blocked_at__isnull": True})


def _declare(clerk, declaration, codes, n, runs, profile):
    from quarantine.services import consignment_declare, consignment_withdraw

    times = []
    profiler = cProfile.Profile() if profile else None
    for i in range(runs):
        # A different slice each run, so no run finds what the last one read in the cache only.
        start = (i * 37) % max(1, len(codes) - n + 1)
        tags = codes[start : start + n]
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        consignment = consignment_declare(actor=clerk, declaration=declaration(tags))
        if profiler:
            profiler.disable()
        times.append(_ms(started))
        consignment_withdraw(actor=clerk, consignment=consignment, reason="基准测试")
    if profiler:
        out = ROOT / "var" / "bench" / f"declare_{n}.prof"
        out.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(out)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return times


def _certificate(clerk, declaration, codes, head: int = 120):
    """A consignment of ``head`` of the pool taken to approval through the services (untimed)."""
    from accounts.models import Role, User
    from quarantine.models import Analyte, ExamChecklistItem
    from quarantine.services import (
        consignment_accept,
        consignment_approve,
        consignment_declare,
        consignment_examine,
        consignment_sample,
        lab_results_record,
    )

    consignment = consignment_declare(actor=clerk, declaration=declaration(codes[-head:]))
    inspector = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    consignment_accept(actor=inspector, consignment=consignment)
    answers = {i.pk: True for i in ExamChecklistItem.objects.filter(species="1", is_active=True)}
    consignment_examine(actor=inspector, consignment=consignment, answers=answers)
    samples = consignment_sample(actor=inspector, consignment=consignment)
    analytes = [a for a in Analyte.objects.filter(is_active=True) if a.species in ("", "1")]
    rows = [
        {"sample": s.number, "analyte": a.code, "result": "0" if a.limit is not None else "阴性"}
        for s in samples
        for a in analytes
    ]
    lab_results_record(actor=inspector, consignment=consignment, rows=rows)
    return consignment, consignment_approve(actor=inspector, consignment=consignment)


def _pdf(certificate, runs):
    from portal_shared.certificates import certificate_pdf_response
    from quarantine.models import Certificate

    # A process's first PDF loads and parses the embedded CJK font (about 0.2 s, once per worker,
    # whoever asks first): not timed, as every later certificate of that worker does not pay it.
    certificate_pdf_response(certificate)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fresh = Certificate.objects.select_related(
            "consignment__farm", "consignment__enterprise", "consignment__branch", "consignment__exit_port"
        ).get(pk=certificate.pk)
        data = certificate_pdf_response(fresh).content
        times.append(_ms(started))
        assert data[:4] == b"%PDF"
    return times


def _verify(certificate, runs):
    from quarantine import compact, keys

    keyset = keys.public_keys()
    times = []
    for _ in range(runs * 20):
        started = time.perf_counter()
        compact.payload_verify(certificate.qr_payload, keyset)
        times.append(_ms(started))
    return times


def run(*, profile: bool = False) -> dict:
    from django.conf import settings

    from quarantine import keys

    if not keys.configured():
        # The key the year was signed with (bench/year.py generates it under var/).
        settings.QUARANTINE_KEY_GENERATE = True
    clerk, declaration, codes = _world()
    d40 = _declare(clerk, declaration, codes, 40, RUNS, profile)
    d600 = _declare(clerk, declaration, codes, 600, RUNS, profile)
    _consignment, certificate = _certificate(clerk, declaration, codes)
    pdf = _pdf(certificate, RUNS)
    verify = _verify(certificate, RUNS)
    return {
        "declare_40_ms": _figure(d40),
        "declare_600_ms": _figure(d600),
        "certificate_pdf_ms": _figure(pdf),
        "verify_qr_ms": _figure(verify),
    }
