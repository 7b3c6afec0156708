"""Jobs kept in the database until RQ has them (persist first, then notify): written in the transaction
that asks for the job, deleted once Redis accepted it, queued by the minute sweep while Redis was down."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.requests import utcnow


class KeptJob(Model):
    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task: Mapped[str] = mapped_column(String(64), nullable=False)  # the dotted path of a function of app.jobs.tasks
    args: Mapped[list] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # the sweep leaves a job alone until then: the committing process is queueing it right now
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTime, nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str] = mapped_column(String(300), nullable=False, default="")
