"""Creating a request (the manual's «Выбор профиля консультации», then the МО, then the form) and
editing a draft. The form only collects; app/workflow decides."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l
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
from wtforms.validators import Length, Optional

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
from app.security.requests import visible_request_or_404
from app.validators import ascii_digits
from app.views.fields import ru_date_field
from app.core.errors import InvalidInput, WorkflowError
from app.workflow.requests import save_request
from app.workflow.rules import may_create, may_edit_draft
from app.workflow.validation import ExternalRecordData, PatientData, RequestData


def _text(field) -> str:
    """A text field's value; a field missing from the post reads as empty."""
    return (field.data or "").strip()


class RecordForm(Form):
    source = SelectField(_l("Source"), choices=[("", "—"), *EXTERNAL_SOURCE_LABELS.items()], validate_choice=False)
    record_date = ru_date_field(_l("Date"), [Optional()])
    title = StringField(_l("Title"), [Optional(), Length(max=300)])
    summary = TextAreaField(_l("Summary"), [Optional(), Length(max=4000)])


class RequestForm(DynamicForm):
    urgency = RadioField(_l("Urgency"), choices=[], validate_choice=False)
    mode = RadioField(_l("Mode"), choices=[], validate_choice=False)
    goal = SelectField(_l("Goal"), choices=[("", "—"), *[(str(k), v) for k, v in GOAL_LABELS.items()]],
                       validate_choice=False)
    question = TextAreaField(_l("Question to the consultant"), [Length(max=4000)])
    anamnesis = TextAreaField(_l("Anamnesis"), [Length(max=20000)])
    diagnosis_code = StringField(_l("ICD-10 code"), [Length(max=10)])
    diagnosis_text = StringField(_l("Diagnosis"), [Length(max=500)])
    patient_snils = StringField(_l("SNILS"), [Length(max=20)])
    patient_oms_policy = StringField(_l("OMS policy"), [Length(max=16)])
    patient_last_name = StringField(_l("Last name"), [Length(max=64)])
    patient_first_name = StringField(_l("First name"), [Length(max=64)])
    patient_middle_name = StringField(_l("Middle name"), [Length(max=64)])
    patient_birth_date = ru_date_field(_l("Birth date"), [Optional()])
    patient_sex = SelectField(_l("Sex"), choices=[("", "—"), *SEX_LABELS.items()], validate_choice=False)
    consent_given = BooleanField(_l("The patient has given informed voluntary consent"))
    consent_scan = FileField(_l("Consent scan (optional)"))
    records = FieldList(FormField(RecordForm), min_entries=3, max_entries=10)
    attachments = MultipleFileField(_l("Attachments"))

    def to_data(self, route_id: int) -> RequestData:
        patient = PatientData(
            last_name=_text(self.patient_last_name), first_name=_text(self.patient_first_name),
            middle_name=_text(self.patient_middle_name), birth_date=self.patient_birth_date.data,
            sex=self.patient_sex.data, snils=_text(self.patient_snils),
            oms_policy=_text(self.patient_oms_policy),
        )
        has_patient = any([patient.last_name, patient.first_name, patient.snils, patient.oms_policy,
                           patient.birth_date])
        records = [
            ExternalRecordData(source=row.source.data, record_date=row.record_date.data, title=_text(row.title),
                               summary=_text(row.summary))
            for row in self.records if _text(row.title) or row.source.data
        ]
        return RequestData(
            route_id=route_id, urgency=self.urgency.data or None, mode=self.mode.data or None,
            goal=int(self.goal.data) if ascii_digits(self.goal.data) else None,
            question=_text(self.question), anamnesis=_text(self.anamnesis),
            diagnosis_code=_text(self.diagnosis_code).upper(), diagnosis_text=_text(self.diagnosis_text),
            consent_given=self.consent_given.data, patient=patient if has_patient else None,
            external_records=records,
        )

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
