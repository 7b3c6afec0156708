"""Response deadlines: the urgency rule in force gives the time; the clock pauses while waiting."""
import datetime

from sqlalchemy.orm import Session

from app.models import UrgencyRule


def rule_in_force(session: Session, urgency: str, moment: datetime.datetime) -> UrgencyRule | None:
    return (
        session.query(UrgencyRule)
        .filter(UrgencyRule.urgency == urgency, UrgencyRule.effective_from <= moment.date())
        .order_by(UrgencyRule.effective_from.desc())
        .first()
    )


def due_at(session: Session, urgency: str, received_at: datetime.datetime) -> datetime.datetime | None:
    rule = rule_in_force(session, urgency, received_at)
    return received_at + datetime.timedelta(minutes=rule.max_minutes) if rule else None


def resume(due: datetime.datetime | None, paused_at: datetime.datetime, now: datetime.datetime):
    """The deadline after a pause: moved by the time spent waiting. Returns (new due, paused)."""
    paused = now - paused_at
    return (due + paused if due else None), paused


def time_left(request, now: datetime.datetime) -> datetime.timedelta | None:
    """Time until the deadline (negative when overdue); the clock stands still while paused."""
    if request.due_at is None or request.status in ("completed", "refused", "cancelled"):
        return None
    return request.due_at - (request.paused_at or now)
