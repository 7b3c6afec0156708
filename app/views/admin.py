"""Dictionaries of the region: МО, departments, care profiles, routes, urgency rules."""
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.models import (
    ASSIGNMENT_LABELS,
    MODE_LABELS,
    URGENCY_LABELS,
    CareProfile,
    Department,
    MedicalOrganization,
    Route,
    UrgencyRule,
)
from app.schemas.identifiers import Oid
from app.security.filters import OwnOrganizationFilter
from app.views.base import TmkModelView, UniqueTogether
from app.views.fields import ru_date_field

class MedicalOrganizationView(TmkModelView):
    datamodel = SQLAInterface(MedicalOrganization)
    list_title = _l("Medical organizations")
    show_title = add_title = edit_title = _l("Medical organization")
    label_columns = {
        "name": _l("Full name"),
        "short_name": _l("Short name"),
        "frmo_oid": _l("FRMO OID"),
        "address": _l("Address"),
        "is_consulting": _l("Consulting"),
        "allows_drafts": _l("Drafts allowed"),
        "is_active": _l("Active"),
        "departments": _l("Departments"),
    }
    description_columns = {
        "frmo_oid": _l("The identifier in the federal register of medical organizations"),
        "is_consulting": _l("The organization answers consultation requests"),
        "allows_drafts": _l("Its doctors may save unfinished requests as drafts"),
    }
    list_columns = ["short_name", "frmo_oid", "is_consulting", "is_active"]
    show_columns = ["name", "short_name", "frmo_oid", "address", "is_consulting", "allows_drafts", "is_active", "departments"]
    add_columns = edit_columns = ["name", "short_name", "frmo_oid", "address", "is_consulting", "allows_drafts", "is_active"]
    search_columns = ["name", "short_name", "frmo_oid", "is_consulting", "is_active"]
    order_columns = ["short_name", "frmo_oid"]
    base_order = ("short_name", "asc")
    validators_columns = {
        "frmo_oid": [DataRequired(), Oid(), Length(max=100)],
        "name": [DataRequired(), Length(max=500)],
        "short_name": [DataRequired(), Length(max=150)],
    }

    def pre_add(self, item):
        item.frmo_oid = item.frmo_oid.strip()

    pre_update = pre_add


class DepartmentView(TmkModelView):
    datamodel = SQLAInterface(Department)
    list_title = _l("Departments")
    show_title = add_title = edit_title = _l("Department")
    label_columns = {"name": _l("Name"), "organization": _l("Medical organization")}
    list_columns = ["name", "organization"]
    add_columns = edit_columns = show_columns = ["organization", "name"]
    search_columns = ["name", "organization"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    validators_columns = {
        "name": [
            DataRequired(),
            Length(max=300),
            UniqueTogether(Department, {"organization": "organization_id", "name": "name"},
                           _l("This organization already has a department with this name")),
        ],
        "organization": [DataRequired()],
    }
    # an МО administrator keeps the departments of his own МО
    base_filters = [["organization_id", OwnOrganizationFilter, lambda: None]]
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "organization": [["id", OwnOrganizationFilter, None]],
    }

