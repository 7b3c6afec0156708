"""The life cycle of a request (DESIGN.md §5): one function per transition."""
import dataclasses
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app.extensions import db
from app.models import (
    ConsultationRequest,
    ExternalRecord,
    RequestEvent,
    Route,
    TmkUser,
    utcnow,
)
from app.security.roles import CONSULTANT
from app.workflow import chat, deadlines, rules  # noqa: F401  (chat follows request_changed)
from app.workflow.errors import InvalidInput, NotAllowed
from app.workflow.numbering import next_request_number
from app.workflow.signals import request_changed
from app.workflow.validation import RequestData, check_complete, data_of, resolve_patient


def record_event(actor, request, action, from_status, comment="") -> RequestEvent:
    """The history row and the hooks, in the caller's transaction (the caller commits)."""
    event = RequestEvent(request=request, actor_id=actor.id if actor else None, action=action, from_status=from_status,
                         to_status=request.status, comment=comment)
    db.session.add(event)
    db.session.flush()
    request_changed.send(request, event=event)
    return event


def require(check, actor, request, message) -> None:
    if not check(actor, request):
        raise NotAllowed(message)


def _required_text(value: str | None, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(message)
    return value


def move_status(actor, request, action, to_status, comment="", **values) -> RequestEvent:
    """Change the status only if nobody changed it meanwhile (one conditional UPDATE), then record it."""
    from_status = request.status
    moved = db.session.execute(
        update(ConsultationRequest)
        .where(ConsultationRequest.id == request.id, ConsultationRequest.status == from_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        db.session.refresh(request)
        if action == "take" and request.consultant is not None:
            raise NotAllowed(_l("The request has already been taken into work: %(name)s",
                                name=request.consultant.short_name))
        raise NotAllowed(_l("The request has just been changed by someone else; reload the page"))
    db.session.refresh(request)
    return record_event(actor, request, action, from_status, comment)


# ---- making a request ----

def _apply(request: ConsultationRequest, data: RequestData, actor: TmkUser) -> None:
    route = db.session.get(Route, data.route_id)
    request.route = route
    request.care_profile_id = route.care_profile_id
    request.consulting_organization_id = route.consulting_organization_id
    for field in ("urgency", "mode", "goal", "question", "anamnesis", "diagnosis_code", "diagnosis_text",
                  "consent_given"):
        setattr(request, field, getattr(data, field))
    request.patient = resolve_patient(db.session, data.patient, request) if data.patient else None
    request.external_records = [ExternalRecord(**dataclasses.asdict(record)) for record in data.external_records]


def save_request(actor: TmkUser, data: RequestData, submit: bool, request: ConsultationRequest | None = None):
    """Create a request (or update a draft) and, with ``submit``, send it; else keep it as a draft."""
    if request is None:
        if not rules.may_create(actor):
            raise NotAllowed(_l("Only a requesting doctor may create requests"))
    else:
        require(rules.may_edit_draft, actor, request, _l("Only the author may edit a draft"))
    if not submit and not actor.organization.allows_drafts:
        raise NotAllowed(_l("Your medical organization does not keep drafts: submit the request"))
    problems = check_complete(db.session, data, for_submit=submit)
    if problems:
        raise InvalidInput(_l("Check the highlighted fields"), fields=problems)
    is_new = request is None
    if is_new:
        request = ConsultationRequest(
            number=next_request_number(db.session, utcnow().year), author_id=actor.id,
            requesting_organization_id=actor.organization_id, status="draft", video_room=uuid.uuid4().hex,
        )
    with db.session.no_autoflush:  # the request is complete only after _apply
        _apply(request, data, actor)
    db.session.add(request)
    db.session.flush()
    if is_new:
        record_event(actor, request, "create", None)
    if submit:
        return submit_request(actor, request)
    db.session.commit()
    return request


def _receive(request, now) -> dict:
    return {"received_at": now, "due_at": deadlines.due_at(db.session, request.urgency, now)}


def submit_request(actor, request):
    require(rules.may_submit, actor, request, _l("Only the author may submit a draft"))
    problems = check_complete(db.session, data_of(request), for_submit=True)
    if problems:
        raise InvalidInput(_l("The draft is not complete: edit it and fill in the highlighted fields"),
                           fields=problems)
    now = utcnow()
    if request.route.requires_approval:
        move_status(actor, request, "submit", "on_approval", submitted_at=now)
    else:
        move_status(actor, request, "submit", "new", submitted_at=now, **_receive(request, now))
    db.session.commit()
    return request


# ---- the transitions ----

def approve(actor, request, comment: str = ""):
    require(rules.may_approve, actor, request, _l("This request is not waiting for your approval"))
    move_status(actor, request, "approve", "new", comment.strip(), **_receive(request, utcnow()))
    db.session.commit()
    return request


def reject(actor, request, reason: str):
    require(rules.may_reject, actor, request, _l("This request is not waiting for your approval"))
    reason = _required_text(reason, _l("Give the reason for the rejection"))
    move_status(actor, request, "reject", "cancelled", reason, completed_at=utcnow())
    db.session.commit()
    return request


def take(actor, request):
    require(rules.may_take, actor, request, _l("You cannot take this request into work"))
    move_status(actor, request, "take", "in_work", consultant_id=actor.id, designated_consultant_id=None,
                taken_at=utcnow())
    db.session.commit()
    return request


def consultant_choices(request, exclude: TmkUser | None = None) -> list[TmkUser]:
    """Doctors of the consulting МО who cover the request's care profile."""
    query = (
        db.session.query(TmkUser)
        .filter(TmkUser.organization_id == request.consulting_organization_id, TmkUser.active.is_(True),
                TmkUser.roles.any(name=CONSULTANT), TmkUser.care_profiles.any(id=request.care_profile_id))
        .order_by(TmkUser.last_name, TmkUser.first_name)
    )
    if exclude is not None:
        query = query.filter(TmkUser.id != exclude.id)
    return query.all()


def _chosen_consultant(request, consultant_id, exclude=None) -> TmkUser:
    for candidate in consultant_choices(request, exclude):
        if candidate.id == consultant_id:
            return candidate
    raise InvalidInput(_l("Choose a doctor of the consulting organization who covers this care profile"))


def assign(actor, request, consultant_id: int | None):
    require(rules.may_assign, actor, request, _l("You cannot assign this request"))
    consultant = _chosen_consultant(request, consultant_id)
    move_status(actor, request, "assign", "in_work", consultant.short_name, consultant_id=consultant.id,
                designated_consultant_id=None, taken_at=utcnow())
    db.session.commit()
    return request


def transfer(actor, request, consultant_id: int | None, reason: str):
    require(rules.may_transfer, actor, request, _l("Only the consultant of a request in work may transfer it"))
    reason = _required_text(reason, _l("Give the reason for the transfer"))
    consultant = _chosen_consultant(request, consultant_id, exclude=actor)
    move_status(actor, request, "transfer", "new", f"{consultant.short_name}: {reason}", consultant_id=None,
                designated_consultant_id=consultant.id, taken_at=None)
    db.session.commit()
    return request


def request_info(actor, request, comment: str):
    require(rules.may_request_info, actor, request,
             _l("Only the consultant of a request in work may ask for information"))
    comment = _required_text(comment, _l("Write which information you need"))
    move_status(actor, request, "request_info", "awaiting_info", comment, paused_at=utcnow())
    db.session.commit()
    return request


def provide_info(actor, request, comment: str):
    require(rules.may_provide_info, actor, request, _l("Only the author may answer a request for information"))
    comment = _required_text(comment, _l("Write the information the consultant asked for"))
    due, paused = deadlines.resume(request.due_at, request.paused_at, utcnow())
    move_status(actor, request, "provide_info", "in_work", comment, due_at=due, paused_at=None)
    # the pause gets its own history row; its comment is the minutes the clock stood still
    record_event(actor, request, "deadline_paused", request.status, str(int(paused.total_seconds() // 60)))
    db.session.commit()
    return request


def refuse(actor, request, reason: str):
    require(rules.may_refuse, actor, request, _l("You cannot refuse this request"))
    reason = _required_text(reason, _l("Give the reason for the refusal"))
    move_status(actor, request, "refuse", "refused", reason, completed_at=utcnow())
    db.session.commit()
    return request


def cancel(actor, request, reason: str = ""):
    require(rules.may_cancel, actor, request, _l("Only the author may cancel an open request"))
    move_status(actor, request, "cancel", "cancelled", (reason or "").strip(), completed_at=utcnow())
    db.session.commit()
    return request


def run_action(actor, request, action: str, comment: str = "", consultant_id: int | None = None):
    """One entry for the page's dialogs and the API: the action by name with its parameters."""
    handlers = {
        "submit": lambda: submit_request(actor, request),
        "approve": lambda: approve(actor, request, comment),
        "reject": lambda: reject(actor, request, comment),
        "take": lambda: take(actor, request),
        "assign": lambda: assign(actor, request, consultant_id),
        "transfer": lambda: transfer(actor, request, consultant_id, comment),
        "request_info": lambda: request_info(actor, request, comment),
        "provide_info": lambda: provide_info(actor, request, comment),
        "refuse": lambda: refuse(actor, request, comment),
        "cancel": lambda: cancel(actor, request, comment),
    }
    if action not in handlers:
        raise NotAllowed(_l("Unknown action"))
    return handlers[action]()


ACTION_LABELS = {
    "create": _l("Request created"),
    "submit": _l("Request submitted"),
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "take": _l("Taken into work"),
    "assign": _l("Consultant assigned"),
    "transfer": _l("Transferred to another doctor"),
    "request_info": _l("Additional information requested"),
    "provide_info": _l("Information provided"),
    "deadline_paused": _l("Deadline paused"),
    "deadline_warning": _l("The deadline is near"),
    "overdue": _l("Overdue"),
    "refuse": _l("Refused"),
    "cancel": _l("Cancelled"),
    "conclude": _l("Conclusion prepared"),
    "complete": _l("Completed"),
}
