"""Who may do what to a request now: the guards of the transitions table (transitions.py), whose
answers drive the buttons shown and the checks made."""
from app.extensions import db
from app.models import OPEN_STATUSES, ConsultationRequest, TmkUser
from app.security.chat import is_chat_member
from app.security.roles import CONSULTANT, COORDINATOR, MO_ADMIN, REQUESTER


def _of_consulting_side(actor: TmkUser, request: ConsultationRequest, role: str) -> bool:
    return actor.has_role(role) and actor.organization_id == request.consulting_organization_id


def covers_profile(user: TmkUser, request: ConsultationRequest) -> bool:
    return any(profile.id == request.care_profile_id for profile in user.care_profiles)


def may_create(actor, request=None) -> bool:
    return actor.has_role(REQUESTER) and actor.organization_id is not None


def may_edit_draft(actor, request) -> bool:
    return request.status == "draft" and request.author_id == actor.id


def may_submit(actor, request) -> bool:
    return may_edit_draft(actor, request) and actor.has_role(REQUESTER)


def may_approve(actor, request) -> bool:
    return (request.status == "on_approval" and actor.has_role(MO_ADMIN)
            and actor.organization_id == request.requesting_organization_id)


may_reject = may_approve


def may_take(actor, request) -> bool:
    if request.status != "new" or not _of_consulting_side(actor, request, CONSULTANT):
        return False
    if request.designated_consultant_id is not None:
        return request.designated_consultant_id == actor.id
    return request.route.assignment == "pool" and covers_profile(actor, request)


def may_assign(actor, request) -> bool:
    return request.status == "new" and _of_consulting_side(actor, request, COORDINATOR)


def _is_the_consultant(actor, request) -> bool:
    return request.status == "in_work" and request.consultant_id == actor.id


may_transfer = _is_the_consultant
may_request_info = _is_the_consultant


def may_provide_info(actor, request) -> bool:
    return request.status == "awaiting_info" and request.author_id == actor.id


def may_refuse(actor, request) -> bool:
    return _is_the_consultant(actor, request) or may_take(actor, request) or may_assign(actor, request)


def may_cancel(actor, request) -> bool:
    return request.author_id == actor.id and request.status in OPEN_STATUSES and request.status != "signing"


def may_conclude(actor, request) -> bool:
    """Fill the form and render it; again while it awaits signing, to correct it."""
    return request.status in ("in_work", "signing") and request.consultant_id == actor.id


def may_sign(actor, request) -> bool:
    return request.status == "signing" and request.consultant_id == actor.id


def may_upload_scan(actor, request) -> bool:
    return request.status in ("in_work", "signing") and request.consultant_id == actor.id


def may_call(actor, request) -> bool:
    """«Позвонить консультанту» / «Позвонить всем участникам» (issue 14): an active member of the chat of
    an open request, the people it already talks with. A consultant who may only take the request from
    the pool reads its chat but is no member: he does not ring the author before taking it, nor does an
    administrator who only sees the request."""
    return (request.status in OPEN_STATUSES and request.status != "draft"
            and is_chat_member(db.session, actor, request.id))


# finishing a consultation has pages of its own (app/views/conclusions.py), not a dialog of the actions
CONCLUSION_ACTIONS = {"conclude": may_conclude, "sign": may_sign, "upload_scan": may_upload_scan}


def allowed_conclusion_actions(actor, request) -> list[str]:
    return [name for name, check in CONCLUSION_ACTIONS.items() if check(actor, request)]
