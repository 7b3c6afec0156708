"""«Документы»: the files a user owns — his uploads and what the portal made for him — and the
conclusions (with their scans and signatures) of his own requests, with the requests each belongs to. The page and the chat's «from Документы» picker both ask here."""
import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from app.documents.storage import OFFICE_TYPES
from app.models import ConsultationRequest as CR
from app.models import Conclusion, Dialog, Document, Message, RequestAttachment

PAGE_SIZE = 50
DOCX, XLSX = OFFICE_TYPES["word/"], OFFICE_TYPES["xl/"]

TYPE_LABELS = {
    "application/pdf": _l("PDF document"),
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
    DOCX: _l("Word document"),
    XLSX: _l("Excel spreadsheet"),
    "text/plain": _l("Text file"),
    "application/dicom": _l("DICOM image"),
    "application/pkcs7-signature": _l("Electronic signature"),
}
# what the consulting side makes for the author of a request
FOR_THE_AUTHOR = ("conclusion", "scan", "signature")
MEDIA_LABELS = {"audio": _l("Audio recording"), "video": _l("Video recording")}

# the type filter: value → (label, content types or their prefixes)
CONTENT_GROUPS = {
    "image": (_l("Images"), ("image/",)),
    "pdf": (_l("PDF"), ("application/pdf",)),
    "office": (_l("Word and Excel"), (DOCX, XLSX)),
    "text": (_l("Text"), ("text/plain",)),
    "dicom": (_l("DICOM"), ("application/dicom",)),
    "audio": (_l("Audio"), ("audio/",)),
    "video": (_l("Video"), ("video/",)),
}


def type_label(content_type: str) -> str:
    label = TYPE_LABELS.get(content_type) or MEDIA_LABELS.get(content_type.split("/", 1)[0])
    return str(label) if label else content_type


def size_label(size: int) -> str:
    """«2,1 КБ»: the one size label of pages, the chat and the API (Babel writes the locale's decimal comma)."""
    if size < 1024:
        return _("%(n)s B", n=size)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(round(size / 1024, 1)))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    """The start of that day in the portal's time zone, as the naive UTC the database keeps."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    start = datetime.datetime.combine(day, datetime.time(), zone)
    return start.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _document_requests():
    """(document id, request id, number): attached to the request, or posted in its chat."""
    attached = (select(RequestAttachment.document_id, CR.id, CR.number)
                .join(CR, CR.id == RequestAttachment.request_id))
    posted = (select(Message.document_id, CR.id, CR.number)
              .join(Dialog, Dialog.id == Message.dialog_id).join(CR, CR.id == Dialog.request_id)
              .where(Message.document_id.is_not(None)))
    return union(attached, posted).subquery()


def request_links(session: Session, document_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Document id → the (request id, number) pairs it belongs to, by number."""
    links = _document_requests()
    rows = session.execute(select(links).where(links.c.document_id.in_(document_ids))
                           .order_by(links.c.number)).all()
    found: dict[int, list[tuple[int, str]]] = {}
    for document_id, request_id, number in rows:
        found.setdefault(document_id, []).append((request_id, number))
    return found


def my_documents(session: Session, user, search: str = "", content_group: str = "",
                 date_from: datetime.date | None = None, date_to: datetime.date | None = None,
                 request_number: str = "", page: int = 0):
    """One page of the user's documents, newest first: (documents, total, request links by document id)."""
    made_for_me = (select(RequestAttachment.document_id).join(CR, CR.id == RequestAttachment.request_id)
                   .where(CR.author_id == user.id, RequestAttachment.kind.in_(FOR_THE_AUTHOR)))
    query = session.query(Document).filter(or_(Document.owner_id == user.id, Document.id.in_(made_for_me)))
    if search:
        query = query.filter(Document.name.icontains(search, autoescape=True))
    if content_group in CONTENT_GROUPS:
        prefixes = CONTENT_GROUPS[content_group][1]
        query = query.filter(or_(*(Document.content_type.startswith(p, autoescape=True) for p in prefixes)))
    if date_from:
        query = query.filter(Document.created_at >= _utc_midnight(date_from))
    if date_to:
        query = query.filter(Document.created_at < _utc_midnight(date_to + datetime.timedelta(days=1)))
    if request_number:
        links = _document_requests()
        query = query.filter(Document.id.in_(
            select(links.c.document_id).where(links.c.number.icontains(request_number, autoescape=True))))
    total = query.order_by(None).count()
    documents = (query.order_by(Document.created_at.desc(), Document.id.desc())
                 .offset(page * PAGE_SIZE).limit(PAGE_SIZE).all())
    return documents, total, request_links(session, [d.id for d in documents])


def conclusion_archives(session: Session, document_ids: list[int]) -> dict[int, int]:
    """Document id → request id, for the documents that are a request's conclusion (its PDF or scan):
    «Документы» offers their zip with the signatures (manual §3.6.1)."""
    rows = session.query(Conclusion.request_id, Conclusion.pdf_document_id, Conclusion.scan_document_id).filter(
        or_(Conclusion.pdf_document_id.in_(document_ids), Conclusion.scan_document_id.in_(document_ids)))
    found = {}
    for request_id, pdf_id, scan_id in rows:
        for document_id in (pdf_id, scan_id):
            if document_id in document_ids:
                found[document_id] = request_id
    return found
