"""A request's video sessions as its history (issue 14, item 5): the first join starts a session, every
join and leave is an event, the last leave ends it with its duration; the chat gets «Видеоконсультация
начата» / «… завершена, 24 мин». The pages report only what happened to their own user; times are the
server's, and a page that vanished without a word is taken out when its reports stop (``sweep``)."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.errors import NotAllowed
from app.extensions import db
from app.models import ConsultationRequest, TmkUser, VideoPresence, VideoSession, utcnow
from app.security.chat import reads_before_taking
from app.video.rooms import is_moderator
from app.workflow import apply, apply_all

# a room page reports every REPORT_SECONDS that its user is still there; silence this long means gone
REPORT_SECONDS = 30
SILENCE = datetime.timedelta(seconds=3 * REPORT_SECONDS)


def check_may_enter(actor: TmkUser, request: ConsultationRequest) -> None:
    """Who may see the request may enter its room (the caller found it through the visibility rules),
    while it is open; a consultant who only reads it from the pool takes it first, as for the chat."""
    if request.status == "draft":
        raise NotAllowed(_l("A video consultation is possible once the request has been submitted"))
    if request.is_finished:
        raise NotAllowed(_l("The request is closed: its video consultation is over"))
    if reads_before_taking(db.session, actor, request.id):
        raise NotAllowed(_l("Take the request into work to join its video consultation"))


def open_session(request_id: int) -> VideoSession | None:
    return db.session.query(VideoSession).filter_by(request_id=request_id, ended_at=None).one_or_none()


def _present(session: VideoSession, user_id: int) -> VideoPresence | None:
    return (db.session.query(VideoPresence)
            .filter_by(session_id=session.id, user_id=user_id, left_at=None).one_or_none())


def joined(actor: TmkUser, request: ConsultationRequest) -> VideoSession:
    """The actor's page entered the room. A second tab of one who is in already changes nothing."""
    check_may_enter(actor, request)
    sweep(request)
    now = utcnow()
    session = open_session(request.id)
    if session is not None and (presence := _present(session, actor.id)) is not None:
        presence.last_seen_at = now
        db.session.commit()
        return session
    if session is None:
        session = VideoSession(request_id=request.id, started_by_id=actor.id, started_at=now)
        db.session.add(session)
        db.session.add(VideoPresence(session=session, user_id=actor.id, joined_at=now, last_seen_at=now))
        try:
            apply(actor, request, "video_started")
        except IntegrityError:  # another participant's first join was stored a moment before: join his
            db.session.rollback()
            return joined(actor, request)
        return session
    db.session.add(VideoPresence(session=session, user_id=actor.id, joined_at=now, last_seen_at=now))
    apply(actor, request, "video_joined")
    return session


def is_present(actor: TmkUser, request: ConsultationRequest) -> bool:
    session = open_session(request.id)
    return session is not None and _present(session, actor.id) is not None


def still_there(actor: TmkUser, request: ConsultationRequest) -> VideoSession | None:
    """The page's periodic report. A report after the sweep took the user out joins him again: the
    page is evidently in the room."""
    session = open_session(request.id)
    presence = _present(session, actor.id) if session is not None else None
    if presence is None:
        return joined(actor, request)
    presence.last_seen_at = utcnow()
    db.session.commit()
    return session


def _leave(presences: list[VideoPresence], session: VideoSession, request: ConsultationRequest,
           at: datetime.datetime) -> None:
    for presence in presences:
        presence.left_at = at
    steps = [("video_left", None)]
    ended = not db.session.query(VideoPresence).filter(
        VideoPresence.session_id == session.id, VideoPresence.left_at.is_(None),
        VideoPresence.id.notin_([p.id for p in presences])).count()
    if ended:
        session.ended_at = at
        steps.append(("video_ended", {"comment": str(session.minutes)}))
    for presence in presences[:-1]:  # each one who left is the actor of his own event
        apply(presence.user, request, "video_left")
    apply_all(presences[-1].user, request, steps)


def left(actor: TmkUser, request: ConsultationRequest) -> None:
    """The actor's page left the room (hung up, closed, ended for all); a repeated report does nothing."""
    session = open_session(request.id)
    presence = _present(session, actor.id) if session is not None else None
    if presence is not None:
        _leave([presence], session, request, utcnow())


def sweep(request: ConsultationRequest | None = None) -> int:
    """Take out whoever's page stopped reporting (a closed laptop, a lost network), as of its last report;
    end the sessions left empty. For one request (before a join) or all (every minute)."""
    query = (db.session.query(VideoPresence).join(VideoSession)
             .filter(VideoSession.ended_at.is_(None), VideoPresence.left_at.is_(None),
                     VideoPresence.last_seen_at < utcnow() - SILENCE))
    if request is not None:
        query = query.filter(VideoSession.request_id == request.id)
    silent = query.order_by(VideoPresence.last_seen_at).all()
    for session in {p.session for p in silent}:
        gone = [p for p in silent if p.session_id == session.id]
        _leave(gone, session, session.request, gone[-1].last_seen_at)
    return len(silent)


def recording(actor: TmkUser, request: ConsultationRequest, started: bool) -> None:
    """A moderator started or stopped the recording (the server records only if one is configured):
    every participant is told in the chat who did."""
    if not is_moderator(actor, request):
        raise NotAllowed(_l("Only the consultant who holds the request or a coordinator may record"))
    session = open_session(request.id)
    if session is None or _present(session, actor.id) is None:
        raise NotAllowed(_l("Join the video consultation first"))
    apply(actor, request, "video_recording_started" if started else "video_recording_stopped")
