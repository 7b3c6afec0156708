"""The request's chat: its dialog follows the request, every transition posts a system message.

Persist first, then notify: functions here only write to the session; the caller commits and only
then are messages broadcast to the request's room.
"""
import datetime
from contextlib import nullcontext
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, or_, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.errors import InvalidInput
from app.core.events import CHAT_NAMESPACE, chat_rooms, empty_readers_room_on_commit, send_event_on_commit
from app.models import (
    ConsultationRequest,
    Dialog,
    DialogMember,
    Document,
    Message,
    Patient,
    RequestEvent,
    TmkUser,
    utcnow,
)
from app.schemas.messages import MAX_TEXT
from app.schemas.dumps import message_json
from app.security.chat import Membership
from app.security.roles import COORDINATOR, MO_ADMIN
from app.workflow.transitions import TRANSITIONS


def system_text(event: RequestEvent) -> str:
    transition = TRANSITIONS.get(event.action)
    template = transition.system_text if transition else None
    if template is None:
        return ""
    return str(template) % {"name": event.actor.short_name if event.actor else "", "comment": event.comment}


def _participants(session: Session, request: ConsultationRequest, event: RequestEvent) -> set[int]:
    """Who belongs in the chat now: author, whoever acted, the consultant (held or designated), and the
    МО administrators of both sides."""
    ids = {i for i in (request.author_id, event.actor_id, request.consultant_id, request.designated_consultant_id) if i}
    admins = (
        session.query(TmkUser.id)
        .filter(TmkUser.active.is_(True), TmkUser.roles.any(name=MO_ADMIN),
                TmkUser.organization_id.in_((request.requesting_organization_id, request.consulting_organization_id)))
    )
    ids.update(row.id for row in admins)
    if TRANSITIONS[event.action].calls_coordinators and request.status == "new":
        # still in the pool: the coordinators of the consulting МО must act
        coordinators = session.query(TmkUser.id).filter(
            TmkUser.active.is_(True), TmkUser.roles.any(name=COORDINATOR),
            TmkUser.organization_id == request.consulting_organization_id)
        ids.update(row.id for row in coordinators)
    return ids


def dialog_of(session: Session, request_id: int) -> Dialog | None:
    return session.query(Dialog).filter_by(request_id=request_id).one_or_none()


def follow_request(session: Session, request: ConsultationRequest, event: RequestEvent) -> Dialog | None:
    """Open the dialog on submission, add whoever the request now involves, post the system message."""
    if request.status == "draft":
        return None
    dialog = dialog_of(session, request.id)
    if dialog is None:
        dialog = Dialog(request_id=request.id)
        session.add(dialog)
        session.flush()
    present = {m.user_id for m in session.query(DialogMember).filter_by(dialog_id=dialog.id)}
    for user_id in _participants(session, request, event) - present:
        session.add(DialogMember(dialog_id=dialog.id, user_id=user_id))
    if TRANSITIONS[event.action].system_text is not None:
        message = Message(dialog_id=dialog.id, kind="system", event_id=event.id, created_at=event.created_at)
        session.add(message)
        session.flush()
        dialog.last_message_at = event.created_at
        announce(StoredMessage.of(message))
    empty_readers_room_on_commit(request.id)  # after the message: its readers see the change first
    return dialog


@dataclass
class StoredMessage:
    """A chat message as it was stored: what its acknowledgement, its broadcast and the API show. Made
    from the values just inserted (a batch of the socket writer makes no Message objects) or from a
    Message read back."""

    id: int | None  # known once inserted
    request_id: int
    kind: str
    text: str
    created_at: datetime.datetime
    client_id: str | None = None
    author_id: int | None = None
    author_name: str | None = None
    document: Document | None = None
    author_photo: str | None = None  # the sha256 of the author's profile photo

    @classmethod
    def of(cls, message: Message) -> "StoredMessage":
        author = message.author
        return cls(message.id, message.dialog.request_id, message.kind,
                   system_text(message.event) if message.kind == "system" else message.text,
                   message.created_at, message.client_id,
                   author.id if author else None, author.short_name if author else None, message.document,
                   author.photo_sha256 if author else None)


@dataclass
class NewMessage:
    """A member's message to be posted: text, a file (document) or a recording (kind)."""

    member: Membership
    text: str = ""
    client_id: str | None = None
    document: Document | None = None
    kind: str = "text"

    def __post_init__(self):
        self.text = (self.text or "").replace("\x00", "").strip()  # PostgreSQL keeps no NUL in text
        self.client_id = self.client_id or None


