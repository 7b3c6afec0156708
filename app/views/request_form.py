"""Creating a request (the manual's «Выбор профиля консультации», then the МО, then the form) and
editing a draft. The form only collects; app/workflow decides. «Найти пациента» fills the form's patient
from a request the user may already see."""
from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from wtforms import (
    BooleanField,
    FieldList,
    FileField,
    Form,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.documents.storage import check_upload
from app.extensions import db
from app.models import (
    EXTERNAL_SOURCE_LABELS,
    GOAL_LABELS,
    MODE_LABELS,
    SEX_LABELS,
    URGENCY_LABELS,
    CareProfile,
    MedicalOrganization,
    Route,
)
from app.schemas.base import flat_messages, load_partial, max_length
from app.schemas.identifiers import format_snils, normalize_snils, oms_error, snils_error
from app.schemas.requests import CreateRequestSchema, ExternalRecordSchema, PatientSchema
from app.security.audit import audit
from app.security.requests import find_visible_patient, visible_request_or_404
from app.views.fields import DATE_FORMAT, ru_date_field
from app.core.errors import InvalidInput, WorkflowError
from app.workflow.requests import save_request
from app.workflow.rules import may_create, may_edit_draft
from app.workflow.validation import RequestData, request_data


def _text(field) -> str:
    """A text field's value; a field missing from the post reads as empty."""
    return (field.data or "").strip()


def _limit(schema, name: str) -> dict:
    """The input's maxlength, from the field's length in the request's schema."""
    return {"maxlength": max_length(schema, name)}


class RecordForm(Form):
    source = SelectField(_l("Source"), choices=[("", "—"), *EXTERNAL_SOURCE_LABELS.items()], validate_choice=False)
    record_date = ru_date_field(_l("Date"), [Optional()])
    title = StringField(_l("Title"), render_kw=_limit(ExternalRecordSchema, "title"))
    summary = TextAreaField(_l("Summary"), render_kw=_limit(ExternalRecordSchema, "summary"))


class RequestForm(DynamicForm):
    """The request's fields; their data is loaded through the API's schema (app/schemas/requests.py)."""

    urgency = RadioField(_l("Urgency"), choices=[], validate_choice=False)
    mode = RadioField(_l("Mode"), choices=[], validate_choice=False)
    goal = SelectField(_l("Goal"), choices=[("", "—"), *[(str(k), v) for k, v in GOAL_LABELS.items()]],
                       validate_choice=False)
    question = TextAreaField(_l("Question to the consultant"), render_kw=_limit(CreateRequestSchema, "question"))
    anamnesis = TextAreaField(_l("Anamnesis"), render_kw=_limit(CreateRequestSchema, "anamnesis"))
    diagnosis_code = StringField(_l("ICD-10 code"), render_kw=_limit(CreateRequestSchema, "diagnosis_code"))
    diagnosis_text = StringField(_l("Diagnosis"), render_kw=_limit(CreateRequestSchema, "diagnosis_text"))
    patient_snils = StringField(_l("SNILS"), render_kw=_limit(PatientSchema, "snils"))
    patient_oms_policy = StringField(_l("OMS policy"), render_kw=_limit(PatientSchema, "oms_policy"))
    patient_last_name = StringField(_l("Last name"), render_kw=_limit(PatientSchema, "last_name"))
    patient_first_name = StringField(_l("First name"), render_kw=_limit(PatientSchema, "first_name"))
    patient_middle_name = StringField(_l("Middle name"), render_kw=_limit(PatientSchema, "middle_name"))
    patient_birth_date = ru_date_field(_l("Birth date"), [Optional()])
    patient_sex = SelectField(_l("Sex"), choices=[("", "—"), *SEX_LABELS.items()], validate_choice=False)
    consent_given = BooleanField(_l("The patient has given informed voluntary consent"))
    consent_scan = FileField(_l("Consent scan (optional)"))
    records = FieldList(FormField(RecordForm), min_entries=3, max_entries=10)
    attachments = MultipleFileField(_l("Attachments"))

    def to_data(self, route_id: int) -> RequestData:
        """The form's data as the API's body would carry it, loaded through the same schema."""
        patient = {name: _text(getattr(self, f"patient_{name}"))
                   for name in ("last_name", "first_name", "middle_name", "sex", "snils", "oms_policy")}
        patient["birth_date"] = self.patient_birth_date.data
        has_patient = any(patient[name] for name in ("last_name", "first_name", "snils", "oms_policy", "birth_date"))
        body = {
            "route": route_id, "urgency": self.urgency.data, "mode": self.mode.data, "goal": self.goal.data,
            **{name: _text(getattr(self, name)) for name in ("question", "anamnesis", "diagnosis_code",
                                                              "diagnosis_text")},
            "consent_given": self.consent_given.data, "patient": patient if has_patient else None,
            "external_records": [{"source": row.source.data, "record_date": row.record_date.data,
                                  "title": _text(row.title), "summary": _text(row.summary)}
                                 for row in self.records if _text(row.title) or row.source.data],
        }
        try:
            return request_data(load_partial(CreateRequestSchema(), body))
        except ValidationError as error:
            raise InvalidInput(_l("Check the highlighted fields"), fields=flat_messages(error.messages)) from None

    def fill_from(self, consultation) -> None:
        for name in ("urgency", "mode", "question", "anamnesis", "diagnosis_code", "diagnosis_text", "consent_given"):
            getattr(self, name).data = getattr(consultation, name)
        self.goal.data = str(consultation.goal or "")
        patient = consultation.patient
        if patient is not None:
            for name in ("last_name", "first_name", "middle_name", "birth_date", "sex", "snils", "oms_policy"):
                getattr(self, f"patient_{name}").data = getattr(patient, name) or ""
            self.patient_birth_date.data = patient.birth_date
        for row, record in zip(self.records, consultation.external_records):
            row.source.data, row.record_date.data = record.source, record.record_date
            row.title.data, row.summary.data = record.title, record.summary

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put the workflow's messages next to their fields."""
        for key, message in problems.items():
            name = key.replace("patient-", "patient_").replace("route_id", "urgency")
            if name.startswith("external_records-"):
                index = int(name.split("-")[1])
                field = self.records[index].title if index < len(self.records) else None
            elif name == "patient":
                field = self.patient_last_name
            else:
                field = getattr(self, name, None)
            if field is not None:
                field.errors = [*field.errors, message]


def _uploads(form: RequestForm) -> list[tuple[str, bytes, str]]:
    """(name, bytes, kind) of the chosen files, checked by content before anything is saved."""
    files = [(f, "attachment") for f in form.attachments.data or [] if getattr(f, "filename", "")]
    if getattr(form.consent_scan.data, "filename", ""):
        files.append((form.consent_scan.data, "consent"))
    uploads = []
    for storage, kind in files:
        data = storage.read()
        try:
            name, _content_type = check_upload(storage.filename, data)
        except InvalidInput as error:
            field = form.consent_scan if kind == "consent" else form.attachments
            field.errors = [error.message]
            raise InvalidInput(_l("Check the highlighted fields")) from None
        uploads.append((name, data, kind))
    return uploads


def _lookup_numbers(body) -> tuple[str, str]:
    """(СНИЛС as 11 digits, полис) of a «Найти пациента» body; InvalidInput for anything else."""
    if not isinstance(body, dict) or not all(isinstance(body.get(k, ""), str) for k in ("snils", "oms_policy")):
        raise InvalidInput(_l("Enter the SNILS or the OMS policy number"))
    snils, policy = body.get("snils", "").strip()[:32], body.get("oms_policy", "").strip()[:32]
    if not (snils or policy):
        raise InvalidInput(_l("Enter the SNILS or the OMS policy number"))
    error = (snils and snils_error(snils)) or oms_error(policy)
    if error:
        raise InvalidInput(error)
    return normalize_snils(snils), policy


def _patient_json(patient) -> dict:
    """The form's patient fields, as the form shows them."""
    return {"last_name": patient.last_name, "first_name": patient.first_name, "middle_name": patient.middle_name or "",
            "birth_date": patient.birth_date.strftime(DATE_FORMAT), "sex": patient.sex,
            "snils": format_snils(patient.snils), "oms_policy": patient.oms_policy or ""}


class RequestFormView(BaseView):
    route_base = "/requests"
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]

    def _require_creator(self):
        if not may_create(g.user):
            abort(403)

    @expose("/new/")
    @has_access
    @permission_name("act")
    def choose_profile(self):
        self._require_creator()
        profiles = (db.session.query(CareProfile).filter(CareProfile.is_active.is_(True))
                    .filter(CareProfile.id.in_(db.session.query(Route.care_profile_id).filter(Route.is_active.is_(True))))
                    .order_by(CareProfile.name).all())
        return self.render_template("requests/new_profile.html", title=_l("Choice of the consultation profile"),
                                    profiles=profiles)

    @expose("/new/profile/<int:profile_id>")
    @has_access
    @permission_name("act")
    def choose_organization(self, profile_id):
        self._require_creator()
        profile = db.session.get(CareProfile, profile_id) or abort(404)
        routes = (db.session.query(Route).join(Route.consulting_organization)
                  .filter(Route.care_profile_id == profile.id, Route.is_active.is_(True),
                          MedicalOrganization.is_active.is_(True))
                  .order_by(MedicalOrganization.short_name).all())
        return self.render_template("requests/new_organization.html", title=_l("Consulting organization"),
                                    profile=profile, routes=routes)

    @expose("/new/route/<int:route_id>", methods=["GET", "POST"])
    @has_access
    @permission_name("act")
    def create(self, route_id):
        self._require_creator()
        route = db.session.get(Route, route_id)
        if route is None or not route.is_active:
            abort(404)
        return self._form(route, None)

    @expose("/patients/lookup", methods=["POST"])
    @has_access
    @permission_name("act")
    def lookup_patient(self):
        """«Найти пациента» (JSON in and out, with the page's CSRF token): the patient of the newest request
        the user may see with this СНИЛС and/or полис. An unknown number and another МО's patient get the
        same «not found» (issue 11, item 4): the search tells nothing the user could not already read."""
        self._require_creator()
        try:
            snils, policy = _lookup_numbers(request.get_json(silent=True))
        except InvalidInput as error:
            return jsonify(message=error.message), 422
        patient = find_visible_patient(db.session, g.user, snils=snils, oms_policy=policy)
        if patient is None:
            audit(g.user, "lookup_patient_missed", "patient", "")
            return jsonify(message=str(_l("Patient not found"))), 404
        audit(g.user, "lookup_patient", "patient", patient.id)
        return jsonify(result=_patient_json(patient))

    @expose("/<int:request_id>/edit", methods=["GET", "POST"])
    @has_access
    @permission_name("act")
    def edit_draft(self, request_id):
        consultation = visible_request_or_404(db.session, g.user, request_id)
        if not may_edit_draft(g.user, consultation):
            flash(str(_l("Only the author may edit a draft")), "danger")
            return redirect(url_for("RequestsView.show", request_id=request_id))
        return self._form(consultation.route, consultation)

    def _form(self, route, draft):
        form = RequestForm()
        form.urgency.choices = [(code, URGENCY_LABELS[code]) for code in route.allowed_urgencies]
        form.mode.choices = [(code, MODE_LABELS[code]) for code in route.allowed_modes]
        if request.method == "GET" and draft is not None:
            form.fill_from(draft)
        if request.method == "POST" and form.validate():
            submit = request.form.get("send") == "submit"
            try:
                consultation = save_request(g.user, form.to_data(route.id), submit=submit, request=draft,
                                            attachments=_uploads(form))
            except InvalidInput as error:
                form.show_problems(error.fields)
                flash(error.message, "danger")
            except WorkflowError as error:
                flash(error.message, "danger")
            else:
                flash(str(_l("Request %(number)s submitted", number=consultation.number) if submit
                          else _l("Draft %(number)s saved", number=consultation.number)), "success")
                return redirect(url_for("RequestsView.show", request_id=consultation.id))
        return self.render_template("requests/form.html", title=_l("New request") if draft is None else draft.number,
                                    form=form, route=route, draft=draft,
                                    drafts_allowed=g.user.organization.allows_drafts)
