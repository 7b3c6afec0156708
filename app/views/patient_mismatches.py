"""«Расхождения данных пациентов»: requests whose СНИЛС or полис is known with another name or birth
date (app/workflow/validation.py resolve_patient), read-only for the requesting МО's administrator and
the regional administrator. It says which data differ, never the other patient's data."""
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.models import PatientIdentityMismatch
from app.security.filters import OwnOrganizationFilter
from app.views.base import EagerSQLAInterface, PortalViewMixin


class PatientMismatchView(PortalViewMixin, ModelView):
    route_base = "/patient-mismatches"
    datamodel = EagerSQLAInterface(PatientIdentityMismatch, selectinload(PatientIdentityMismatch.request),
                                   selectinload(PatientIdentityMismatch.author),
                                   selectinload(PatientIdentityMismatch.organization))
    base_permissions = ["can_list", "can_show"]
    list_title = _l("Patient data mismatches")
    show_title = _l("Patient data mismatch")
    label_columns = {
        "created_at": _l("Date"),
        "request": _l("Request number"),
        "author": _l("Requesting doctor"),
        "organization": _l("Medical organization"),
        "matched_by_label": _l("Known number"),
        "differences_label": _l("Differs"),
    }
    description_columns = {
        "differences_label": _l("What the requester entered differs from the data stored with this number"),
    }
    list_columns = ["created_at", "request", "author", "organization", "matched_by_label", "differences_label"]
    show_columns = list_columns
    search_columns = ["created_at"]
    order_columns = ["created_at"]
    base_order = ("created_at", "desc")
    # the administrator of the requesting МО; the regional administrator sees all
    base_filters = [["organization_id", OwnOrganizationFilter, lambda: None]]