def _stored_under(session: Session, keys: set[tuple[int, str]]) -> dict[tuple[int, str], Message]:
    """(dialog id, client id) → the message a client already sent under that id (its acknowledgement was
    lost)."""
    if not keys:
        return {}
    with session.no_autoflush:  # a file stored for a retry must not be written before it is known to be one
        found = session.query(Message).filter(Message.dialog_id.in_({d for d, _ in keys}),
                                              Message.client_id.in_({c for _, c in keys}))
        return {key: message for message in found if (key := (message.dialog_id, message.client_id)) in keys}


def _retried(session: Session, dialog: Dialog, client_id: str | None) -> Message | None:
    return _stored_under(session, {(dialog.id, client_id)}).get((dialog.id, client_id)) if client_id else None


def _invalid(post: NewMessage) -> InvalidInput | None:
    if not post.text and post.document is None:
        return InvalidInput(_l("The message is empty"))
    if len(post.text) > MAX_TEXT:
        return InvalidInput(_l("The message is longer than %(n)d characters", n=MAX_TEXT))
    return None


def announce(message: StoredMessage) -> None:
    """Broadcast a stored message to its request's room once the transaction commits. The payload is
    made now, in the poster's transaction: after the commit only the emit is left."""
    # a job or a command has no request: links are built for the portal's public address
    context = (nullcontext() if has_request_context()
               else current_app.test_request_context(base_url=current_app.config["TMK_BASE_URL"]))
    with context:
        payload = {"request_id": message.request_id, **message_json(message)}
    send_event_on_commit("message", payload, chat_rooms(message.request_id), CHAT_NAMESPACE)


def post_messages(session: Session, posts: list[NewMessage]) -> list[StoredMessage | InvalidInput]:
    """Add members' messages in their order; for each, the stored message or the InvalidInput that says
    why not. A client_id already stored, or repeated among the posts, gives the message kept under it: a
    retried send is stored once. Each author's read mark moves to his message, each dialog's time to its
    last one. Written with Core statements and no Message objects: the socket writer stores a hundred
    messages at a time this way, and under load its time is the chat's throughput (bench/)."""
    results: list = [_invalid(post) for post in posts]
    known = {key: StoredMessage.of(message) for key, message in _stored_under(session, {
        (post.member.dialog_id, post.client_id)
        for post, result in zip(posts, results) if result is None and post.client_id}).items()}
    added: list[tuple[NewMessage, StoredMessage]] = []
    now = utcnow()
    for i, post in enumerate(posts):
        key = (post.member.dialog_id, post.client_id)
        if results[i] is not None:
            continue
        if key in known:
            results[i] = known[key]
            continue
        results[i] = StoredMessage(None, post.member.request_id, post.kind, post.text, now, post.client_id,
                                   post.member.user_id, post.member.user_name, post.document, post.member.user_photo)
        added.append((post, results[i]))
        if post.client_id:
            known[key] = results[i]
    if not added:
        return results
    if any(post.document is not None and post.document.id is None for post, _ in added):
        session.flush()  # a file just uploaded gets its id
    table = Message.__table__
    ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), [
        {"dialog_id": post.member.dialog_id, "author_id": post.member.user_id, "kind": post.kind, "text": post.text,
         "document_id": post.document.id if post.document is not None else None, "client_id": post.client_id,
         "created_at": now} for post, _ in added]).scalars().all()
    for (_, stored), message_id in zip(added, ids):
        stored.id = message_id
    dialogs = Dialog.__table__
    session.execute(update(dialogs).where(dialogs.c.id.in_({post.member.dialog_id for post, _ in added}))
                    .values(last_message_at=now))
    # in order: an author's last message in a dialog is his read mark there
    mark_read_up_to(session, {(post.member.dialog_id, post.member.user_id): stored.id for post, stored in added})
    for _, stored in added:
        announce(stored)
    return results


def post_message(session: Session, dialog: Dialog, author: TmkUser, text: str, client_id: str | None = None,
                 document=None, kind: str = "text") -> StoredMessage:
    """Add a member's message; a repeated client_id returns the message already stored."""
    result, = post_messages(session, [NewMessage(Membership.of(dialog, author), text, client_id, document, kind)])
    if isinstance(result, InvalidInput):
        raise result
    return result


# A recording from the chat's recorder: the container's sniffed type → the type it is kept as. The
# recorder knows what it recorded; the bytes do not say it plainly (a WebM with only a sound track
# starts like any WebM video), and the type decides whether the page plays it in <audio> or <video>.
RECORDING_TYPES = {
    "audio": {"video/webm": "audio/webm", "audio/ogg": "audio/ogg", "video/mp4": "audio/mp4"},
    "video": {"video/webm": "video/webm", "video/mp4": "video/mp4"},
}
RECORDING_NAMES = {"audio": _l("Audio message"), "video": _l("Video message")}
RECORDING_EXTENSIONS = {"audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a", "video/webm": "webm",
                        "video/mp4": "mp4"}


