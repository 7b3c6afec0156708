"""/api/v1/requests/<id>/messages: the request's chat over plain HTTP, for browsers without
WebSocket and for medical information systems; only the dialog's members get in (404 otherwise)."""
from flask import g, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from app.api.requests import russian_messages
from app.extensions import db
from app.security.chat import member_dialog
from app.workflow import chat
from app.views.formatting import format_datetime
from app.workflow.errors import WorkflowError


class MessageSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(max=chat.MAX_TEXT))
    client_id = fields.String(load_default=None, validate=validate.Length(max=64),
                              metadata={"description": "the client's id of the message: a retried send is stored once"})


def message_json(message) -> dict:
    return {
        "id": message.id, "kind": message.kind,
        "author": {"id": message.author.id, "name": message.author.short_name} if message.author else None,
        "text": chat.system_text(message.event) if message.kind == "system" else message.text,
        "created_at": message.created_at.isoformat(timespec="seconds") + "Z",
        "shown_at": format_datetime(message.created_at),  # in the portal's time zone, as the pages show it
        "client_id": message.client_id,
    }


class MessageApi(BaseApi):
    resource_name = "requests"
    allow_browser_login = True
    class_permission_name = "Requests"
    base_permissions = ["can_read", "can_act"]
    openapi_spec_tag = "Messages"
    openapi_spec_component_schemas = (MessageSchema,)

    @expose("/<int:request_id>/messages", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def messages(self, request_id):
        """The chat's messages after a given id, oldest first; what is returned counts as read.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          - {in: query, name: after, schema: {type: integer, minimum: 0}, description: "the last message id the client has"}
          - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 200}}
          responses:
            200: {description: "{result: [messages], unread: number}"}
            400: {description: "after or limit is not a number"}
            404: {description: "no such request, or the user is not a member of its chat"}
        """
        after, limit = request.args.get("after", "0"), request.args.get("limit", "100")
        if not (after.isdigit() and limit.isdigit() and 1 <= int(limit) <= 200):
            return self.response_400(message=str(_l("after and limit (1–200) are numbers")))
        dialog = member_dialog(db.session, g.user, request_id)
        if dialog is None:
            return self.response_404()
        found = chat.history(db.session, dialog, after=int(after), limit=int(limit))
        if found:
            chat.mark_read(db.session, dialog, g.user, found[-1].id)
            db.session.commit()
        return self.response(200, result=[message_json(m) for m in found])

    @expose("/<int:request_id>/messages", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def send(self, request_id):
        """Post a text message to the request's chat.
        ---
        post:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  $ref: '#/components/schemas/MessageSchema'
          responses:
            201: {description: "the stored message, with its id"}
            400: {description: "the body is not a JSON object"}
            404: {description: "no such request, or the user is not a member of its chat"}
            422: {description: "an empty or too long message"}
        """
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_l("The request body must be a JSON object")))
        try:
            data = MessageSchema().load(body)
        except ValidationError as error:
            return self.response(422, message=russian_messages(error.messages))
        dialog = member_dialog(db.session, g.user, request_id)
        if dialog is None:
            return self.response_404()
        try:
            message = chat.post_message(db.session, dialog, g.user, data["text"], client_id=data["client_id"])
        except WorkflowError as error:
            db.session.rollback()
            return self.response(error.http_status, message=error.message)
        db.session.commit()
        return self.response(201, result=message_json(message))
