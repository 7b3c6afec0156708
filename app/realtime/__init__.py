"""Socket.IO: the request chats in real time (namespace /chat) and the bell (namespace /notifications)."""
from urllib.parse import urlsplit

import socketio as python_socketio
from flask.sessions import SecureCookieSessionInterface
from flask_socketio import join_room

from app.extensions import socketio
from app.core.events import session_room, user_room
from app.security.sessions import sessions_revoked


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_check(app):
    """Which pages may open a socket (it carries the user's session cookie): the portal's own origin as
    the browser asked for it (scheme and Host), its public address TMK_BASE_URL (behind a proxy the Host
    the process sees may differ) and the extra origins of TMK_SOCKETIO_ORIGINS; no other site."""
    allowed = {origin_of(app.config["TMK_BASE_URL"]), *app.config["SOCKETIO_CORS_ORIGINS"]}

    def check(origin: str, environ: dict) -> bool:
        own = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', '')}".lower()
        return origin in allowed or origin == own

    return check


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask-SocketIO pushes a request context for every socket event, with the environ of the socket's
    handshake, and then replaces the session Flask opened from the cookie by the socket's own copy (kept
    in that environ as "saved_session"). Opening the cookie again for every event parsed and verified it
    for nothing: two thirds of what pushing the context cost. An HTTP request's environ has no such copy."""

    def open_session(self, app, request):
        socket_session = request.environ.get("saved_session")
        return socket_session if socket_session is not None else super().open_session(app, request)


def _disconnect_here(server, room: str, namespace: str) -> None:
    """Disconnect this process' sockets in the room."""
    for sid, _ in list(server.manager.get_participants(namespace, room)):
        server.disconnect(sid, namespace=namespace, ignore_queue=True)


class RevokingRedisManager(python_socketio.RedisManager):
    """Flask-SocketIO's Redis client manager, which can also disconnect a whole room in every process.
    python-socketio disconnects one socket id at a time (Server.disconnect), and a process knows the
    rooms of its own sockets only; so the room's close is published with "disconnect" set, and every
    process disconnects its own members of it (a process of an older release just closes the room)."""

    def disconnect_room(self, room: str, namespace: str) -> None:
        message = {"method": "close_room", "room": room, "namespace": namespace, "disconnect": True,
                   "host_id": self.host_id}
        self._handle_close_room(message)
        self._publish(message)

    def _handle_close_room(self, message):
        if message.get("disconnect"):
            _disconnect_here(self.server, message["room"], message["namespace"])
        super()._handle_close_room(message)


def _disconnect_revoked(_app, user_ids=(), session_ids=(), **_) -> None:
    """Sessions or accounts taken back (app/security/sessions.py): their sockets are cut at once, in
    every namespace and every process; they cannot connect again with what they carry."""
    from app.realtime import chat, notifications

    server = socketio.server
    if server is None:
        return
    rooms = [user_room(user_id) for user_id in user_ids] + [session_room(sid) for sid in session_ids]
    for namespace in (chat.NAMESPACE, notifications.NAMESPACE):
        for room in rooms:
            if isinstance(server.manager, RevokingRedisManager):
                server.manager.disconnect_room(room, namespace)
            else:
                _disconnect_here(server, room, namespace)


def join_revocation_rooms(user_id: int, session_id: str | None) -> None:
    """On connect, in every namespace: the rooms through which the socket is cut when taken back."""
    join_room(user_room(user_id))
    if session_id:
        join_room(session_room(session_id))


def register_realtime() -> None:
    """Once per process: every namespace the portal serves."""
    from app.realtime import chat, notifications

    chat.register_realtime()
    notifications.register_namespace()
    sessions_revoked.connect(_disconnect_revoked)
