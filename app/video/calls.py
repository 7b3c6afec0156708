"""Calls that ring (issue 14; the chat's «Позвонить консультанту» and «Позвонить всем участникам»).

A call is stored first (app/models/calls.py: the call and one row per callee), written into the
request's history as «Видеовызов» through ``workflow.apply``, and only after the commit rung: every
callee's sockets on /notifications (his user room, in every process through the message queue) get
``call_incoming``, the caller's get ``call_progress``. A callee answers once (``answer``: a conditional
UPDATE, so two tabs or a late answer never count twice); whoever has not answered when the call's time
runs out (TMK_VIDEO_CALL_TIMEOUT_SECONDS) missed it: ``settle`` marks them, posts «Пропущенный
видеовызов» to the chat and tells them alone (the bell, and e-mail for who keeps «calls» on). A timer
of the process that rang settles the call; the minute sweep (app/jobs/tasks.py) settles what a
stopped process left, and either finds nothing left to do when the other was first."""
import datetime
import logging

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update

from app.core.errors import NotAllowed
from app.core.events import NOTIFICATIONS_NAMESPACE, send_event_on_commit, user_room
from app.core.transaction import on_commit
from app.extensions import db, socketio
from app.models import (
    ConsultationRequest,
    Dialog,
    DialogMember,
    TmkUser,
    VideoCall,
    VideoCallee,
    utcnow,
)
from app.video import rooms
from app.workflow import apply
from app.workflow.engine import check
from app.workflow.rules import may_call

log = logging.getLogger(__name__)

# the socket events of /notifications (app/static/js/calls.js)
INCOMING = "call_incoming"  # to a callee: the window with «Принять» / «Отклонить»
ENDED = "call_ended"  # to a callee: answered in another tab, or missed: stop ringing
PROGRESS = "call_progress"  # to the caller: each callee's state
NOT_CONFIGURED = _l("The video server is not configured: video calls are not available. "
                    "Ask the portal administrator.")
CALL_ENDED = _l("The call has already ended")
# how long after its end a call the caller made is still shown on his next page (he went on to the room
# while the answers came)
SHOWN_AFTER = datetime.timedelta(seconds=30)


def room_url(request_id: int) -> str:
    """The request's video room (the page VideoView.room). A plain path: the timer and the sweep make
    their payloads without a request context."""
    return f"/requests/{request_id}/video"


def initials(person) -> str:
    """«П. П. П.»: an incoming call shows the patient's initials and nothing more of him."""
    if person is None:
        return ""
    return " ".join(f"{part[0]}." for part in (person.last_name, person.first_name, person.middle_name) if part)


def ring_time() -> datetime.timedelta:
    return datetime.timedelta(seconds=current_app.config["TMK_VIDEO_CALL_TIMEOUT_SECONDS"])


def _callees(actor, request: ConsultationRequest, target: str) -> list[TmkUser]:
    """The consultant who holds the request, or every active member of its chat but the caller."""
    if target == "consultant":
        consultant = request.consultant
        if consultant is None or not consultant.active:
            raise NotAllowed(_l("The request has no consultant yet: there is nobody to call"))
        if consultant.id == actor.id:
            raise NotAllowed(_l("You are the consultant of this request yourself"))
        return [consultant]
    members = (db.session.query(TmkUser)
               .join(DialogMember, DialogMember.user_id == TmkUser.id).join(Dialog, Dialog.id == DialogMember.dialog_id)
               .filter(Dialog.request_id == request.id, DialogMember.removed_at.is_(None), TmkUser.active.is_(True),
                       TmkUser.id != actor.id)
               .order_by(TmkUser.last_name, TmkUser.first_name, TmkUser.id).all())
    if not members:
        raise NotAllowed(_l("There is nobody else in the request's chat to call"))
    return members


