"""The audit trail: who read or tried to read what. Rows are only ever added."""
from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent


def audit(actor, action: str, object_type: str, object_id, detail: str = "") -> None:
    """Record at once, in its own commit, so a denied read is kept even when nothing else is."""
    db.session.add(AuditEvent(
        user_id=getattr(actor, "id", None), action=action, object_type=object_type, object_id=str(object_id),
        detail=detail[:500], remote_addr=request.remote_addr if has_request_context() else None,
    ))
    db.session.commit()
