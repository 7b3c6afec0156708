"""Socket events sent once the transaction that caused them has committed (persist first, then
notify): the layers that change data tell the sockets through here, and never import the socket layer.
Through the message queue when there is one, so that a job or another process reaches them too."""
from flask import Flask, current_app
from sqlalchemy import func

from app.core.transaction import on_commit
from app.extensions import db, socketio
from app.models import Notification

CHAT_NAMESPACE = "/chat"
NOTIFICATIONS_NAMESPACE = "/notifications"


def request_room(request_id: int) -> str:
    """The chat room of a request: its members' sockets (app/realtime/chat.py lets only them in)."""
    return f"request-{request_id}"


def readers_room(request_id: int) -> str:
    """The sockets reading a new request's chat before taking it: emptied at the request's every change,
    as a change (taken, assigned, cancelled…) may end their right to read."""
    return f"request-{request_id}-readers"


def chat_rooms(request_id: int) -> list[str]:
    """Where a chat message goes: its members and its readers."""
    return [request_room(request_id), readers_room(request_id)]


def empty_readers_room_on_commit(request_id: int) -> None:
    """Once the change commits, the readers' sockets are told (``chat_access``: they ask to join again and
    are let in only if they still may read) and taken out of the room."""
    room = readers_room(request_id)

    def empty():
        socketio.emit("chat_access", {"request_id": request_id}, to=room, namespace=CHAT_NAMESPACE)
        socketio.close_room(room, namespace=CHAT_NAMESPACE)

    on_commit(empty)


def user_room(user_id: int) -> str:
    """The room of every socket of one account, in each namespace."""
    return f"user-{user_id}"


def session_room(session_id: str) -> str:
    """The room of the sockets opened with one browser session, in each namespace."""
    return f"session-{session_id}"


def send_event_on_commit(name: str, payload: dict, room: str | list[str], namespace: str) -> None:
    """The payload is made by the caller now, in its transaction: after the commit only the emit is
    left, no second database session per event."""
    on_commit(lambda: socketio.emit(name, payload, to=room, namespace=namespace))


def unread_counts(user_ids: set[int]) -> dict[int, int]:
    """User id → unread notifications, 0 included (a bell read elsewhere must go to 0)."""
    rows = (db.session.query(Notification.user_id, func.count(Notification.id))
            .filter(Notification.user_id.in_(user_ids), Notification.read_at.is_(None), Notification.in_portal)
            .group_by(Notification.user_id))
    counts = dict(rows.all())
    return {user_id: counts.get(user_id, 0) for user_id in user_ids}


def _push_unread(app: Flask, user_ids: set[int]) -> None:
    # a context of its own: the committed session may not query from its after-commit hook
    with app.app_context():
        for user_id, count in unread_counts(user_ids).items():
            socketio.emit("unread", {"unread": count}, to=user_room(user_id), namespace=NOTIFICATIONS_NAMESPACE)


def push_unread_on_commit(user_ids) -> None:
    """Once the current transaction commits, send these users' bells their counts."""
    app, users = current_app._get_current_object(), set(user_ids)
    on_commit(lambda: _push_unread(app, users))