def recording_name(recorded: str, content_type: str) -> str:
    """«Аудиосообщение 2026-03-05 12-30-00.webm»: the server's clock in the portal's time zone (the one
    the pages show times in), not the browser's zone, which is often UTC on hospital machines."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    now = utcnow().replace(tzinfo=datetime.timezone.utc).astimezone(zone)
    return f"{RECORDING_NAMES[recorded]} {now:%Y-%m-%d %H-%M-%S}.{RECORDING_EXTENSIONS[content_type]}"


def post_file(session: Session, dialog: Dialog, author: TmkUser, document, text: str = "",
              recorded: str | None = None, client_id: str | None = None) -> StoredMessage:
    """A file in the chat; a recording (``recorded``: "audio" or "video") becomes a message of that kind."""
    existing = _retried(session, dialog, client_id)
    if existing is not None:
        if document in session.new:  # the upload was repeated: the new row would be a second copy
            session.expunge(document)
        return StoredMessage.of(existing)
    if recorded is None:
        return post_message(session, dialog, author, text, client_id=client_id, document=document, kind="file")
    kept_as = RECORDING_TYPES[recorded].get(document.content_type)
    if kept_as is None:
        raise InvalidInput(_l("A recording must be WebM, Ogg or MP4"))
    document.content_type = kept_as
    document.name = recording_name(recorded, kept_as)
    return post_message(session, dialog, author, text, client_id=client_id, document=document, kind=recorded)


def history(session: Session, dialog: Dialog, after: int = 0, limit: int = 50) -> list[Message]:
    """Messages after a given id, oldest first: a reconnecting client asks for what it missed."""
    return (session.query(Message).filter(Message.dialog_id == dialog.id, Message.id > after)
            .options(selectinload(Message.document))
            .order_by(Message.id).limit(limit).all())


def mark_read(session: Session, dialog: Dialog, user: TmkUser, message_id: int) -> None:
    mark_read_up_to(session, {(dialog.id, user.id): message_id})


def mark_read_up_to(session: Session, marks: dict[tuple[int, int], int]) -> None:
    """(dialog id, user id) → the message read up to; a mark only moves forward. One statement for all
    (it runs for every message posted), on the table: no objects of the session need refreshing."""
    if not marks:
        return
    table = DialogMember.__table__
    session.execute(
        update(table)
        .where(table.c.dialog_id == bindparam("dialog"), table.c.user_id == bindparam("user"),
               table.c.last_read_message_id < bindparam("read_up_to"))
        .values(last_read_message_id=bindparam("read_up_to")),
        [{"dialog": d, "user": u, "read_up_to": m} for (d, u), m in marks.items()],
    )


def unread_counts(session: Session, user: TmkUser) -> dict[int, int]:
    """Dialog id → messages of others after my last read mark."""
    rows = (
        session.query(DialogMember.dialog_id, func.count(Message.id))
        .join(Message, Message.dialog_id == DialogMember.dialog_id)
        .filter(DialogMember.user_id == user.id, DialogMember.removed_at.is_(None),
                Message.id > DialogMember.last_read_message_id,
                (Message.author_id.is_(None)) | (Message.author_id != user.id))
        .group_by(DialogMember.dialog_id)
    )
    return dict(rows.all())


def my_dialogs(session: Session, user: TmkUser, search: str = "", limit: int = 100):
    """«Сообщения»: my dialogs, the most recent conversation first, with the request and patient loaded."""
    query = (
        session.query(Dialog)
        .join(DialogMember, DialogMember.dialog_id == Dialog.id)
        .join(Dialog.request)
        .outerjoin(ConsultationRequest.patient)
        .filter(DialogMember.user_id == user.id, DialogMember.removed_at.is_(None))
        .options(joinedload(Dialog.request).joinedload(ConsultationRequest.patient),
                 joinedload(Dialog.request).joinedload(ConsultationRequest.care_profile))
    )
    if search:
        text = search.strip()
        query = query.filter(or_(Patient.last_name.ilike(f"{text}%"), ConsultationRequest.number.ilike(f"%{text}%")))
    return query.order_by(Dialog.last_message_at.desc().nullslast(), Dialog.id.desc()).limit(limit).all()


def unread_dialogs(session: Session, user: TmkUser, limit: int):
    """«Главная»: my dialogs with unread messages, the latest first, as (dialog, unread) pairs, and how many
    there are — the counts of «Сообщения» (unread_counts), two queries whatever the number."""
    unread = unread_counts(session, user)
    if not unread:
        return [], 0
    dialogs = (session.query(Dialog).filter(Dialog.id.in_(unread))
               .options(joinedload(Dialog.request).joinedload(ConsultationRequest.patient))
               .order_by(Dialog.last_message_at.desc().nullslast(), Dialog.id.desc()).limit(limit).all())
    return [(dialog, unread[dialog.id]) for dialog in dialogs], len(unread)
