"""The /chat namespace: only a signed-in user connects; a client joins only the chats the server finds
it a member of, or a reader of (app/security/chat.py: a consultant who may take the new request hears
its messages in a room of readers, emptied at the request's every change, and sends nothing); a
message is stored first, then broadcast, and the sender's acknowledgement carries
the stored id. Messages stored elsewhere (REST, system messages) are broadcast after their commit."""
from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from app.core.events import CHAT_NAMESPACE as NAMESPACE, readers_room, request_room as room_of
from app.extensions import db, socketio
from app.realtime.revocation import join_revocation_rooms
from app.realtime.chat_writer import writer_of
from app.security.chat import member_dialog, readable_dialog
from app.security.sessions import SESSION_ID_KEY
from app.schemas.identifiers import MAX_ID

SOCKET_USER = "tmk_socket_user_id"


def _request_id(data) -> int:
    """The request id of an event, 0 for anything that cannot be one (the event then answers «no such
    chat» at once instead of failing in the query)."""
    value = data.get("request_id") if isinstance(data, dict) else None
    return value if type(value) is int and 0 < value <= MAX_ID else 0


class ChatNamespace(Namespace):
    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        # this socket's own copy of the session: its sends and read marks go to the writer by user id,
        # and the writer checks the account and the membership for each of them
        session[SOCKET_USER] = current_user.id
        join_revocation_rooms(current_user.id, session.get(SESSION_ID_KEY))

    def _dialog(self, data, check=member_dialog):
        # a session taken back while its socket was open (app/security/sessions.py) is no one's
        request_id = _request_id(data)
        if not (request_id and current_user.is_authenticated):
            return None
        return check(db.session, current_user, request_id)

    def on_join(self, data=None):
        access = self._dialog(data, readable_dialog)
        if access is None:
            return {"ok": False, "error": _("No such chat")}
        request_id = access.dialog.request_id
        if access.member:
            join_room(room_of(request_id))
            return {"ok": True}
        join_room(readers_room(request_id))
        return {"ok": True, "read_only": True}

    def on_send(self, data):
        if not _request_id(data) or SOCKET_USER not in session:
            return {"ok": False, "error": _("No such chat")}
        text = data.get("text") if isinstance(data.get("text"), str) else ""
        client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
        return writer_of(current_app).send(session[SOCKET_USER], _request_id(data), text,
                                           (client_id or "")[:64] or None, remote_addr=request.remote_addr)

    def on_typing(self, data):
        dialog = self._dialog(data)
        if dialog is not None:
            emit("typing", {"request_id": dialog.request_id, "name": current_user.short_name},
                 to=room_of(dialog.request_id), include_self=False)

    def on_read(self, data):
        message_id = data.get("message_id") if isinstance(data, dict) else None
        if _request_id(data) and type(message_id) is int and 0 < message_id <= MAX_ID and SOCKET_USER in session:
            writer_of(current_app).mark_read(session[SOCKET_USER], _request_id(data), message_id,
                                             remote_addr=request.remote_addr)


def register_realtime() -> None:
    """Once per process: the namespace object is shared by every app this process builds."""
    if not any(handler.namespace == NAMESPACE for handler in socketio.namespace_handlers):
        socketio.on_namespace(ChatNamespace(NAMESPACE))
