"""The chat of a request (manual §3.4): one dialog per request, its members, its messages."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.documents import Document
from app.models.requests import ConsultationRequest, RequestEvent, utcnow
from app.models.users import TmkUser

MESSAGE_KINDS = ("text", "file", "audio", "video", "system")


class Dialog(Model):
    __tablename__ = "dialog"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_message_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, index=True)

    request: Mapped[ConsultationRequest] = relationship(backref="dialog")
    members: Mapped[list["DialogMember"]] = relationship(back_populates="dialog")


class DialogMember(Model):
    """A participant; ``removed_at`` ends reading and joining, the row stays (history is kept)."""

    __tablename__ = "dialog_member"
    __table_args__ = (UniqueConstraint("dialog_id", "user_id", name="uq_dialog_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialog.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    joined_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    removed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    dialog: Mapped[Dialog] = relationship(back_populates="members")
    user: Mapped[TmkUser] = relationship()


class Message(Model):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_dialog_id_id", "dialog_id", "id"),
        # a client retrying a send after a lost acknowledgement must not post twice
        UniqueConstraint("dialog_id", "client_id", name="uq_message_client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialog.id"), nullable=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="text")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    # a system message tells a request event; its words are made when shown, in the reader's language
    event_id: Mapped[int | None] = mapped_column(ForeignKey("request_event.id"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

    dialog: Mapped[Dialog] = relationship()
    author: Mapped[TmkUser | None] = relationship()
    document: Mapped[Document | None] = relationship()
    event: Mapped[RequestEvent | None] = relationship()


class Notification(Model):
    """An event of a request for one participant: shown under the bell, and e-mailed when wanted."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("request_event.id"), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    # False: the user switched this kind off in the portal and wants only its e-mail; such a row exists
    # for the mail and is neither counted nor listed under the bell
    in_portal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    # none: no e-mail wanted; pending: to be sent (a retry may be under way); sent; failed: given up
    email_state: Mapped[str] = mapped_column(String(10), nullable=False, default="none", index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # after a failed attempt: when the sweep tries again (back-off), and why it failed
    email_next_attempt_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    email_error: Mapped[str] = mapped_column(String(300), nullable=False, default="", server_default="")
    emailed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    user: Mapped[TmkUser] = relationship()
    request: Mapped[ConsultationRequest] = relationship()
    event: Mapped[RequestEvent] = relationship()
