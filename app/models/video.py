"""Video sessions of a request (manual §3.5): when its room was in use and who was in it. The history
(RequestEvent) tells the same story to people; these rows are what the portal reasons on (is a session
open, who is still in it), so a join, a leave or a page that vanished is judged from stored state."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.requests import ConsultationRequest, utcnow
from app.models.users import TmkUser


class VideoSession(Model):
    """From the first participant's join to the last one's leave."""

    __tablename__ = "video_session"
    __table_args__ = (
        # at most one open session per request: two first joins at once cannot open two
        Index("uq_video_session_open", "request_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("consultation_request.id"), nullable=False, index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    ended_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    request: Mapped[ConsultationRequest] = relationship()
    started_by: Mapped[TmkUser] = relationship()
    presences: Mapped[list["VideoPresence"]] = relationship(back_populates="session")

    @property
    def minutes(self) -> int:
        """Whole minutes, at least 1: «завершена, 0 мин» would read as if nothing happened."""
        end = self.ended_at or utcnow()
        return max(1, round((end - self.started_at).total_seconds() / 60))


class VideoPresence(Model):
    """One participant's stay in a session; a page reports it is still there every half minute, so a
    browser closed without a word is taken out by the sweep (app/video/sessions.py)."""

    __tablename__ = "video_presence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("video_session.id"), nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    joined_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow, index=True)
    left_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    session: Mapped[VideoSession] = relationship(back_populates="presences")
    user: Mapped[TmkUser] = relationship()