class CareProfileView(TmkModelView):
    datamodel = SQLAInterface(CareProfile)
    list_title = _l("Care profiles")
    show_title = add_title = edit_title = _l("Care profile")
    label_columns = {"name": _l("Name"), "is_active": _l("Active")}
    list_columns = add_columns = edit_columns = show_columns = ["name", "is_active"]
    search_columns = ["name", "is_active"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    validators_columns = {"name": [DataRequired(), Length(max=200)]}


def _at_least_one(fields: list[str], message):
    """A validator for the first of a group of check boxes: one of them must be ticked."""

    def check(form, field):
        if not any(form[name].data for name in fields):
            raise ValidationError(message)

    return check


class RouteView(TmkModelView):
    datamodel = SQLAInterface(Route)
    list_title = _l("Routes")
    show_title = add_title = edit_title = _l("Route")
    label_columns = {
        "consulting_organization": _l("Consulting medical organization"),
        "care_profile": _l("Care profile"),
        "allow_emergency": URGENCY_LABELS["emergency"],
        "allow_urgent": URGENCY_LABELS["urgent"],
        "allow_planned": URGENCY_LABELS["planned"],
        "allow_sync": MODE_LABELS["sync"],
        "allow_deferred": MODE_LABELS["deferred"],
        "allow_mixed": MODE_LABELS["mixed"],
        "urgencies": _l("Urgencies"),
        "modes": _l("Modes"),
        "assignment": _l("Assignment"),
        "requires_approval": _l("Approval by the requesting organization"),
        "is_active": _l("Active"),
        "note": _l("Note"),
    }
    _form = [
        "care_profile", "consulting_organization",
        "allow_emergency", "allow_urgent", "allow_planned",
        "allow_sync", "allow_deferred", "allow_mixed",
        "assignment", "requires_approval", "is_active", "note",
    ]
    add_columns = edit_columns = _form
    list_columns = ["care_profile", "consulting_organization", "urgencies", "modes", "assignment", "requires_approval", "is_active"]
    show_columns = ["care_profile", "consulting_organization", "urgencies", "modes", "assignment", "requires_approval", "is_active", "note"]
    search_columns = ["care_profile", "consulting_organization", "assignment", "requires_approval", "is_active"]
    order_columns = ["assignment"]
    add_fieldsets = edit_fieldsets = [
        (_l("Route"), {"fields": ["care_profile", "consulting_organization"]}),
        (_l("Allowed urgencies"), {"fields": ["allow_emergency", "allow_urgent", "allow_planned"]}),
        (_l("Allowed modes"), {"fields": ["allow_sync", "allow_deferred", "allow_mixed"]}),
        (_l("Processing"), {"fields": ["assignment", "requires_approval", "is_active", "note"]}),
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "assignment": SelectField(
            _l("Assignment"), choices=list(ASSIGNMENT_LABELS.items()), validators=[DataRequired()]
        ),
    }
    validators_columns = {
        "care_profile": [DataRequired()],
        "consulting_organization": [
            DataRequired(),
            UniqueTogether(Route, {"consulting_organization": "consulting_organization_id",
                                   "care_profile": "care_profile_id"},
                           _l("This organization already has a route for this care profile")),
        ],
        "allow_emergency": [_at_least_one(["allow_emergency", "allow_urgent", "allow_planned"],
                                          _l("Allow at least one urgency"))],
        "allow_sync": [_at_least_one(["allow_sync", "allow_deferred", "allow_mixed"],
                                     _l("Allow at least one mode"))],
    }
    # only consulting organizations can be chosen
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "consulting_organization": [["is_consulting", FilterEqual, True], ["is_active", FilterEqual, True]],
        "care_profile": [["is_active", FilterEqual, True]],
    }
    formatters_columns = {
        "assignment": lambda code: str(ASSIGNMENT_LABELS.get(code, code)),
    }


def _compare(other: str, ge: bool, message):
    """The field must be >= (ge) or < (not ge) another field of the form."""

    def check(form, field):
        if field.data is None or form[other].data is None:
            return
        if (field.data >= form[other].data) != ge:
            raise ValidationError(message)

    return check


class UrgencyRuleView(TmkModelView):
    datamodel = SQLAInterface(UrgencyRule)
    list_title = _l("Urgency rules")
    show_title = add_title = edit_title = _l("Urgency rule")
    label_columns = {
        "urgency": _l("Urgency"),
        "min_minutes": _l("Minimum response time, min"),
        "max_minutes": _l("Maximum response time, min"),
        "warning_minutes": _l("Warn before the deadline, min"),
        "effective_from": _l("Effective from"),
        "legal_basis": _l("Legal basis"),
    }
    add_columns = edit_columns = show_columns = [
        "urgency", "min_minutes", "max_minutes", "warning_minutes", "effective_from", "legal_basis",
    ]
    list_columns = ["urgency", "min_minutes", "max_minutes", "warning_minutes", "effective_from", "legal_basis"]
    search_columns = ["urgency", "effective_from"]
    order_columns = ["urgency", "effective_from"]
    base_order = ("effective_from", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "urgency": SelectField(_l("Urgency"), choices=list(URGENCY_LABELS.items()), validators=[DataRequired()]),
        "min_minutes": IntegerField(_l("Minimum response time, min"), [InputRequired(), NumberRange(min=0)]),
        "max_minutes": IntegerField(
            _l("Maximum response time, min"),
            [InputRequired(), NumberRange(min=1),
             _compare("min_minutes", ge=True, message=_l("The maximum must not be less than the minimum"))],
        ),
        "warning_minutes": IntegerField(
            _l("Warn before the deadline, min"),
            [InputRequired(), NumberRange(min=0),
             _compare("max_minutes", ge=False, message=_l("The warning must come before the deadline"))],
        ),
        "effective_from": ru_date_field(_l("Effective from"), [
            InputRequired(),
            UniqueTogether(UrgencyRule, {"urgency": "urgency", "effective_from": "effective_from"},
                           _l("This urgency already has a rule from this date")),
        ]),
    }
    validators_columns = {"legal_basis": [Optional(), Length(max=300)]}
    formatters_columns = {
        "urgency": lambda code: str(URGENCY_LABELS.get(code, code)),
    }

