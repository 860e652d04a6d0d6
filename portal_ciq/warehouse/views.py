"""The Qingshuihe warehouse's screens: the pens board with the trucks on their way in, receiving a
truck, a stay (animals set aside, clinical check, departure) and quarantine treatment."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from portal_shared.desk import form_error
from transit.models import Disinfection, Vehicle
from transit.selectors.warehouse import (
    arrival_get_for_user,
    incoming_for_user,
    pens_board_for_user,
    treatments_for_user,
    trip_get_for_user,
    warehouse_readers,
)
from transit.services.warehouse import (
    arrival_record,
    clinical_check_record,
    ineligible_record,
    overnight_alerts_raise,
    treatment_record,
    warehouse_depart,
)

from .forms import ArrivalForm, ClinicalForm, DepartForm, IneligibleForm, TreatmentForm, split

RECEIVED = _("Truck {plate} received into pen {pen}.")
SET_ASIDE = _("Animal {tag} set aside and its disposal recorded.")
CLINICAL = _("Clinical check recorded.")
DEPARTED = _("Truck {plate} sealed and sent on to the port.")
TREATED = _("Disinfection recorded.")
NO_VEHICLE = _("No vehicle with plate {plate}.")


class WarehouseMixin(RuleRequiredMixin):
    permission_required = "transit.see_warehouse"
    nav_section = "warehouse"


class BoardView(WarehouseMixin, PageCacheMixin, TemplateView):
    """The pens board: who is in which pen since when, the overnight rule, and who is coming.

    Kept per day (the overnight rule turns with the date): the first render of the day raises
    the alerts of the stays that broke it, and a raised alert moves the page's tables."""

    template_name = "portal_ciq/warehouse/board.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        board = pens_board_for_user(user=user)
        if user.role == "transit_officer" and any(a.overnight for a in board):
            # The board is where the rule is seen broken: the alert goes up (once per stay).
            overnight_alerts_raise(arrivals=board)
        return super().get_context_data(
            board=board,
            breaking=sum(1 for a in board if a.overnight),
            incoming=list(incoming_for_user(user=user)[:50]),
            can_work=user.has_perm("transit.work_warehouse"),
            now=timezone.now(),
            **kwargs,
        )


class ArriveView(WarehouseMixin, FormView):
    permission_required = "transit.work_warehouse"
    template_name = "portal_ciq/warehouse/arrive.html"
    form_class = ArrivalForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.trip = trip_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "readers": list(warehouse_readers(organisation_id=self.request.user.organisation_id)),
        }

    def get_initial(self):
        return {"head_counted": self.trip.loading.head_loaded}

    def get_context_data(self, **kwargs):
        loading = self.trip.loading
        return super().get_context_data(
            trip=self.trip, loading=loading, seals=list(loading.seals.filter(stage="loading")), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            arrival = arrival_record(
                actor=self.request.user,
                trip=self.trip,
                seals_found=split(data["seals_found"]),
                seal_note=data["seal_note"],
                head_counted=data["head_counted"],
                tags=split(data["tags"]),
                device=form.readers.get(data["device"]),
                pen=data["pen"],
            )
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, format_lazy(RECEIVED, plate=self.trip.vehicle.plate, pen=arrival.pen))
        return redirect("portal_ciq:warehouse_arrival", pk=arrival.pk)


class ArrivalView(WarehouseMixin, TemplateView):
    """A stay: the arrival check, the animals set aside, the clinical check and the departure."""

    template_name = "portal_ciq/warehouse/arrival.html"

    def get(self, request, *args, **kwargs):
        self.arrival = arrival_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # Out of scope is "not found" for everyone; in scope, only the warehouse's officers act.
        self.arrival = arrival_get_for_user(user=request.user, pk=kwargs["pk"])
        if not request.user.has_perm("transit.work_warehouse"):
            return self.handle_no_permission()
        step = request.POST.get("step", "")
        forms = {"ineligible": IneligibleForm, "clinical": ClinicalForm, "depart": DepartForm}
        if step not in forms:
            return redirect("portal_ciq:warehouse_arrival", pk=self.arrival.pk)
        form = forms[step](request.POST, request.FILES)
        if form.is_valid():
            try:
                message = self._do(step, form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, message)
                return redirect("portal_ciq:warehouse_arrival", pk=self.arrival.pk)
        return self.render_to_response(self.get_context_data(**{f"{step}_form": form, "open_step": step}))

    def _do(self, step, data):
        user, arrival = self.request.user, self.arrival
        if step == "ineligible":
            item = ineligible_record(actor=user, arrival=arrival, **data)
            return format_lazy(SET_ASIDE, tag=item.national_code)
        if step == "clinical":
            clinical_check_record(actor=user, arrival=arrival, healthy=data["healthy"], notes=data["notes"])
            return CLINICAL
        warehouse_depart(actor=user, trip=arrival.trip, seals=split(data["seals"]))
        return format_lazy(DEPARTED, plate=arrival.trip.vehicle.plate)

    def get_context_data(self, **kwargs):
        arrival = self.arrival
        kwargs.setdefault(
            "ineligible_form",
            IneligibleForm(initial={"disposed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        )
        kwargs.setdefault("clinical_form", ClinicalForm())
        kwargs.setdefault("depart_form", DepartForm())
        return super().get_context_data(
            arrival=arrival,
            trip=arrival.trip,
            loading=arrival.trip.loading,
            set_aside=list(arrival.ineligible.prefetch_related("photos")),
            new_seals=list(arrival.trip.loading.seals.filter(stage="warehouse")),
            can_work=self.request.user.has_perm("transit.work_warehouse"),
            **kwargs,
        )


class TreatmentView(WarehouseMixin, FormView):
    """Quarantine treatment (检疫处理): disinfection of vehicles and pens, and the latest ones."""

    permission_required = "transit.work_warehouse"
    template_name = "portal_ciq/warehouse/treatment.html"
    form_class = TreatmentForm

    def get_initial(self):
        return {"performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(treatments=treatments_for_user(user=self.request.user), **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        plate = data.pop("plate").strip()
        vehicle = None
        if data["target"] == Disinfection.Target.VEHICLE and plate:
            vehicle = Vehicle.objects.filter(plate__iexact=plate).first()
            if vehicle is None:
                form.add_error("plate", format_lazy(NO_VEHICLE, plate=plate))
                return self.form_invalid(form)
        try:
            treatment_record(actor=self.request.user, vehicle=vehicle, **data)
        except DomainError as exc:
            form_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, TREATED)
        return redirect("portal_ciq:warehouse_treatment")
