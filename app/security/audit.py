"""The audit trail: who read or tried to read what. Rows are only ever added."""
from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent


def audit(actor, action: str, object_type: str, object_id, detail: str = "", remote_addr: str | None = None) -> None:
    """Record at once, in its own commit, so a denied read is kept even when nothing else is. The
    address is the current request's, unless given (work done on behalf of a socket elsewhere)."""
    if remote_addr is None and has_request_context():
        remote_addr = request.remote_addr
    db.session.add(AuditEvent(
        user_id=getattr(actor, "id", None), action=action, object_type=object_type, object_id=str(object_id),
        detail=detail[:500], remote_addr=remote_addr,
    ))
    db.session.commit()
