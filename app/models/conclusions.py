"""The consultation conclusion (manual §3.6): the consultant's form, the documents rendered from it or
a scan, and the electronic signatures of the rendered PDF."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.documents import Document
from app.models.requests import ConsultationRequest, utcnow
from app.models.users import TmkUser

# draft: the form is being filled; rendering: a job makes the documents; ready: they are made;
# failed: the last rendering failed (error says why; the form is kept)
CONCLUSION_STATES = ("draft", "rendering", "ready", "failed")

# the form's free-text fields in the order of the form and of the document
CONCLUSION_TEXTS = {
    "answer": _l("Answer to the question"),
    "condition": _l("Assessment of the patient's condition"),
    "concomitant": _l("Concomitant diseases and complications"),
    "recommendations_diagnostics": _l("Recommendations on further diagnostics"),
    "recommendations_treatment": _l("Recommendations on treatment"),
    "recommendations_transfer": _l("Recommendations on transfer (evacuation)"),
    "recommendations_in_person": _l("Recommendations on an in-person consultation"),
    "documents_reviewed": _l("Documents reviewed"),
}


class Conclusion(Model):
    __tablename__ = "conclusion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    answer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    condition: Mapped[str] = mapped_column(Text, nullable=False, default="")
    diagnosis_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    diagnosis_text: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    concomitant: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recommendations_diagnostics: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recommendations_treatment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recommendations_transfer: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recommendations_in_person: Mapped[str] = mapped_column(Text, nullable=False, default="")
    documents_reviewed: Mapped[str] = mapped_column(Text, nullable=False, default="")
    mode: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    error: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    # the latest rendering; earlier documents stay attached to the request (nothing is deleted)
    pdf_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    docx_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    scan_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    rendered_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    request: Mapped[ConsultationRequest] = relationship(backref=backref("conclusion", uselist=False))
    author: Mapped[TmkUser] = relationship()
    pdf_document: Mapped[Document | None] = relationship(foreign_keys=[pdf_document_id])
    docx_document: Mapped[Document | None] = relationship(foreign_keys=[docx_document_id])
    scan_document: Mapped[Document | None] = relationship(foreign_keys=[scan_document_id])
    signatures: Mapped[list["Signature"]] = relationship(back_populates="conclusion", order_by="Signature.id")


class Signature(Model):
    """A detached CMS signature of a rendered PDF, verified before it was stored."""

    __tablename__ = "signature"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("conclusion.id"), nullable=False, index=True)
    signed_document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), nullable=False)  # the .sgn file
    signer: Mapped[str] = mapped_column(String(255), nullable=False)
    subject: Mapped[str] = mapped_column(String(1000), nullable=False)
    issuer: Mapped[str] = mapped_column(String(1000), nullable=False)
    serial: Mapped[str] = mapped_column(String(128), nullable=False)
    algorithm: Mapped[str] = mapped_column(String(50), nullable=False)
    signing_time: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    not_before: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    not_after: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    conclusion: Mapped[Conclusion] = relationship(back_populates="signatures")
    signed_document: Mapped[Document] = relationship(foreign_keys=[signed_document_id])
    document: Mapped[Document] = relationship(foreign_keys=[document_id])
    uploaded_by: Mapped[TmkUser] = relationship()
