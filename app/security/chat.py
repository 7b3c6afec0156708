"""Who may read and write a request's chat: its active members, nobody else (not even an admin who
may see the request)."""
from sqlalchemy.orm import Session

from app.models import Dialog, DialogMember
from app.security.audit import audit


def _membership(session: Session, actor, request_id: int):
    return (
        session.query(Dialog)
        .join(DialogMember, DialogMember.dialog_id == Dialog.id)
        .filter(Dialog.request_id == request_id, DialogMember.user_id == actor.id, DialogMember.removed_at.is_(None))
    )


def is_chat_member(session: Session, actor, request_id: int) -> bool:
    return _membership(session, actor, request_id).first() is not None


def member_dialog(session: Session, actor, request_id: int) -> Dialog | None:
    """The request's dialog if the actor is an active member; else None, and the attempt is audited."""
    dialog = _membership(session, actor, request_id).one_or_none()
    if dialog is None:
        audit(actor, "read_denied", "dialog", request_id)
    return dialog
