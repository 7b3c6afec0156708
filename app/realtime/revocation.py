"""Sessions or accounts taken back (app/security/sessions.py) lose their sockets at once: in every
namespace and, through Redis, in every process; the rooms a socket joins on connect make that possible."""
import socketio as python_socketio
from flask_socketio import join_room

from app.core.events import CHAT_NAMESPACE, NOTIFICATIONS_NAMESPACE, session_room, user_room
from app.extensions import socketio


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


def disconnect_revoked(_app, user_ids=(), session_ids=(), **_) -> None:
    """Sessions or accounts taken back (app/security/sessions.py): their sockets are cut at once, in
    every namespace and every process; they cannot connect again with what they carry."""
    server = socketio.server
    if server is None:
        return
    rooms = [user_room(user_id) for user_id in user_ids] + [session_room(sid) for sid in session_ids]
    for namespace in (CHAT_NAMESPACE, NOTIFICATIONS_NAMESPACE):
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
