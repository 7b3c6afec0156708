"""What a transition changes beyond the status: the functions the table (transitions.py) names. Each
gets the actor, the request, the loaded parameters and the moment, checks what only it can check, and
answers the columns to set and the history comment; it writes nothing itself."""
import dataclasses

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput
from app.extensions import db
from app.models import ConsultationRequest, TmkUser
from app.security.roles import CONSULTANT
from app.workflow import deadlines
from app.workflow.validation import check_complete, data_of


@dataclasses.dataclass
class Change:
    values: dict = dataclasses.field(default_factory=dict)  # columns of the request to set
    comment: str | None = None  # the history comment (None: the parameters' comment)
    to_status: str | None = None  # None: the transition's own
    then: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # events recorded right after


def consultant_choices(request: ConsultationRequest, exclude: TmkUser | None = None) -> list[TmkUser]:
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


def _received(request, now) -> dict:
    """The clock starts when the consulting МО receives the request."""
    return {"received_at": now, "due_at": deadlines.due_at(db.session, request.urgency, now)}


def submit(actor, request, params, now) -> Change:
    problems = check_complete(db.session, data_of(request), for_submit=True)
    if problems:
        raise InvalidInput(_l("The draft is not complete: edit it and fill in the highlighted fields"),
                           fields=problems)
    if request.route.requires_approval:
        return Change({"submitted_at": now}, to_status="on_approval")
    return Change({"submitted_at": now, **_received(request, now)})


def approve(actor, request, params, now) -> Change:
    return Change(_received(request, now))


def finish(actor, request, params, now) -> Change:
    return Change({"completed_at": now})


def take(actor, request, params, now) -> Change:
    return Change({"consultant_id": actor.id, "designated_consultant_id": None, "taken_at": now})


def assign(actor, request, params, now) -> Change:
    consultant = _chosen_consultant(request, params["consultant_id"])
    return Change({"consultant_id": consultant.id, "designated_consultant_id": None, "taken_at": now},
                  comment=consultant.short_name)


def transfer(actor, request, params, now) -> Change:
    consultant = _chosen_consultant(request, params["consultant_id"], exclude=actor)
    return Change({"consultant_id": None, "designated_consultant_id": consultant.id, "taken_at": None},
                  comment=f"{consultant.short_name}: {params['comment']}")


def request_info(actor, request, params, now) -> Change:
    return Change({"paused_at": now})


def provide_info(actor, request, params, now) -> Change:
    due, paused = deadlines.resume(request.due_at, request.paused_at, now)
    # the pause gets its own history row; its comment is the minutes the clock stood still
    return Change({"due_at": due, "paused_at": None}, then=[("deadline_paused", str(int(paused.total_seconds() // 60)))])


def video_started(actor, request: ConsultationRequest, params: dict, now) -> Change:
    """A deferred consultation that needed a video session becomes a mixed one (manual §3.1)."""
    return Change(values={"mode": "mixed"} if request.mode == "deferred" else {})
