"""Who may read a stored document: one rule for every download and preview (DESIGN.md §6).

The owner; an active member of a chat the document was posted in; whoever may see a request it is
attached to (attachments, consent scans, conclusions and signatures are all RequestAttachments).
"""
from flask import abort
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.models import ConsultationRequest, DialogMember, Document, Message, RequestAttachment
from app.security.audit import audit
from app.security.requests import visible_requests_clause


def _posted_in_my_chat(user, document_id: int):
    return exists().where(
        Message.document_id == document_id,
        DialogMember.dialog_id == Message.dialog_id,
        DialogMember.user_id == user.id,
        DialogMember.removed_at.is_(None),
    )


def _attached_to_a_request_i_see(user, document_id: int):
    return exists().where(
        RequestAttachment.document_id == document_id,
        ConsultationRequest.id == RequestAttachment.request_id,
        visible_requests_clause(user),
    )


def may_read_document(session: Session, user, document: Document) -> bool:
    if user is None:
        return False
    if document.owner_id == user.id:
        return True
    reasons = or_(_posted_in_my_chat(user, document.id), _attached_to_a_request_i_see(user, document.id))
    return bool(session.execute(select(reasons)).scalar())


def readable_document(session: Session, user, document_id: int) -> Document | None:
    """The document if this user may read it; else None, with the attempt written to the audit trail
    (a missing document and a forbidden one look the same)."""
    document = session.get(Document, document_id)
    if document is None or not may_read_document(session, user, document):
        audit(user, "read_denied", "document", document_id)
        return None
    return document


def readable_document_or_404(session: Session, user, document_id: int) -> Document:
    document = readable_document(session, user, document_id)
    if document is None:
        abort(404)
    return document
