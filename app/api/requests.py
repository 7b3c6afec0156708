"""/api/v1/requests/ and /api/v1/routes/ for medical information systems: the same workflow and the
same visibility as the pages (JWT from /api/v1/security/login, or the browser session)."""
from flask import g, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.api.base import WorkflowApiMixin
from app.extensions import db
from app.models import (
    EXTERNAL_SOURCE_LABELS,
    MODE_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    Route,
    utcnow,
)
from app.security.audit import audit
from app.security.list_args import BadListArgument, list_filters, number_arg
from app.security.requests import TABS, find_visible_request, list_requests
from app.validators import MAX_ID
from app.workflow import deadlines
from app.core.errors import WorkflowError
from app.workflow import apply
from app.workflow.requests import save_request
from app.workflow.transitions import BY_HAND, allowed_actions
from app.workflow.validation import MAX_EXTERNAL_RECORDS, ExternalRecordData, PatientData, RequestData

# ids are INTEGER columns (app/validators.py MAX_ID)
ID_RANGE = validate.Range(1, MAX_ID)

class PatientSchema(Schema):
    last_name = fields.String(required=True, validate=validate.Length(max=64))
    first_name = fields.String(required=True, validate=validate.Length(max=64))
    middle_name = fields.String(load_default="", validate=validate.Length(max=64))
    birth_date = fields.Date(required=True)
    sex = fields.String(required=True, validate=validate.OneOf(list(SEX_LABELS)))
    snils = fields.String(load_default="", validate=validate.Length(max=20))
    oms_policy = fields.String(load_default="", validate=validate.Length(max=16))


class ExternalRecordSchema(Schema):
    source = fields.String(required=True, validate=validate.OneOf(list(EXTERNAL_SOURCE_LABELS)))
    record_date = fields.Date(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))


class CreateRequestSchema(Schema):
    route = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "id from GET /api/v1/routes/"})
    urgency = fields.String(validate=validate.OneOf(list(URGENCY_LABELS)), load_default=None)
    mode = fields.String(validate=validate.OneOf(list(MODE_LABELS)), load_default=None)
    goal = fields.Integer(load_default=None, validate=validate.Range(1, 9),
                          metadata={"description": "1–9, the goals of the federal case"})
    question = fields.String(load_default="", validate=validate.Length(max=4000))
    anamnesis = fields.String(load_default="", validate=validate.Length(max=20000))
    diagnosis_code = fields.String(load_default="", validate=validate.Length(max=10))
    diagnosis_text = fields.String(load_default="", validate=validate.Length(max=500))
    consent_given = fields.Boolean(load_default=False)
    patient = fields.Nested(PatientSchema, load_default=None)
    external_records = fields.List(fields.Nested(ExternalRecordSchema), load_default=list, validate=validate.Length(
        max=MAX_EXTERNAL_RECORDS, error=_l("At most %(count)d external records per request", count=MAX_EXTERNAL_RECORDS)))
    submit = fields.Boolean(load_default=False, metadata={"description": "true: submit at once, else a draft"})


class ActionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
    reason = fields.String(load_default="", validate=validate.Length(max=4000))
    consultant_id = fields.Integer(load_default=None, validate=ID_RANGE)


def iso_time(moment) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.full_name} if user else None


