"""Calls that ring (issue 14): who called whom about which request, and each callee's answer. Kept in the
database so that whichever process a socket, a timer or the minute sweep runs in can answer or settle
a call (app/video/calls.py)."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.requests import ConsultationRequest, utcnow
from app.models.users import TmkUser

CALL_TARGETS = ("consultant", "all")
# ringing → accepted, declined, or missed (nobody answered before the call's time ran out)
CALLEE_STATES = ("ringing", "accepted", "declined", "missed")


class VideoCall(Model):
    __tablename__ = "video_call"
    # the sweep looks for the calls whose time ran out and that are not settled yet
    __table_args__ = (Index("ix_video_call_unsettled", "settled_at", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    target: Mapped[str] = mapped_column(String(12), nullable=False)  # CALL_TARGETS
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False)
    # every callee has answered or was marked missed
    settled_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    request: Mapped[ConsultationRequest] = relationship()
    caller: Mapped[TmkUser] = relationship()
    callees: Mapped[list["VideoCallee"]] = relationship(back_populates="call", order_by="VideoCallee.id")


class VideoCallee(Model):
    """One person a call rings for, and his answer."""

    __tablename__ = "video_callee"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_video_callee"),
                      Index("ix_video_callee_user_state", "user_id", "state"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("video_call.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, default="ringing")  # CALLEE_STATES
    answered_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    call: Mapped[VideoCall] = relationship(back_populates="callees")
    user: Mapped[TmkUser] = relationship()
