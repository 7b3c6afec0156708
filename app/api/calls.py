"""/api/v1/requests/<id>/video/call: «Позвонить консультанту» / «Позвонить всем участникам» (issue 14), for
the chat's buttons and for medical information systems. Whoever may not see the request gets 404; one who
sees it but is no member of its chat, or a call that is not possible now, gets 409 with the reason."""
from flask import g
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.base import WorkflowApiMixin
from app.core.errors import WorkflowError
from app.extensions import db
from app.schemas.calls import CallSchema
from app.security.requests import find_visible_request
from app.video import calls


class CallApi(WorkflowApiMixin, BaseApi):
    resource_name = "requests"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]
    openapi_spec_tag = "Video calls"
    openapi_spec_component_schemas = (CallSchema,)

    @expose("/<int:request_id>/video/call", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def call(self, request_id):
        """Ring the request's consultant or every participant of its chat: each one online gets the incoming
        call's window at once (Socket.IO), whoever does not answer within TMK_VIDEO_CALL_TIMEOUT_SECONDS
        missed it (a system message in the chat, a notification). The room is /requests/<id>/video.
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/CallSchema'
          responses:
            201: {description: "the call: call_id, request_id, number, room_url, callees [{user_id, name, state}]"}
            400: {description: "the body is not a JSON object; a request with the session cookie without the page's CSRF token"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "not possible now (message): no video server configured, the user is not a participant of the open request's chat, no consultant yet, nobody to call, his call still ringing"}
            422: {description: "«to» is missing or not consultant or all"}
        """
        data, refused = self._json(CallSchema())
        if refused:
            return refused
        consultation = find_visible_request(db.session, g.user, request_id)
        if consultation is None:
            return self.response_404()
        try:
            progress = calls.start_call(g.user, consultation, data["to"])
        except WorkflowError as error:
            db.session.rollback()
            return self._workflow_error(error)
        return self.response(201, result=progress)