def request_summary(consultation, now) -> dict:
    left = deadlines.time_left(consultation, now)
    return {
        "id": consultation.id, "number": consultation.number, "status": consultation.status,
        "status_label": str(STATUS_LABELS[consultation.status]), "urgency": consultation.urgency,
        "patient": consultation.patient.short_name if consultation.patient else None,
        "care_profile": {"id": consultation.care_profile_id, "name": consultation.care_profile.name},
        "consulting_organization": {"id": consultation.consulting_organization_id,
                                    "name": consultation.consulting_organization.short_name},
        "created_at": iso_time(consultation.created_at), "due_at": iso_time(consultation.due_at),
        "minutes_left": int(left.total_seconds() // 60) if left is not None else None,
    }


def request_detail(consultation, actor, now) -> dict:
    patient = consultation.patient
    return {
        **request_summary(consultation, now),
        "mode": consultation.mode, "goal": consultation.goal, "question": consultation.question,
        "anamnesis": consultation.anamnesis,
        "diagnosis": {"code": consultation.diagnosis_code, "text": consultation.diagnosis_text},
        "consent_given": consultation.consent_given, "route": consultation.route_id,
        "requesting_organization": {"id": consultation.requesting_organization_id,
                                    "name": consultation.requesting_organization.short_name},
        "author": _person(consultation.author), "consultant": _person(consultation.consultant),
        "designated_consultant": _person(consultation.designated_consultant),
        "patient": None if patient is None else {
            "last_name": patient.last_name, "first_name": patient.first_name, "middle_name": patient.middle_name,
            "birth_date": patient.birth_date.isoformat(), "sex": patient.sex, "snils": patient.snils,
            "oms_policy": patient.oms_policy},
        "external_records": [{"source": r.source, "record_date": r.record_date.isoformat(), "title": r.title,
                              "summary": r.summary} for r in consultation.external_records],
        "received_at": iso_time(consultation.received_at), "taken_at": iso_time(consultation.taken_at),
        "completed_at": iso_time(consultation.completed_at), "paused": consultation.paused_at is not None,
        "allowed_actions": allowed_actions(actor, consultation),
        "history": [{"action": e.action, "from": e.from_status, "to": e.to_status, "actor": _person(e.actor),
                     "at": iso_time(e.created_at), "comment": e.comment} for e in consultation.events],
    }


def _request_data(body: dict) -> RequestData:
    return RequestData(
        route_id=body["route"], urgency=body["urgency"], mode=body["mode"], goal=body["goal"],
        question=body["question"].strip(), anamnesis=body["anamnesis"].strip(),
        diagnosis_code=body["diagnosis_code"].strip().upper(), diagnosis_text=body["diagnosis_text"].strip(),
        consent_given=body["consent_given"],
        patient=PatientData(**body["patient"]) if body["patient"] else None,
        external_records=[ExternalRecordData(**r) for r in body["external_records"]],
    )


class RequestApi(WorkflowApiMixin, BaseApi):
    resource_name = "requests"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]
    openapi_spec_tag = "Requests"
    openapi_spec_component_schemas = (CreateRequestSchema, ActionSchema)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def create(self):
        """Create a request; with "submit": true it is submitted at once.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/CreateRequestSchema'
          responses:
            201: {description: "the request, as GET /api/v1/requests/<id> returns it"}
            400: {description: "the body is not a JSON object"}
            409: {description: "the user may not create requests"}
            422: {description: "missing or wrong fields, with Russian messages per field"}
        """
        body, failure = self._json(CreateRequestSchema())
        if failure:
            return failure
        try:
            consultation = save_request(g.user, _request_data(body), submit=body["submit"])
        except WorkflowError as error:
            db.session.rollback()
            return self._workflow_error(error)
        return self.response(201, result=request_detail(consultation, g.user, utcnow()))

    @expose("/<int:request_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def get(self, request_id):
        """A request the user takes part in, with the patient, the history and the allowed actions.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "the request"}
            404: {description: "no such request, or the user may not see it"}
        """
        consultation = find_visible_request(db.session, g.user, request_id)
        if consultation is None:
            return self.response_404()
        audit(g.user, "read_request", "consultation_request", consultation.id, "api")
        return self.response(200, result=request_detail(consultation, g.user, utcnow()))

    @expose("/tab/<tab>", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def tab(self, tab):
        """One page of a tab: all, available, in_work, outgoing or drafts.
        ---
        get:
          parameters:
          - {in: path, name: tab, required: true, schema: {type: string, enum: [all, available, in_work, outgoing, drafts]}}
          - {in: query, name: closed, schema: {type: integer, enum: [0, 1]}, description: 1 for finished requests}
          - {in: query, name: page, schema: {type: integer, minimum: 0}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 100}}
          - {in: query, name: q, schema: {type: string}, description: number or patient surname}
          - {in: query, name: status, schema: {type: string}}
          - {in: query, name: urgency, schema: {type: string}}
          - {in: query, name: profile, schema: {type: integer}}
          responses:
            200: {description: "{count, page, page_size, result: [...]}"}
            400: {description: "a wrong parameter"}
            404: {description: "no such tab"}
        """
        if tab not in TABS:
            return self.response_404()
        try:
            filters = list_filters(request.args)
            page = number_arg(request.args, "page", 0)
            page_size = number_arg(request.args, "page_size", 20, low=1, high=100)
        except BadListArgument:
            return self.response_400(message=str(_l("page, page_size (1–100), profile and closed are numbers")))
        rows, total = list_requests(db.session, g.user, tab, filters, page, page_size)
        now = utcnow()
        return self.response(200, count=total, page=page, page_size=page_size,
                             result=[request_summary(r, now) for r in rows])

    @expose("/<int:request_id>/<action>", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def transition(self, request_id, action):
        """Move a request by one of the transitions that have a button (the enum of `action`: the
        transitions table, app/workflow/transitions.py).
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          - {in: path, name: action, required: true, schema: {type: string}}
          requestBody:
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/ActionSchema'
          responses:
            200: {description: "the request after the action"}
            404: {description: "no such request or action, or the user may not see the request"}
            409: {description: "the action is not possible in this status for this user (Russian message)"}
            422: {description: "a required comment, reason or consultant is missing"}
        """
        if action not in BY_HAND:
            return self.response_404()
        consultation = find_visible_request(db.session, g.user, request_id)
        if consultation is None:
            return self.response_404()
        # an action without parameters (take, approve, …) may come without a body
        body, failure = self._json(ActionSchema()) if request.get_data() else (ActionSchema().load({}), None)
        if failure:
            return failure
        try:
            apply(g.user, consultation, action, {"comment": body["reason"] or body["comment"],
                                                 "consultant_id": body["consultant_id"]}, by_hand=True)
        except WorkflowError as error:
            return self._workflow_error(error)
        return self.response(200, result=request_detail(consultation, g.user, utcnow()))


class RouteApi(BaseApi):
    resource_name = "routes"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read"]
    openapi_spec_tag = "Routes"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def routes(self):
        """The active routes: where a request of which care profile may go, and how.
        ---
        get:
          responses:
            200: {description: "{result: [{id, care_profile, consulting_organization, urgencies, modes, assignment, requires_approval}]}"}
        """
        routes = (db.session.query(Route).filter(Route.is_active.is_(True))
                  .order_by(Route.care_profile_id, Route.consulting_organization_id).all())
        return self.response(200, result=[{
            "id": r.id, "care_profile": {"id": r.care_profile_id, "name": r.care_profile.name},
            "consulting_organization": {"id": r.consulting_organization_id, "name": r.consulting_organization.name},
            "urgencies": r.allowed_urgencies, "modes": r.allowed_modes, "assignment": r.assignment,
            "requires_approval": r.requires_approval,
        } for r in routes])
