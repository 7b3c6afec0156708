"""/api/v1/requests/ and /api/v1/routes/ for medical information systems: the same workflow and the
same visibility as the pages (JWT from /api/v1/security/login, or the browser session)."""
from flask import g, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l

from app.api.base import WorkflowApiMixin
from app.extensions import db
from app.models import Route, utcnow
from app.schemas.dumps import request_json, request_summary_json
from app.schemas.requests import ActionSchema, CreateRequestSchema
from app.security.audit import audit
from app.core.errors import WorkflowError
from app.security.list_args import BadListArgument, list_filters, number_arg
from app.security.requests import TABS, find_visible_request, list_requests
from app.workflow import apply, deadlines
from app.workflow.requests import save_request
from app.workflow.transitions import BY_HAND, allowed_actions
from app.workflow.validation import request_data


def request_summary(consultation, now) -> dict:
    return request_summary_json(consultation, deadlines.time_left(consultation, now))


def request_detail(consultation, actor, now) -> dict:
    return request_json(consultation, deadlines.time_left(consultation, now), allowed_actions(actor, consultation))


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
            consultation = save_request(g.user, request_data(body), submit=body["submit"])
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
