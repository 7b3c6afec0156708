"""Sending a stored document to the browser. Who may have it is decided before (app/security/documents.py)."""
from flask import Response, send_file

from app.documents.storage import open_document
from app.models import Document

_PREVIEWS = {"image/jpeg": "image", "image/png": "image", "application/pdf": "pdf"}


def preview_kind(content_type: str) -> str | None:
    """How a page shows the file in place: image, pdf, audio or video; None: it is only downloaded."""
    if content_type in _PREVIEWS:
        return _PREVIEWS[content_type]
    major = content_type.split("/", 1)[0]
    return major if major in ("audio", "video") else None


def send_document(document: Document, inline: bool) -> Response:
    """The file under its own name with an RFC 6266 Content-Disposition (``filename*=UTF-8''…`` for a
    Cyrillic name). Inline only where the browser shows the type itself; anything else is a download.
    Range requests are answered, so audio and video can be sought."""
    response = send_file(open_document(document), mimetype=document.content_type,
                         as_attachment=not (inline and preview_kind(document.content_type)),
                         download_name=document.name, max_age=0)
    response.cache_control.private = True  # medical files never sit in a shared cache
    return response
