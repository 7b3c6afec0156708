"""Who may read a stored document: one rule for every download and preview (DESIGN.md §6).

The owner; an active member of a chat the document was posted in, or its reader before taking the
request (app/security/chat.py); whoever may see a request it is attached to (attachments, consent scans, conclusions and signatures are all RequestAttachments).
A file asked for through a request's address must also be that request's, so that one request's link
never serves another's file.
"""
from flask import abort
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.models import ConsultationRequest, Dialog, DialogMember, Document, Message, RequestAttachment
from app.security.audit import audit
from app.security.chat import read_only_clause
from app.security.requests import visible_requests_clause


def _posted_in_my_chat(user, document_id: int):
    return exists().where(
        Message.document_id == document_id,
        DialogMember.dialog_id == Message.dialog_id,
        DialogMember.user_id == user.id,
        DialogMember.removed_at.is_(None),
    )


def _posted_in_a_chat_i_read(user, document_id: int):
    return exists().where(
        Message.document_id == document_id,
        Dialog.id == Message.dialog_id,
        ConsultationRequest.id == Dialog.request_id,
        read_only_clause(user),
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
    reasons = or_(_posted_in_my_chat(user, document.id), _posted_in_a_chat_i_read(user, document.id),
                  _attached_to_a_request_i_see(user, document.id))
    return bool(session.execute(select(reasons)).scalar())


def readable_document(session: Session, user, document_id: int) -> Document | None:
    """The document if this user may read it; else None, with the attempt written to the audit trail
    (a missing document and a forbidden one look the same)."""
    document = session.get(Document, document_id)
    if document is None or not may_read_document(session, user, document):
        audit(user, "read_denied", "document", document_id)
        return None
    return document


def _file_of_request(session: Session, user, consultation, object_type: str, object_id: int, **key):
    """The request's RequestAttachment matching key if the user may read its document; else None, the
    attempt audited under the id it was asked by. consultation is the request already found visible,
    or None (then the attempt is only audited)."""
    attached = consultation and session.query(RequestAttachment).filter_by(request_id=consultation.id, **key).first()
    if attached is None or not may_read_document(session, user, attached.document):
        audit(user, "read_denied", object_type, object_id)
        return None
    return attached


def readable_attachment(session: Session, user, consultation, attachment_id: int) -> RequestAttachment | None:
    """A file of the request by its attachment id (the request page's links)."""
    return _file_of_request(session, user, consultation, "request_attachment", attachment_id, id=attachment_id)


def readable_request_document(session: Session, user, consultation, document_id: int) -> Document | None:
    """A document of the request by its id (the API's …/documents/<id>)."""
    attached = _file_of_request(session, user, consultation, "document", document_id, document_id=document_id)
    return attached and attached.document


def readable_document_or_404(session: Session, user, document_id: int) -> Document:
    document = readable_document(session, user, document_id)
    if document is None:
        abort(404)
    return document
