"""Stored files and what they are attached to."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.requests import ConsultationRequest, utcnow
from app.models.users import TmkUser


class Document(Model):
    """A file someone uploaded. The bytes live once per sha256 (app/documents/storage.py)."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    owner: Mapped[TmkUser] = relationship()


class RequestAttachment(Model):
    """A document attached to a request: a file for the consultant, or the consent scan."""

    __tablename__ = "request_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="attachment")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship(backref="attachments")
    document: Mapped[Document] = relationship()
