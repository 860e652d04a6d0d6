"""The enterprise's vehicles, drivers and GPS units: registering them, disinfections, and
issuing a unit's token (shown once, on the page that issued it)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import text_param
from transit.models import Vehicle
from transit.selectors.fleet import (
    disinfections_of,
    driver_get_for_user,
    driver_list_for_user,
    free_units_of,
    gps_unit_get_for_user,
    gps_unit_list_for_user,
    trips_of,
    vehicle_get_for_user,
    vehicle_list_for_user,
)
from transit.services import fleet

DATE = forms.DateInput(attrs={"type": "date"})


class FleetMixin(RuleRequiredMixin):
    permission_required = "transit.register_fleet"
    nav_section = "fleet"


def _styled(form):
    for field in form.fields.values():
        css = (
            "form-select form-select-lg"
            if isinstance(field.widget, forms.Select)
            else "form-control form-control-lg"
        )
        field.widget.attrs.setdefault("class", css)
    return form


class ServiceFormView(FleetMixin, FormView):
    """A form whose valid data goes to one service; a refusal is shown beside its field."""

    def get_form(self, form_class=None):
        return _styled(super().get_form(form_class))

    def call(self, data):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return self.call(form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)


class FleetView(FleetMixin, PageCacheMixin, TemplateView):
    template_name = "portal_enterprise/fleet/fleet.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            vehicles=list(vehicle_list_for_user(user=user)),
            drivers=list(driver_list_for_user(user=user)),
            units=list(gps_unit_list_for_user(user=user)),
            **kwargs,
        )


class VehicleForm(forms.Form):
    plate = forms.CharField(label=gettext_lazy("Plate number"), max_length=20)
    hk_plate = forms.CharField(label=gettext_lazy("Hong Kong plate"), max_length=20, required=False)
    permit_number = forms.CharField(label=gettext_lazy("Cross-boundary permit"), max_length=40)
    permit_valid_until = forms.DateField(label=gettext_lazy("Permit valid until"), widget=DATE)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=Vehicle.Kind.choices)
    decks = forms.IntegerField(label=gettext_lazy("Decks"), min_value=1, max_value=4, initial=1)
    capacity_1 = forms.IntegerField(label=gettext_lazy("Capacity: pigs (head)"), min_value=0, required=False)
    capacity_2 = forms.IntegerField(
        label=gettext_lazy("Capacity: cattle (head)"), min_value=0, required=False
    )
    capacity_3 = forms.IntegerField(
        label=gettext_lazy("Capacity: sheep and goats (head)"), min_value=0, required=False
    )
    gps_unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("GPS unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gps_unit"].queryset = free_units_of(enterprise_id=user.organisation_id)


class VehicleCreateView(ServiceFormView):
    template_name = "portal_enterprise/fleet/form.html"
    form_class = VehicleForm
    extra_context = {"heading": gettext_lazy("Register a vehicle")}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def call(self, data):
        capacity = {code: data.pop(f"capacity_{code}") for code in ("1", "2", "3")}
        vehicle = fleet.vehicle_register(actor=self.request.user, capacity=capacity, **data)
        messages.success(
            self.request,
            _("Vehicle %(plate)s is registered: the bureau will review it.") % {"plate": vehicle.plate},
        )
        return redirect("portal_enterprise:vehicle_detail", pk=vehicle.pk)


class DisinfectionForm(forms.Form):
    performed_at = forms.DateTimeField(
        label=gettext_lazy("Performed"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    agent = forms.CharField(label=gettext_lazy("Disinfectant"), max_length=100)
    concentration = forms.CharField(label=gettext_lazy("Concentration"), max_length=40)
    performed_by = forms.CharField(label=gettext_lazy("Performed by"), max_length=100)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


class VehicleDetailView(FleetMixin, TemplateView):
    template_name = "portal_enterprise/fleet/vehicle.html"

    def get_context_data(self, **kwargs):
        vehicle = vehicle_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        kwargs.setdefault("form", _styled(DisinfectionForm()))
        return super().get_context_data(
            vehicle=vehicle,
            disinfections=disinfections_of(vehicle=vehicle),
            trips=trips_of(vehicle=vehicle),
            **kwargs,
        )


class DisinfectionCreateView(FleetMixin, View):
    def post(self, request, pk):
        vehicle = vehicle_get_for_user(user=request.user, pk=pk)
        form = _styled(DisinfectionForm(request.POST))
        if form.is_valid():
            try:
                fleet.disinfection_record(actor=request.user, vehicle=vehicle, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Disinfection recorded."))
                return redirect("portal_enterprise:vehicle_detail", pk=pk)
        view = VehicleDetailView(request=request, kwargs={"pk": pk})
        return view.render_to_response(view.get_context_data(form=form))


class DriverForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40)
    licence_number = forms.CharField(label=gettext_lazy("Driving licence"), max_length=40)
    licence_valid_until = forms.DateField(label=gettext_lazy("Licence valid until"), widget=DATE)
    permit_number = forms.CharField(
        label=gettext_lazy("Cross-boundary permit"), max_length=40, required=False
    )


class DriverCreateView(ServiceFormView):
    template_name = "portal_enterprise/fleet/form.html"
    form_class = DriverForm
    extra_context = {"heading": gettext_lazy("Register a driver")}

    def call(self, data):
        driver = fleet.driver_register(actor=self.request.user, **data)
        messages.success(
            self.request,
            _("Driver %(name)s is registered: the bureau will review them.") % {"name": driver.name},
        )
        return redirect("portal_enterprise:fleet")


class UnitForm(forms.Form):
    identifier = forms.CharField(label=gettext_lazy("Unit ID (IMEI or serial)"), max_length=40)


def _token_page(request, unit, token):
    view = TemplateView(request=request)
    view.template_name = "portal_enterprise/fleet/token.html"
    view.nav_section = "fleet"
    return view.render_to_response({"unit": unit, "token": token, "view": view})


class UnitCreateView(ServiceFormView):
    template_name = "portal_enterprise/fleet/form.html"
    form_class = UnitForm
    extra_context = {"heading": gettext_lazy("Register a GPS unit")}

    def call(self, data):
        unit, token = fleet.gps_unit_register(actor=self.request.user, identifier=data["identifier"])
        # The token is answered on this page only and never stored in clear: it is not shown again.
        response = _token_page(self.request, unit, token)
        response["Cache-Control"] = "no-store"
        return response


class UnitTokenView(FleetMixin, View):
    def post(self, request, pk):
        unit = gps_unit_get_for_user(user=request.user, pk=pk)
        try:
            token = fleet.gps_unit_issue_token(actor=request.user, unit=unit)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("portal_enterprise:fleet")
        response = _token_page(request, unit, token)
        response["Cache-Control"] = "no-store"
        return response


class FleetActView(FleetMixin, View):
    def post(self, request, kind, pk, action):
        getter = {"vehicle": vehicle_get_for_user, "driver": driver_get_for_user}.get(kind)
        if getter is None or action not in fleet.ENTERPRISE_ACTIONS:
            raise Http404
        obj = getter(user=request.user, pk=pk)
        try:
            obj = fleet.registration_act(
                actor=request.user,
                obj=obj,
                action=action,
                reason=text_param(request.POST.get("reason"), max_length=500),
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(what)s is now “%(status)s”.") % {"what": obj, "status": obj.get_status_display()},
            )
        return redirect("portal_enterprise:fleet")
