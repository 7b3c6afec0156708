"""/api/v1/requests/<id>/video: a request's room for whoever may see the request (404 otherwise) — the
room page's script and a МИС both enter through it —, the reports a room page makes about its own user,
which the request's history is written from (app/video/sessions.py), and the calls that ring its
participants («Позвонить консультанту» / «Позвонить всем участникам», app/video/calls.py)."""
from flask import g
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from app.api.base import WorkflowApiMixin
from app.core.errors import WorkflowError
from app.extensions import db
from app.schemas.calls import CallSchema
from app.schemas.video import VideoReportSchema
from app.security.requests import find_visible_request
from app.video import calls, sessions
from app.video.entry import enter
from app.video.rooms import not_configured_message

REPORTS = {
    "joined": sessions.joined,
    "still_there": sessions.still_there,
    "left": sessions.left,
    "recording_started": lambda actor, request: sessions.recording(actor, request, started=True),
    "recording_stopped": lambda actor, request: sessions.recording(actor, request, started=False),
}


class VideoApi(WorkflowApiMixin, BaseApi):
    resource_name = "requests"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]
    openapi_spec_tag = "Video"
    openapi_spec_component_schemas = (VideoReportSchema, CallSchema)

    def _room_request(self, request_id):
        """The request, or the answer refusing it: 404 if the user may not see it, 409 if there is no video."""
        found = find_visible_request(db.session, g.user, request_id)
        if found is None:
            return None, self.response_404()
        message = not_configured_message()
        return found, message and self.response(409, message=message)

    @expose("/<int:request_id>/video", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def room(self, request_id):
        """The request's video room on the portal's Jitsi server and the user's token for it.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: "{domain, room, jwt, moderator}: the token (HS256, at most an hour) opens this room only"
            404: {description: "no such request, or the user may not see it"}
            409: {description: "no video server is configured, or the room is not open to the user now (message)"}
        """
        found, refused = self._room_request(request_id)
        if refused:
            return refused
        try:
            return self.response(200, **enter(g.user, found).as_json())
        except WorkflowError as error:
            return self._workflow_error(error)

    @expose("/<int:request_id>/video/events", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def report(self, request_id):
        """What happened to the reporting user in the room: the server records it with its own time.
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/VideoReportSchema'
          responses:
            200: {description: "{in_session: whether the user is in the request's open session now}"}
            400: {description: "the body is not a JSON object; a cookie-authenticated call without the CSRF token"}
            404: {description: "no such request, or the user may not see it"}
            409: {description: "no video server, or not possible now (message): a closed request, recording by a non-moderator"}
            422: {description: "an unknown event"}
        """
        found, refused = self._room_request(request_id)
        if refused:
            return refused
        body, refused = self._json(VideoReportSchema())
        if refused:
            return refused
        try:
            REPORTS[body["event"]](g.user, found)
        except WorkflowError as error:
            db.session.rollback()
            return self._workflow_error(error)
        return self.response(200, in_session=sessions.is_present(g.user, found))

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