def incoming_json(call: VideoCall, now: datetime.datetime) -> dict:
    """What a callee's window shows: who calls, the request's number and the patient's initials only —
    never the question or the diagnosis."""
    request = call.request
    return {"call_id": call.id, "request_id": request.id, "number": request.number, "caller": call.caller.short_name,
            "patient": initials(request.patient), "room_url": room_url(request.id),
            "expires_in": max(0, round((call.expires_at - now).total_seconds()))}


def progress_json(call: VideoCall) -> dict:
    """What the caller sees: each callee's state (ringing, accepted, declined, missed)."""
    return {"call_id": call.id, "request_id": call.request_id, "number": call.request.number,
            "room_url": room_url(call.request_id), "target": call.target, "settled": call.settled_at is not None,
            "callees": [{"user_id": callee.user_id, "name": callee.user.short_name, "state": callee.state}
                        for callee in call.callees]}


def _ringing_call_of(actor, request) -> VideoCall | None:
    return (db.session.query(VideoCall)
            .filter(VideoCall.request_id == request.id, VideoCall.caller_id == actor.id, VideoCall.settled_at.is_(None),
                    VideoCall.expires_at > utcnow()).first())


def start_call(actor, request: ConsultationRequest, target: str) -> dict:
    """Ring the request's consultant (``target`` "consultant") or every participant ("all"); the call's
    progress as the caller sees it. Raises NotAllowed with the Russian reason."""
    if not rooms.is_configured():
        raise NotAllowed(NOT_CONFIGURED)
    check(actor, request, "video_call")  # a chat member of an open request (rules.may_call)
    callees = _callees(actor, request, target)
    if _ringing_call_of(actor, request) is not None:
        raise NotAllowed(_l("Your call about this request is still ringing"))
    now = utcnow()
    call = VideoCall(request=request, caller=actor, target=target, created_at=now, expires_at=now + ring_time(),
                     callees=[VideoCallee(user=user, state="ringing") for user in callees])
    db.session.add(call)
    db.session.flush()
    incoming, progress = incoming_json(call, now), progress_json(call)
    for user in callees:
        send_event_on_commit(INCOMING, incoming, user_room(user.id), NOTIFICATIONS_NAMESPACE)
    send_event_on_commit(PROGRESS, progress, user_room(actor.id), NOTIFICATIONS_NAMESPACE)
    app, call_id, seconds = current_app._get_current_object(), call.id, ring_time().total_seconds()
    on_commit(lambda: socketio.start_background_task(_settle_when_due, app, call_id, seconds))
    # the history's «Видеовызов», in the transaction that stores the call (apply commits both)
    apply(actor, request, "video_call", {"comment": ", ".join(user.short_name for user in callees)})
    return progress


def _set_state(callee_id: int, state: str, now: datetime.datetime) -> bool:
    """Only a callee still ringing is answered or missed: the first of two tabs, a timer and a sweep wins."""
    return db.session.execute(
        update(VideoCallee).where(VideoCallee.id == callee_id, VideoCallee.state == "ringing")
        .values(state=state, answered_at=now)
    ).rowcount == 1


def _settle_if_answered(call: VideoCall, now: datetime.datetime) -> None:
    if all(callee.state != "ringing" for callee in call.callees):
        db.session.execute(update(VideoCall).where(VideoCall.id == call.id, VideoCall.settled_at.is_(None))
                           .values(settled_at=now))


def answer(actor, call_id: int, accept: bool) -> dict:
    """The callee's «Принять» or «Отклонить»: his other tabs stop ringing, the caller sees it. Only a callee
    of a call still ringing answers; anyone else is refused and nothing changes."""
    now = utcnow()
    callee = db.session.query(VideoCallee).filter_by(call_id=call_id, user_id=actor.id).one_or_none()
    if callee is None:
        raise NotAllowed(_l("No such call"))
    call = callee.call
    state = "accepted" if accept else "declined"
    if callee.state != "ringing" or call.expires_at <= now or not _set_state(callee.id, state, now):
        raise NotAllowed(CALL_ENDED)
    _settle_if_answered(call, now)
    send_event_on_commit(ENDED, {"call_id": call.id, "state": state}, user_room(actor.id), NOTIFICATIONS_NAMESPACE)
    send_event_on_commit(PROGRESS, progress_json(call), user_room(call.caller_id), NOTIFICATIONS_NAMESPACE)
    answered = {"call_id": call.id, "state": state, "room_url": room_url(call.request_id)}
    db.session.commit()
    return answered


