"""Who may read and write a request's chat: its active members read and write; a consultant who may
take the new request (it is in his «Доступные») reads it before taking it, as the manual has the chat
from the request's creation, but writes only once he has taken it; nobody else (not even an admin who
may see the request). Reading makes nobody a member and moves no read mark."""
from typing import NamedTuple

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.models import ConsultationRequest, Dialog, DialogMember, TmkUser
from app.models.names import short_name
from app.security.audit import audit
from app.security.requests import takeable_by


def _active_members(session: Session):
    return (
        session.query(Dialog)
        .join(DialogMember, DialogMember.dialog_id == Dialog.id)
        .filter(DialogMember.removed_at.is_(None))
    )


def _membership(session: Session, actor, request_id: int):
    return _active_members(session).filter(Dialog.request_id == request_id, DialogMember.user_id == actor.id)


def is_chat_member(session: Session, actor, request_id: int) -> bool:
    return _membership(session, actor, request_id).first() is not None


def chat_seat(session: Session, actor, request_id: int) -> str | None:
    """For the request page (no audit): "member" writes in the chat, "reader" reads it, None sees none."""
    if is_chat_member(session, actor, request_id):
        return "member"
    return "reader" if reads_before_taking(session, actor, request_id) else None


def member_dialog(session: Session, actor, request_id: int) -> Dialog | None:
    """The request's dialog if the actor is an active member; else None, and the attempt is audited."""
    dialog = _membership(session, actor, request_id).one_or_none()
    if dialog is None:
        audit(actor, "read_denied", "dialog", request_id)
    return dialog


def read_only_clause(actor) -> ColumnElement[bool]:
    """The requests whose chat the actor reads without being a member: new ones he may take."""
    return and_(ConsultationRequest.status == "new", takeable_by(actor))


def reads_before_taking(session: Session, actor, request_id: int) -> bool:
    return session.query(ConsultationRequest.id).filter(
        ConsultationRequest.id == request_id, read_only_clause(actor)).first() is not None


class ChatAccess(NamedTuple):
    dialog: Dialog
    member: bool  # False: reads only


def readable_dialog(session: Session, actor, request_id: int) -> ChatAccess | None:
    """The request's dialog and whether the actor writes in it, if he may read it; else None, and the
    attempt is audited."""
    dialog = _membership(session, actor, request_id).one_or_none()
    if dialog is not None:
        return ChatAccess(dialog, True)
    if reads_before_taking(session, actor, request_id):
        dialog = session.query(Dialog).filter_by(request_id=request_id).one_or_none()
        if dialog is not None:
            return ChatAccess(dialog, False)
    audit(actor, "read_denied", "dialog", request_id)
    return None


class Membership(NamedTuple):
    """A member's seat in a chat: what storing and showing his message needs, without loading the
    dialog and the account as objects."""

    dialog_id: int
    request_id: int
    user_id: int
    user_name: str  # Иванов И. И.
    user_photo: str | None = None  # the sha256 of his profile photo

    @classmethod
    def of(cls, dialog: Dialog, user: TmkUser) -> "Membership":
        return cls(dialog.id, dialog.request_id, user.id, user.short_name, user.photo_sha256)


# built once: the writer runs it for every batch
_MEMBERSHIPS = (
    select(Dialog.id, Dialog.request_id, TmkUser.id, TmkUser.last_name, TmkUser.first_name, TmkUser.middle_name,
           TmkUser.photo_sha256)
    .join(DialogMember, DialogMember.dialog_id == Dialog.id)
    .join(TmkUser, TmkUser.id == DialogMember.user_id)
    .where(DialogMember.removed_at.is_(None), TmkUser.active.is_(True),
           Dialog.request_id.in_(bindparam("request_ids", expanding=True)),
           DialogMember.user_id.in_(bindparam("user_ids", expanding=True)))
)


def memberships(session: Session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], Membership]:
    """The same rule for many (user id, request id) pairs in one query, for the socket's writer, which
    knows a connection's user by id only: the pairs whose user is an active account and an active
    member of the request's chat. The caller audits the others. Plain rows, not objects: the writer is
    the chat's bottleneck under load, and a dialog and an account object for each pair cost a third of
    its time (bench/README.md)."""
    if not pairs:
        return {}
    rows = session.execute(_MEMBERSHIPS, {"request_ids": {request_id for _, request_id in pairs},
                                          "user_ids": {user_id for user_id, _ in pairs}})
    found = {(user_id, request_id): Membership(dialog_id, request_id, user_id, short_name(last, first, middle), photo)
             for dialog_id, request_id, user_id, last, first, middle, photo in rows}
    return {pair: found[pair] for pair in pairs if pair in found}
