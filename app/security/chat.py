"""Who may read and write a request's chat: its active members, nobody else (not even an admin who
may see the request)."""
from sqlalchemy.orm import Session, load_only

from app.models import Dialog, DialogMember, TmkUser
from app.security.audit import audit


def _active_members(session: Session, *entities):
    return (
        session.query(Dialog, *entities)
        .join(DialogMember, DialogMember.dialog_id == Dialog.id)
        .filter(DialogMember.removed_at.is_(None))
    )


def _membership(session: Session, actor, request_id: int):
    return _active_members(session).filter(Dialog.request_id == request_id, DialogMember.user_id == actor.id)


def is_chat_member(session: Session, actor, request_id: int) -> bool:
    return _membership(session, actor, request_id).first() is not None


def member_dialog(session: Session, actor, request_id: int) -> Dialog | None:
    """The request's dialog if the actor is an active member; else None, and the attempt is audited."""
    dialog = _membership(session, actor, request_id).one_or_none()
    if dialog is None:
        audit(actor, "read_denied", "dialog", request_id)
    return dialog


def member_dialogs(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], tuple[Dialog, TmkUser]]:
    """The same rule for many (user id, request id) pairs in one query, for the socket's writer, which
    knows a connection's user by id only: the pairs whose user is an active account and an active
    member of the request's chat, with the dialog and the user. The caller audits the others."""
    if not pairs:
        return {}
    rows = (
        _active_members(session, TmkUser)
        .join(TmkUser, TmkUser.id == DialogMember.user_id)
        # the chat needs the author's id and name only: whole accounts were the writer's largest cost (bench/)
        .options(load_only(TmkUser.id, TmkUser.last_name, TmkUser.first_name, TmkUser.middle_name))
        .filter(TmkUser.active.is_(True),
                Dialog.request_id.in_({request_id for _, request_id in pairs}),
                DialogMember.user_id.in_({user_id for user_id, _ in pairs}))
    )
    found = {(user.id, dialog.request_id): (dialog, user) for dialog, user in rows}
    return {pair: found[pair] for pair in pairs if pair in found}