def settle(call_id: int, now: datetime.datetime | None = None) -> list[int]:
    """Once the call's time has run out, whoever is still ringing missed it: the chat's system message
    «Пропущенный видеовызов», told to them alone. Returns their ids; a call settled already, or not due
    yet, gives none (a second timer, a retry or the sweep do no harm)."""
    now = now or utcnow()
    call = db.session.get(VideoCall, call_id)
    if call is None or call.settled_at is not None or call.expires_at > now:
        return []
    missed = [callee for callee in call.callees if callee.state == "ringing" and _set_state(callee.id, "missed", now)]
    _settle_if_answered(call, now)
    for callee in missed:
        send_event_on_commit(ENDED, {"call_id": call.id, "state": "missed"}, user_room(callee.user_id),
                             NOTIFICATIONS_NAMESPACE)
    send_event_on_commit(PROGRESS, progress_json(call), user_room(call.caller_id), NOTIFICATIONS_NAMESPACE)
    if not missed:
        db.session.commit()
        return []
    ids = [callee.user_id for callee in missed]
    apply(call.caller, call.request, "video_call_missed",
          {"comment": ", ".join(callee.user.short_name for callee in missed)}, recipients=ids)
    return ids


def settle_due(now: datetime.datetime | None = None) -> int:
    """The minute sweep: every call whose time ran out and that no timer settled (its process stopped)."""
    now = now or utcnow()
    due = [call_id for (call_id,) in db.session.query(VideoCall.id)
           .filter(VideoCall.settled_at.is_(None), VideoCall.expires_at <= now).order_by(VideoCall.id)]
    for call_id in due:
        settle(call_id, now)
    return len(due)


def _settle_when_due(app: Flask, call_id: int, seconds: float) -> None:
    """The ringing process' timer: a greenlet under gevent, a thread otherwise."""
    socketio.sleep(seconds)
    try:
        with app.app_context():
            settle(call_id)
    except Exception:  # the minute sweep settles it then
        log.exception("video call %s could not be settled", call_id)


def calls_of(user) -> dict:
    """What a page opened now must show (asked on every socket (re)connect): the calls ringing for this
    user, and his own calls still ringing or just ended."""
    now = utcnow()
    ringing = (db.session.query(VideoCall).join(VideoCallee, VideoCallee.call_id == VideoCall.id)
               .filter(VideoCallee.user_id == user.id, VideoCallee.state == "ringing", VideoCall.expires_at > now)
               .order_by(VideoCall.id).all())
    own = (db.session.query(VideoCall)
           .filter(VideoCall.caller_id == user.id,
                   or_(VideoCall.settled_at.is_(None), VideoCall.settled_at > now - SHOWN_AFTER))
           .order_by(VideoCall.id).all())
    return {"incoming": [incoming_json(call, now) for call in ringing],
            "outgoing": [progress_json(call) for call in own]}


def call_offer(actor, request: ConsultationRequest) -> dict | None:
    """The chat's call buttons (templates/video/_call_buttons.html): None when there are none (no video
    server, or the actor may not call); else why «Позвонить консультанту» is unavailable, if it is."""
    if not rooms.is_configured() or not may_call(actor, request):
        return None
    consultant = request.consultant
    if consultant is not None and consultant.id == actor.id:
        return {"consultant": False, "consultant_refusal": None}
    refusal = None if consultant is not None and consultant.active else str(
        _l("The request has no consultant yet: there is nobody to call"))
    return {"consultant": True, "consultant_refusal": refusal}

