"""Making a request: its content from a form or the API, its files, and its first transitions, in one
transaction (``apply_all``)."""
import dataclasses
import uuid

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput, NotAllowed
from app.documents.storage import store_upload
from app.extensions import db
from app.models import ConsultationRequest, ExternalRecord, RequestAttachment, Route, TmkUser, utcnow
from app.workflow.engine import apply_all, check
from app.workflow.numbering import next_request_number
from app.workflow.validation import RequestData, check_complete, resolve_patient


def _fill(request: ConsultationRequest, data: RequestData) -> None:
    route = db.session.get(Route, data.route_id)
    request.route = route
    request.care_profile_id = route.care_profile_id
    request.consulting_organization_id = route.consulting_organization_id
    for field in ("urgency", "mode", "goal", "question", "anamnesis", "diagnosis_code", "diagnosis_text",
                  "consent_given"):
        setattr(request, field, getattr(data, field))
    request.patient = resolve_patient(db.session, data.patient, request) if data.patient else None
    request.external_records = [ExternalRecord(**dataclasses.asdict(record)) for record in data.external_records]


def save_request(actor: TmkUser, data: RequestData, submit: bool, request: ConsultationRequest | None = None,
                 attachments: list[tuple[str, bytes, str]] = ()) -> ConsultationRequest:
    """Create a request (or update a draft) with its files — (name, bytes, kind) — and, with
    ``submit``, send it; else keep it as a draft. All of it is stored, or nothing."""
    is_new = request is None
    check(actor, request, "create" if is_new else "edit")
    if not submit and not actor.organization.allows_drafts:
        raise NotAllowed(_l("Your medical organization does not keep drafts: submit the request"))
    problems = check_complete(db.session, data, for_submit=submit)
    if problems:
        raise InvalidInput(_l("Check the highlighted fields"), fields=problems)
    if is_new:
        request = ConsultationRequest(
            number=next_request_number(db.session, utcnow().year), author_id=actor.id,
            requesting_organization_id=actor.organization_id, status="draft", video_room=uuid.uuid4().hex,
        )
    with db.session.no_autoflush:  # the request is complete only after _fill
        _fill(request, data)
        for name, content, kind in attachments:
            db.session.add(RequestAttachment(request=request, document=store_upload(actor, name, content), kind=kind))
    steps = [("create" if is_new else "edit", None)]
    if submit:
        steps.append(("submit", None))
    return apply_all(actor, request, steps)
