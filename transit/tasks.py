"""Background work of transit: the periodic check of every truck on the road (beat, every minute)."""

from celery import shared_task

from .services.journeys import journeys_check


@shared_task(name="transit.journeys_check")
def journeys_check_task() -> dict:
    """Raise (and resolve) the alerts of the trucks on the road: corridor, stop, signal, late, zone."""
    result = journeys_check()
    return {"trips": result.trips, "raised": result.raised, "resolved": result.resolved}
