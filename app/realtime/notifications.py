"""The /notifications namespace: the bell's count in real time. Only a signed-in user connects, and the
server puts the connection in that user's room alone; after every commit that creates or reads a
user's notifications, the room is sent {"unread": n}."""
from flask import Flask, current_app, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace
from sqlalchemy import func

from app.extensions import db, socketio
from app.jobs.queue import after_commit
from app.models import Notification
from app.realtime import join_revocation_rooms
from app.security.sessions import SESSION_ID_KEY, user_room

NAMESPACE = "/notifications"


def room_of(user_id: int) -> str:
    return user_room(user_id)


def unread_counts(user_ids: set[int]) -> dict[int, int]:
    """User id → unread notifications, 0 included (a bell read elsewhere must go to 0)."""
    rows = (db.session.query(Notification.user_id, func.count(Notification.id))
            .filter(Notification.user_id.in_(user_ids), Notification.read_at.is_(None))
            .group_by(Notification.user_id))
    counts = dict(rows.all())
    return {user_id: counts.get(user_id, 0) for user_id in user_ids}


class NotificationsNamespace(Namespace):
    def on_connect(self, auth=None):
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("unauthorized")
        join_revocation_rooms(current_user.id, session.get(SESSION_ID_KEY))  # the user's room is the bell's

    def on_count(self, data=None):
        """Asked on every (re)connect: what changed while the socket was down is not lost."""
        if not current_user.is_authenticated:  # taken back while the socket was open
            return {"unread": 0}
        return {"unread": unread_counts({current_user.id})[current_user.id]}


def _push_unread(app: Flask, user_ids: set[int]) -> None:
    # a context of its own: the committed session may not query from its after_commit hook
    with app.app_context():
        for user_id, count in unread_counts(user_ids).items():
            socketio.emit("unread", {"unread": count}, to=room_of(user_id), namespace=NAMESPACE)


def push_unread_after_commit(user_ids) -> None:
    """Once the current transaction commits, send these users' bells their counts (through the
    message queue when there is one, so a job or another process reaches them too)."""
    app, users = current_app._get_current_object(), set(user_ids)
    after_commit(lambda: _push_unread(app, users))


def register_namespace() -> None:
    """Once per process: the namespace object is shared by every app this process builds."""
    if not any(handler.namespace == NAMESPACE for handler in socketio.namespace_handlers):
        socketio.on_namespace(NotificationsNamespace(NAMESPACE))
