"""/api/v1/requests/<id>/messages: the request's chat over plain HTTP, for browsers without
WebSocket, for files (the browser uploads them here, then the socket broadcasts them) and for medical
information systems; only the dialog's members get in (404 otherwise), and a consultant who may take
the new request reads it (app/security/chat.py), without a read mark, and may not post (403)."""
from flask import current_app, g, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app.api.base import load_json
from app.documents.serving import send_document
from app.documents.storage import store_upload
from app.extensions import db
from app.models import Dialog, Message
from app.schemas.dumps import message_json
from app.schemas.identifiers import MAX_ID, ascii_digits
from app.schemas.messages import MessageSchema
from app.security.audit import audit
from app.security.chat import member_dialog, readable_dialog, reads_before_taking
from app.security.documents import readable_document
from app.workflow import chat
from app.workflow.other_patient import CONFIRM_FIELD, OtherPatient, check_same_patient
from app.core.errors import InvalidInput, WorkflowError


def _too_large() -> str:
    return str(_l("The file is larger than %(mb)d MB, the largest the portal accepts",
                  mb=current_app.config["TMK_MAX_UPLOAD_MB"]))


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
        """The chat's messages after a given id, oldest first; what is returned counts as read by a member.
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          - {in: query, name: after, schema: {type: integer, minimum: 0}, description: "the last message id the client has"}
          - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 200}}
          responses:
            200: {description: "{result: [messages], unread: number}"}
            400: {description: "after or limit is not a number"}
            404: {description: "no such request, or the user may not read its chat"}
        """
        after, limit = request.args.get("after", "0"), request.args.get("limit", "100")
        if not (ascii_digits(after) and ascii_digits(limit) and int(after) <= MAX_ID and 1 <= int(limit) <= 200):
            return self.response_400(message=str(_l("after and limit (1–200) are numbers")))
        access = readable_dialog(db.session, g.user, request_id)
        if access is None:
            return self.response_404()
        found = chat.history(db.session, access.dialog, after=int(after), limit=int(limit))
        if found and access.member:  # a reader before the take has no seat to keep a mark on
            chat.mark_read(db.session, access.dialog, g.user, found[-1].id)
            db.session.commit()
        return self.response(200, result=[message_json(chat.StoredMessage.of(m)) for m in found])

    @expose("/<int:request_id>/messages", methods=["POST"])
    @protect()
    @safe
    @permission_name("act")
    def send(self, request_id):
        """Post a message to the request's chat: text, a new file, or a document from «Документы».
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
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file: {type: string, format: binary, description: "PDF, JPEG, PNG, DOCX, XLSX, TXT, DICOM, WebM, Ogg or MP4, checked by content"}
                    text: {type: string}
                    client_id: {type: string}
                    recorded: {type: string, enum: [audio, video]}
          responses:
            201: {description: "the stored message, with its id and its file"}
            400: {description: "the body is not a JSON object or a form; a request with the session cookie without the page's CSRF token"}
            403: {description: "the user reads the chat of a new request he may take, and writes in it once he has taken it"}
            404: {description: "no such request, the user is not a member of its chat, or a document he may not read"}
            409: {description: "refused now (message); a document of another patient's request also has confirm: the field to send true once the user agreed to message, the question naming both patients"}
            413: {description: "the file is larger than TMK_MAX_UPLOAD_MB"}
            422: {description: "an empty or too long message, a file of a type the portal does not accept"}
        """
        try:
            is_form = request.mimetype == "multipart/form-data"
            body = request.form.to_dict() if is_form else request.get_json(silent=True)
            upload = request.files.get("file") if is_form else None
        except RequestEntityTooLarge:
            return self.response(413, message=_too_large())
        data, refused = load_json(MessageSchema(), body)
        if refused:
            return self.response(refused[0], message=refused[1])
        dialog = member_dialog(db.session, g.user, request_id)
        if dialog is None and reads_before_taking(db.session, g.user, request_id):
            return self.response(403, message=str(_l("The chat can be written in once the request is taken into work")))
        if dialog is None:
            return self.response_404()
        try:
            message = self._post(dialog, data, upload)
        except WorkflowError as error:
            db.session.rollback()
            # the question to ask, and the field that confirms it
            asks = {"confirm": CONFIRM_FIELD} if isinstance(error, OtherPatient) else {}
            return self.response(error.http_status, message=error.message, **asks)
        if message is None:
            return self.response_404()
        db.session.commit()
        return self.response(201, result=message_json(message))

    @staticmethod
    def _post(dialog, data, upload):
        """The message stored; None when the chosen document is not the sender's to share."""
        if upload is not None and data["document_id"] is not None:
            raise InvalidInput(_l("Attach one file: from the computer or from «Documents»"))
        if upload is not None:
            document = store_upload(g.user, upload.filename, upload.read())
            return chat.post_file(db.session, dialog, g.user, document, data["text"], recorded=data["recorded"],
                                  client_id=data["client_id"])
        if data["recorded"] is not None:
            raise InvalidInput(_l("«recorded» goes only with a file"))
        if data["document_id"] is not None:
            document = readable_document(db.session, g.user, data["document_id"])
            if document is None:
                return None
            check_same_patient(db.session, g.user, document.id, dialog.request, data[CONFIRM_FIELD])
            return chat.post_file(db.session, dialog, g.user, document, data["text"], client_id=data["client_id"])
        return chat.post_message(db.session, dialog, g.user, data["text"], client_id=data["client_id"])

    @expose("/<int:request_id>/messages/<int:message_id>/file", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def file(self, request_id, message_id):
        """The file of a chat message, for a client with a JWT (pages use the message's download_url).
        ---
        get:
          parameters:
          - {in: path, name: request_id, required: true, schema: {type: integer}}
          - {in: path, name: message_id, required: true, schema: {type: integer}}
          responses:
            200: {description: "the file, with an RFC 6266 Content-Disposition"}
            404: {description: "no such message with a file, or the user may not read it"}
        """
        message = (db.session.query(Message).join(Dialog)
                   .filter(Message.id == message_id, Dialog.request_id == request_id,
                           Message.document_id.is_not(None)).one_or_none())
        if message is None:
            audit(g.user, "read_denied", "message_file", message_id)
            return self.response_404()
        document = readable_document(db.session, g.user, message.document_id)
        if document is None:
            return self.response_404()
        audit(g.user, "download", "document", document.id)
        return send_document(document, inline=False)
