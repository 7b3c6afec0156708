"""The /notifications namespace: the bell's count in real time. Only a signed-in user connects, and the
server puts the connection in that user's room alone; after every commit that creates or reads a
user's notifications, the room is sent {"unread": n}. Calls ring through it too (app/realtime/calls.py)."""
from flask import session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace

from app.core.events import NOTIFICATIONS_NAMESPACE as NAMESPACE, unread_counts
from app.extensions import socketio
from app.realtime.calls import CallEvents
from app.realtime.revocation import join_revocation_rooms
from app.security.sessions import SESSION_ID_KEY


class NotificationsNamespace(CallEvents, Namespace):
    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        join_revocation_rooms(current_user.id, session.get(SESSION_ID_KEY))  # the user's room is the bell's

    def on_count(self, data=None):
        """Asked on every (re)connect: what changed while the socket was down is not lost."""
        if not current_user.is_authenticated:  # taken back while the socket was open
            return {"unread": 0}
        return {"unread": unread_counts({current_user.id})[current_user.id]}


def register_namespace() -> None:
    """Once per process: the namespace object is shared by every app this process builds."""
    if not any(handler.namespace == NAMESPACE for handler in socketio.namespace_handlers):
        socketio.on_namespace(NotificationsNamespace(NAMESPACE))
